// SPDX-License-Identifier: LGPL-2.1-or-later
/* A SIGALRM storm: socket()+close() in the handler and in the main loop. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled, handler_failed;

static void on_alarm(int sig)
{
	int saved = errno;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	(void)sig;
	if (s < 0 || close(s) != 0)
		handler_failed = 1;
	handled++;
	errno = saved;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0, end;
	long max_rounds = argc > 2 ? atol(argv[2]) : 2000000, rounds = 0;
	struct itimerval it = {{0, 50}, {0, 50}};
	struct sigaction sa;
	int one = 1, main_failed = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	end = now() + secs;
	while (rounds < max_rounds && now() < end) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0 ||
		    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)) ||
		    close(s))
			main_failed++;
		rounds++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	printf("main %ld handler %d\n", rounds, (int)handled);
	if (main_failed || handler_failed) {
		fprintf(stderr, "failed: main %d handler %d\n", main_failed,
			(int)handler_failed);
		return 1;
	}
	return 0;
}
