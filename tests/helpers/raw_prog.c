// SPDX-License-Identifier: LGPL-2.1-or-later
/* raw_prog: a dynamic C program making socket calls by syscall(2), for
 * the raw suite (trap/):
 *	raw_prog connect PORT	socket and connect to 127.0.0.1:PORT
 *	raw_prog status		print its Seccomp: line
 *	raw_prog storm N	8 threads, N rounds each of raw socket,
 *				setsockopt, bind, getsockopt, close, under a
 *				SIGALRM storm without SA_RESTART
 *	raw_prog ownsigsys PORT	its own SIGSYS handler and seccomp filter
 *				(RET_TRAP for getppid), then a raw connect
 *	raw_prog exec PROG ARG...  execve PROG with an empty environment
 *	raw_prog stack PORT	raw calls with a 32 KiB alternate signal stack
 *				(Go's size), painted: prints the bytes of it
 *				the SIGSYS handler used at most
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static void status(void)
{
	char l[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(l, sizeof(l), f))
		if (!strncmp(l, "Seccomp:", 8))
			fputs(l, stdout);
	if (f)
		fclose(f);
}

static long raw_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0), r;

	r = syscall(SYS_connect, fd, &sa, sizeof(sa));
	printf("connect ret=%ld errno=%s\n", r, r ? strerrorname_np(errno) :
						    "0");
	close((int)fd);
	return r;
}

static int rounds;
static long eintr, calls;

static void *storm(void *arg)
{
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int one = 1, v = 0;
		socklen_t len = sizeof(v);
		long r[5], fd;

		r[0] = fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
		r[1] = syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR,
			       &one, sizeof(one));
		r[2] = syscall(SYS_bind, fd, &sa, sizeof(sa));
		r[3] = syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_REUSEADDR,
			       &v, &len);
		r[4] = syscall(SYS_close, fd);
		for (int k = 0; k < 5; k++) {
			__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
			if (r[k] < 0) {
				printf("call %d: %s\n", k,
				       strerrorname_np(errno));
				if (errno == EINTR)
					__atomic_add_fetch(&eintr, 1,
							   __ATOMIC_RELAXED);
			}
		}
	}
	return NULL;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static int run_storm(int n)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	pthread_t t[8];

	rounds = n;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, storm, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	it = (struct itimerval){ 0 };
	setitimer(ITIMER_REAL, &it, NULL);
	printf("calls %ld eintr %ld alarms %s\n", calls, eintr,
	       alarms ? "some" : "none");
	return eintr != 0;
}

static volatile int own_errno, own_nr;
static void on_sys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	own_errno = si->si_errno;
	own_nr = si->si_syscall;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = 4242;
}

static int own_sigsys(int port)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | 0x1234),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fp = { 4, f };
	struct sigaction sa = { .sa_sigaction = on_sys,
				.sa_flags = SA_SIGINFO }, old;
	long r;

	sigaction(SIGSYS, &sa, NULL);
	sigaction(SIGSYS, NULL, &old);
	printf("handler %s\n", old.sa_sigaction == on_sys ? "mine" : "not mine");
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) != 0)
		perror("seccomp");
	r = syscall(SYS_getppid);
	printf("getppid ret=%ld si_errno=%#x nr=%d\n", r, own_errno, own_nr);
	raw_connect(port);
	return 0;
}

static int stack_use(int port)
{
	enum { SIZE = 32768 };
	static unsigned char alt[SIZE];
	stack_t ss = { .ss_sp = alt, .ss_size = SIZE };
	size_t used = 0;
	int one = 1;
	long fd;

	memset(alt, 0xa5, SIZE);
	sigaltstack(&ss, NULL);
	raw_connect(port);
	fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one,
		sizeof(one));
	close((int)fd);
	while (used < SIZE && alt[used] == 0xa5)
		used++;
	printf("stack used %zu\n", SIZE - used);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "connect")) {
		raw_connect(atoi(argv[2]));
		status();
	} else if (argc > 1 && !strcmp(argv[1], "status")) {
		status();
	} else if (argc > 2 && !strcmp(argv[1], "storm")) {
		return run_storm(atoi(argv[2]));
	} else if (argc > 2 && !strcmp(argv[1], "ownsigsys")) {
		return own_sigsys(atoi(argv[2]));
	} else if (argc > 2 && !strcmp(argv[1], "stack")) {
		return stack_use(atoi(argv[2]));
	} else if (argc > 2 && !strcmp(argv[1], "exec")) {
		char *env[] = { NULL };

		fflush(stdout);
		execve(argv[2], argv + 2, env);
		printf("exec: %s\n", strerrorname_np(errno));
		return 126;
	} else {
		fprintf(stderr, "usage: raw_prog connect|status|storm|"
			"ownsigsys|exec ...\n");
		return 2;
	}
	return 0;
}
