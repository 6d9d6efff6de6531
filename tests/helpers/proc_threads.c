// SPDX-License-Identifier: LGPL-2.1-or-later
/* N threads x M rounds of socket/setsockopt/connect/close to a listener. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in addr;
static int rounds, failures;
static pthread_barrier_t start;

struct acc {
	int fd;
	long total;
};

/* Accepts exactly @total connections and closes them. */
static void *accept_loop(void *arg)
{
	struct acc *a = arg;

	for (long i = 0; i < a->total; i++) {
		int s = accept(a->fd, NULL, NULL);

		if (s < 0) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			break;
		}
		close(s);
	}
	return NULL;
}

static void *worker(void *arg)
{
	int one = 1;

	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < rounds; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0 ||
		    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)) ||
		    connect(s, (struct sockaddr *)&addr, sizeof(addr)) ||
		    close(s)) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 8;
	socklen_t len = sizeof(addr);
	pthread_t th[64], acc_th;
	struct acc acc;

	rounds = argc > 2 ? atoi(argv[2]) : 200;
	if (nthreads < 1 || nthreads > 64 || rounds < 1)
		return 2;
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	acc.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (acc.fd < 0 ||
	    bind(acc.fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(acc.fd, 4096) ||
	    getsockname(acc.fd, (struct sockaddr *)&addr, &len)) {
		perror("listener");
		return 1;
	}
	acc.total = (long)nthreads * rounds;
	pthread_barrier_init(&start, NULL, nthreads);
	pthread_create(&acc_th, NULL, accept_loop, &acc);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_join(acc_th, NULL);
	close(acc.fd);
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("ok %d %d\n", nthreads, rounds);
	return 0;
}
