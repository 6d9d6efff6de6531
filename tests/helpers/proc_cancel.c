// SPDX-License-Identifier: LGPL-2.1-or-later
/* A thread with a cancel request pending makes calls that are no
 * cancellation points (pthreads(7)), then tests for it: it must get there.
 * Prints "ok", or the call during which the thread was cancelled. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const steps[] = {
	"socket", "setsockopt", "bind", "listen", "getsockopt", "socketpair",
	"dup", "shutdown", "pthread_testcancel",
};
static volatile int reached;

static void *body(void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, copy, one = 1, sv[2];
	socklen_t len = sizeof(one);

	(void)arg;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_cancel(pthread_self());	/* deferred: pending from here on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	reached++;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	reached++;
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	reached++;
	listen(fd, 1);
	reached++;
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &one, &len);
	reached++;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	reached++;
	copy = dup(fd);	/* kept: glibc marks dup warn_unused_result */
	(void)copy;
	reached++;
	shutdown(fd, SHUT_RDWR);
	reached++;
	pthread_testcancel();
	reached++;	/* not cancelled at all: also wrong */
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *ret;

	if (pthread_create(&t, NULL, body, NULL) || pthread_join(t, &ret))
		return 2;
	if (ret == PTHREAD_CANCELED && reached == 8) {
		puts("ok");
		return 0;
	}
	printf("cancelled in %s\n",
	       reached < 9 ? steps[reached] : "(nowhere: never cancelled)");
	return 1;
}
