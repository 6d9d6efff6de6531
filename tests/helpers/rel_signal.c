// SPDX-License-Identifier: LGPL-2.1-or-later
/* A SIGALRM storm over threads in socket/dup/close loops, the handler
 * making hooked calls of its own; then the long-lived sockets are asked
 * about, so the trace shows whether the fd table still knows them. Also:
 * stale (a handler's close), forks (a handler's fork). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handler_failed;
static long handled, handled_in_loop;
/* Set while this thread is between its socket() and its last close(). */
static __thread volatile sig_atomic_t in_loop;
static volatile int stop;
static long rounds[64];
/* A long-lived socket every thread and the handler ask about: the handler
 * then needs the very table shard its interrupted thread may hold. */
static int shared = -1;

/* getsockopt(SO_TYPE) on the shared socket: it is a datagram socket. */
static int ask_shared(void)
{
	int type = -1;
	socklen_t len = sizeof(type);

	return getsockopt(shared, SOL_SOCKET, SO_TYPE, &type, &len) ||
	       type != SOCK_DGRAM;
}

static void on_alarm(int sig)
{
	int saved = errno, one = 1;
	int s = socket(AF_INET6, SOCK_DGRAM, 0);

	(void)sig;
	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    close(s) != 0 || ask_shared())
		handler_failed = 1;
	__atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
	if (in_loop)
		__atomic_add_fetch(&handled_in_loop, 1, __ATOMIC_RELAXED);
	errno = saved;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int failures;

/* socket, dup, setsockopt, close, close, getsockopt: 6 events a round. */
static void *worker(void *arg)
{
	long i = (long)arg;
	int one = 1;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int s, d;

		in_loop = 1;
		s = socket(AF_INET, SOCK_STREAM, 0);
		d = s < 0 ? -1 : dup(s);
		if (s < 0 || d < 0 ||
		    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)) ||
		    close(d) || close(s) || ask_shared())
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		in_loop = 0;
		rounds[i]++;
	}
	return NULL;
}

/* getsockopt(SO_TYPE) on @fd, which must be @type: one event each. */
static int ask(int fd, int type)
{
	int got = -1;
	socklen_t len = sizeof(got);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &got, &len) || got != type)
		return 1;
	printf("kept %d\n", fd);
	return 0;
}

static volatile int victim = -1;
static volatile sig_atomic_t victim_closed;

static void close_victim(int sig)
{
	int saved = errno;

	(void)sig;
	if (victim >= 0 && !victim_closed) {
		close(victim);
		victim_closed = 1;
	}
	errno = saved;
}

/*
 * stale N: N times, a socket is closed by a signal handler that may have
 * interrupted a table operation of its own thread; then the number comes
 * back as /dev/null, which is duplicated and closed. None of that is a
 * socket: a trace that shows an fcntl, or a second close, names a stale
 * entry of the fd table.
 */
static int stale(long n)
{
	struct itimerval it = { { 0, 0 }, { 0, 200 } };
	int busy = socket(AF_INET, SOCK_STREAM, 0), type, odd = 0;
	socklen_t len = sizeof(type);

	if (busy < 0)
		return 1;
	signal(SIGALRM, close_victim);
	for (long i = 0; i < n; i++) {
		int f, g;

		victim_closed = 0;
		victim = socket(AF_INET6, SOCK_DGRAM, 0);
		setitimer(ITIMER_REAL, &it, NULL);
		/* Inside hooks that hold the table, mostly. */
		while (!victim_closed)
			getsockopt(busy, SOL_SOCKET, SO_TYPE, &type, &len);
		f = open("/dev/null", O_RDONLY);
		odd += f != victim;
		g = fcntl(f, F_DUPFD, 100);
		if (g >= 0)
			close(g);
		close(f);
	}
	printf("stale %ld reused %ld\n", n, n - odd);
	return 0;
}

static volatile sig_atomic_t forked, in_child;

/* The parent waits for its child here, in the handler: a child that hangs
 * stops the run, and the test's timeout says so. */
static void fork_in_handler(int sig)
{
	int saved = errno, st;
	pid_t pid;

	(void)sig;
	pid = fork();
	if (pid == 0) {
		in_child = 1;	/* back to the interrupted code first */
		return;
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0)
		forked++;
	else
		handler_failed = 1;
	errno = saved;
}

/* In the child, once the interrupted call is done: sockets on every
 * shard of the table (64 numbers in a row). */
static void child_work(void)
{
	int fds[64], ok = 0;

	/* A child that hangs must not outlive the test. */
	signal(SIGALRM, SIG_DFL);
	alarm(30);
	for (int i = 0; i < 64; i++)
		ok += (fds[i] = socket(AF_INET, SOCK_DGRAM, 0)) >= 0;
	for (int i = 0; i < 64; i++)
		if (fds[i] >= 0 && close(fds[i]) == 0)
			ok++;
	_exit(ok == 128 ? 0 : 1);
}

/*
 * forks N: N times, a signal handler forks while its thread is (mostly)
 * inside a table operation and other threads are inside theirs; the child
 * goes back to the interrupted call, then makes and closes a socket on
 * every shard. A lock held by a thread that is not in the child would
 * stop it there.
 */
static int forks(long n, int nthreads)
{
	struct itimerval it = { { 0, 0 }, { 0, 300 } };
	int busy = socket(AF_INET, SOCK_STREAM, 0), type;
	socklen_t len = sizeof(type);
	pthread_t th[64];
	sigset_t set;

	shared = socket(AF_INET6, SOCK_DGRAM, 0);
	if (busy < 0 || shared < 0)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* the workers' mask */
	for (long i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGALRM, fork_in_handler);
	for (long i = 0; i < n && !handler_failed; i++) {
		long target = forked + 1;

		setitimer(ITIMER_REAL, &it, NULL);
		while (forked < target && !handler_failed) {
			getsockopt(busy, SOL_SOCKET, SO_TYPE, &type, &len);
			if (in_child)
				child_work();
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	printf("forks %ld children ok %ld\n", n, (long)forked);
	return handler_failed || failures;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 4;
	double secs = argc > 2 ? atof(argv[2]) : 2.0, end;
	struct itimerval it = { { 0, 100 }, { 0, 100 } };
	int pair[2], udp6, tcp, bad = 0;
	struct sigaction sa;
	pthread_t th[64];
	long total = 0, mainr = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "stale") == 0)
		return stale(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "forks") == 0)
		return forks(atol(argv[2]), 4);
	if (nthreads < 1 || nthreads > 64)
		return 2;
	/* Long-lived: made before the storm, asked about after it. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) ||
	    (udp6 = socket(AF_INET6, SOCK_DGRAM, 0)) < 0 ||
	    (tcp = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 1;
	shared = udp6;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	for (long i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	setitimer(ITIMER_REAL, &it, NULL);
	/* The main thread takes its share of the signals in the loop too. */
	end = now() + secs;
	while (now() < end) {
		int s;

		in_loop = 1;
		s = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (s < 0 || close(s))
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		in_loop = 0;
		mainr++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		total += rounds[i];
	}
	bad |= ask(pair[0], SOCK_STREAM) | ask(pair[1], SOCK_STREAM);
	bad |= ask(udp6, SOCK_DGRAM) | ask(tcp, SOCK_STREAM);
	printf("main %ld workers %ld handler %ld in-loop %ld\n", mainr, total,
	       handled, handled_in_loop);
	if (failures || handler_failed || bad) {
		fprintf(stderr, "failed: calls %d handler %d kept %d\n",
			failures, (int)handler_failed, bad);
		return 1;
	}
	return 0;
}
