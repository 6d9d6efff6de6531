// SPDX-License-Identifier: LGPL-2.1-or-later
/* Forked children sharing one trace, and fork/vfork/posix_spawn from a
 * parent whose threads are inside hooks all the while. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static struct sockaddr_in addr;

/* A loopback listener on an ephemeral port; its address goes to @addr. */
static int listener(void)
{
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, 4096) ||
	    getsockname(fd, (struct sockaddr *)&addr, &len)) {
		perror("listener");
		exit(1);
	}
	return fd;
}

/* socket, setsockopt, connect, close: 4 events. */
static int one_round(void)
{
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		return 1;
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
		close(s);
		return 1;
	}
	return close(s) ? 1 : 0;
}

static long to_accept;

static void *accept_loop(void *arg)
{
	int lfd = *(int *)arg;

	for (long i = 0; i < to_accept; i++) {
		int s = accept(lfd, NULL, NULL);

		if (s < 0)
			return (void *)1;
		close(s);
	}
	return NULL;
}

static int wait_all(pid_t *pids, int n)
{
	int bad = 0, st;

	for (int i = 0; i < n; i++) {
		if (pids[i] <= 0 || waitpid(pids[i], &st, 0) != pids[i]) {
			bad++;
			continue;
		}
		if (WIFSIGNALED(st)) {
			fprintf(stderr, "child %d: signal %d\n", (int)pids[i],
				WTERMSIG(st));
			bad++;
		} else if (WEXITSTATUS(st) != 0) {
			fprintf(stderr, "child %d: exit %d\n", (int)pids[i],
				WEXITSTATUS(st));
			bad++;
		}
	}
	return bad;
}

/* fork P N: P children, each N rounds against the parent's listener, all
 * appending to the trace the parent opened; the parent accepts. */
static int do_fork(int nproc, int rounds)
{
	pid_t pids[256];
	pthread_t acc;
	void *acc_ret;
	int lfd = listener(), bad;

	if (nproc < 1 || nproc > 256 || rounds < 1)
		return 2;
	to_accept = (long)nproc * rounds;
	pthread_create(&acc, NULL, accept_loop, &lfd);
	for (int i = 0; i < nproc; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			alarm(60); /* a hung child dies, it does not hang us */
			for (int r = 0; r < rounds; r++)
				if (one_round())
					_exit(3);
			_exit(0);
		}
		printf("child %d\n", (int)pids[i]);
	}
	bad = wait_all(pids, nproc);
	pthread_join(acc, &acc_ret);
	close(lfd);
	if (bad || acc_ret)
		return 1;
	printf("ok %d %d\n", nproc, rounds);
	return 0;
}

static volatile int stop;
static long hammered[64];
/* Made before the threads start: the children find it in the table. */
static int inherited;

/*
 * Hooks that take the table's locks, round and round, until told to stop;
 * none of them is one the children make (socket, getsockopt, close), so a
 * trace of only those calls holds the children's events and the parent's
 * few.
 */
static void *hammer(void *arg)
{
	long i = (long)arg;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct addrinfo *res;
		int sv[2], one = 1, d;

		/* The children's first call needs this socket's shard of
		 * the table: often held by one of us when fork() comes. */
		setsockopt(inherited, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one));
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
			continue;
		setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
		d = dup(sv[0]);
		/* close_range takes every shard in turn. */
		if (d >= 0)
			close_range((unsigned)d, (unsigned)d, 0);
		close_range((unsigned)sv[0], (unsigned)sv[0], 0);
		close_range((unsigned)sv[1], (unsigned)sv[1], 0);
		if (getaddrinfo("127.0.0.1", "80", &hints, &res) == 0)
			freeaddrinfo(res);
		hammered[i]++;
	}
	return NULL;
}

/* What every child does: look at the inherited socket, make one of its
 * own, close both, and exit 0 only if all of it worked. */
static int child_calls(int fd)
{
	int type = 0, s;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    type != SOCK_DGRAM)
		return 4;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || close(s))
		return 5;
	return close(fd) ? 6 : 0;
}

/* Apart, so no variable of the caller lives across vfork. */
static __attribute__((noinline)) pid_t vfork_exec(const char *self, char **argv)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execve(self, argv, environ);
		_exit(127);
	}
	return pid;
}

/* forkstorm fork|vfork|spawn T F SELF: T threads hammer hooks while the
 * main thread makes F children, one after the other. */
static int forkstorm(const char *how, int nthreads, int nforks,
		     const char *self)
{
	pthread_t th[64];
	pid_t pid;
	int bad = 0;
	long total = 0;
	char fdarg[16];

	if (nthreads < 1 || nthreads > 64 || nforks < 1)
		return 2;
	inherited = socket(AF_INET6, SOCK_DGRAM, 0);
	if (inherited < 0)
		return 1;
	snprintf(fdarg, sizeof(fdarg), "%d", inherited);
	for (long i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, hammer, (void *)i);
	for (int i = 0; i < nforks; i++) {
		char *argv[] = { (char *)self, "child", fdarg, NULL };

		if (strcmp(how, "fork") == 0) {
			pid = fork();
			if (pid == 0) {
				alarm(10);
				_exit(child_calls(inherited));
			}
		} else if (strcmp(how, "vfork") == 0) {
			pid = vfork_exec(self, argv);
		} else {
			if (posix_spawn(&pid, self, NULL, NULL, argv, environ))
				pid = -1;
		}
		bad += wait_all(&pid, 1);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		total += hammered[i];
	}
	close(inherited);
	printf("parent %d children %d bad %d rounds %ld\n", (int)getpid(),
	       nforks, bad, total);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "fork") == 0)
		return do_fork(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "forkstorm") == 0)
		return forkstorm(argv[2], atoi(argv[3]), atoi(argv[4]),
				 argv[0]);
	/* An exec'd child: the socket it inherited is learnt from the
	 * kernel (the table does not survive exec). */
	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		alarm(10);
		return child_calls(atoi(argv[2]));
	}
	fprintf(stderr,
		"usage: %s fork P N | forkstorm fork|vfork|spawn T F | "
		"child FD\n",
		argv[0]);
	return 2;
}
