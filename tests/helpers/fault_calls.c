// SPDX-License-Identifier: LGPL-2.1-or-later
/* The fault suite's C program: errno as the program sees it around
 * injected calls, and one rule's #COUNT shared by threads. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "calls.h"

/* Each call with the sentinel errno before it. Run with
 * NETSHIM_FAIL='socket(ipv6)=EAFNOSUPPORT;socket(udp)=delay(10ms);
 * getaddrinfo(a.test)=EAI_AGAIN;getaddrinfo(b.test)=ECONNREFUSED'. */
static int errnos(void)
{
	struct addrinfo *res = NULL;
	int ret, fd;

	fd = (int)CALL("socket-ipv6", socket(AF_INET6, SOCK_STREAM, 0));
	fd = (int)CALL("socket-udp-delayed", socket(AF_INET, SOCK_DGRAM, 0));
	if (fd >= 0)
		close(fd);
	errno = SENTINEL;
	ret = getaddrinfo("a.test", "80", NULL, &res);
	printf("gai-a ret=%s errno=%s res=%s\n", ret ? gai_strerror(ret) : "0",
	       ename(errno), res ? "set" : "NULL");
	errno = SENTINEL;
	ret = getaddrinfo("b.test", "80", NULL, &res);
	printf("gai-b ret=%s errno=%s res=%s\n",
	       ret == EAI_SYSTEM ? "EAI_SYSTEM" : gai_strerror(ret),
	       ename(errno), res ? "set" : "NULL");
	return 0;
}

static int port;
static int per_thread;

/* Counts the connects that failed with EHOSTUNREACH, the rule's errno
 * (the kernel itself says ECONNREFUSED for a closed loopback port). */
static void *connector(void *arg)
{
	struct sockaddr_in a = sin4(port);
	long *hits = arg;

	for (int i = 0; i < per_thread; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
		    errno == EHOSTUNREACH)
			(*hits)++;
		close(fd);
	}
	return NULL;
}

static int threads(int n)
{
	pthread_t t[64];
	long hits[64] = { 0 }, total = 0;

	if (n < 1 || n > 64)
		return 2;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, connector, &hits[i]))
			die("pthread_create");
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		total += hits[i];
	}
	printf("injected %ld of %d\n", total, n * per_thread);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "errno"))
		return errnos();
	if (argc == 5 && !strcmp(argv[1], "threads")) {
		port = atoi(argv[3]);
		per_thread = atoi(argv[4]);
		return threads(atoi(argv[2]));
	}
	fprintf(stderr, "usage: fault_calls errno\n"
			"       fault_calls threads N PORT CONNECTS\n");
	return 2;
}
