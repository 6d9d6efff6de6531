// SPDX-License-Identifier: LGPL-2.1-or-later
/* st_prog: the static suite's C program, built static (glibc), static-PIE,
 * dynamic and, by the suite, with musl, for netshim run's default front:
 *	st_prog privs		as the user it runs as: bind 127.0.0.1:80,
 *				SOCK_RAW, AF_PACKET, SO_MARK, SO_PRIORITY 7,
 *				IP_TRANSPARENT, SO_RCVBUFFORCE, rtnetlink
 *				RTM_NEWADDR on lo, and SO_PEERCRED both ways
 *				of a unix connection it makes to itself
 *	st_prog storm N		8 threads, N rounds each of socket, setsockopt,
 *				close, under a SIGALRM storm without
 *				SA_RESTART
 *	st_prog serve		listen on 127.0.0.1, block in accept until a
 *				signal ends it (default dispositions)
 *	st_prog blocked N	a worker thread that blocks every signal makes
 *				N rounds of socket, setsockopt, close
 *	st_prog loop N		N rounds of socket, setsockopt, close
 *	st_prog child PORT	its exe, its cmdline, then a connect to
 *				127.0.0.1:PORT (an exec'd child)
 *	st_prog self N		exec itself N times (argv[2] counts down), a
 *				socket in each image: the cost of each exec
 * Lines a run may change (pids) go to stderr; stdout is what bare and
 * traced runs must print alike. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred; built alone by musl-gcc */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
/* musl-gcc sees no kernel headers: its build has no rtnetlink part. */
#if __has_include(<linux/rtnetlink.h>)
#include <linux/rtnetlink.h>
#define HAVE_RTNETLINK 1
#endif

/* errno names of the calls this program makes; musl has no
 * strerrorname_np, and the output must not depend on the libc. */
static const char *ename(int e)
{
	static char num[16];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EEXIST: return "EEXIST";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ENOSYS: return "ENOSYS";
	}
	snprintf(num, sizeof(num), "%d", e);
	return num;
}

/* "LABEL ok" or "LABEL ERRNO": the program's own view of one call. */
static void say(const char *label, long ret)
{
	printf("%s %s\n", label, ret < 0 ? ename(errno) : "ok");
	fflush(stdout);
}

static void die(const char *what)
{
	printf("%s failed: %s\n", what, ename(errno));
	exit(1);
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return a;
}

static int sockopt(int level, int name, int value)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	r = setsockopt(fd, level, name, &value, sizeof(value));
	close(fd);
	return r;
}

#ifdef HAVE_RTNETLINK
/* RTM_NEWADDR 10.77.0.1/24 on lo, and the kernel's answer (an ack, or an
 * error: rtnetlink(7), netlink(7) NLMSG_ERROR). */
static long newaddr(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		struct rtattr rta;
		struct in_addr addr;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_NEWADDR,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				       NLM_F_CREATE | NLM_F_EXCL },
		.ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24,
			 .ifa_index = if_nametoindex("lo") },
		.rta = { .rta_len = RTA_LENGTH(sizeof(struct in_addr)),
			 .rta_type = IFA_LOCAL },
	};
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	long n;

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, "10.77.0.1", &req.addr);
	if (send(fd, &req, sizeof(req), 0) < 0) {
		close(fd);
		return -1;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (long)sizeof(*nh) || nh->nlmsg_type != NLMSG_ERROR)
		return -1;
	errno = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	return errno ? -1 : 0;
}
#else
static long newaddr(void)
{
	errno = ENOSYS;
	return -1;
}
#endif

static const char *who(pid_t pid, uid_t uid)
{
	static char s[64];

	snprintf(s, sizeof(s), "uid=%s pid=%s",
		 uid == getuid() ? "mine" : "other",
		 pid == getpid() ? "mine" : "other");
	return s;
}

/* A unix listener of its own, a connection to it: SO_PEERCRED of the
 * accepted end names the connecting process, of the connecting end the
 * process that called listen (unix(7)): both must be this one. */
static void peercred(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ucred cr;
	socklen_t len = sizeof(cr), alen;
	int l, c, s;

	/* Abstract name: nothing in the file system, nothing to clean. */
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
			 "netshim-st-%d", (int)getpid()));
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, alen) < 0 ||
	    listen(l, 1) < 0 || connect(c, (struct sockaddr *)&a, alen) < 0 ||
	    (s = accept(l, NULL, NULL)) < 0)
		die("unix");
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		die("SO_PEERCRED");
	printf("accepted peer %s\n", who(cr.pid, cr.uid));
	len = sizeof(cr);
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		die("SO_PEERCRED");
	printf("listener peer %s\n", who(cr.pid, cr.uid));
	fprintf(stderr, "pid %d uid %d peer pid %d uid %d\n", (int)getpid(),
		(int)getuid(), (int)cr.pid, (int)cr.uid);
	close(s);
	close(c);
	close(l);
}

static void privs(void)
{
	struct sockaddr_in a = loopback(80);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	say("bind80", bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	say("raw", fd);
	close(fd);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	say("packet", fd);
	close(fd);
	say("SO_MARK", sockopt(SOL_SOCKET, SO_MARK, 7));
	say("SO_PRIORITY7", sockopt(SOL_SOCKET, SO_PRIORITY, 7));
	say("IP_TRANSPARENT", sockopt(SOL_IP, IP_TRANSPARENT, 1));
	say("SO_RCVBUFFORCE", sockopt(SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20));
	say("RTM_NEWADDR", newaddr());
	peercred();
}

static int rounds, eintr, fails;
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* One round: socket, setsockopt, close; an EINTR is counted, never
 * retried, so that a front that lets one through shows. */
static void round1(void)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		__atomic_add_fetch(errno == EINTR ? &eintr : &fails, 1,
				   __ATOMIC_RELAXED);
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		__atomic_add_fetch(errno == EINTR ? &eintr : &fails, 1,
				   __ATOMIC_RELAXED);
	close(fd);
}

static void *worker(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < rounds; i++)
		round1();
	return NULL;
}

static void storm(void)
{
	/* No SA_RESTART: an interrupted call fails with EINTR. */
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	pthread_t t[8];
	int i;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			die("pthread_create");
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	setitimer(ITIMER_REAL, &off, NULL);
	printf("calls %d eintr %d fails %d alarms %s\n", 8 * rounds * 2,
	       eintr, fails, alarms ? "some" : "none");
}

static void *blocked_worker(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	worker(NULL);
	return NULL;
}

static void blocked(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, blocked_worker, NULL))
		die("pthread_create");
	pthread_join(t, NULL);
	printf("worker done %d fails %d\n", rounds, fails + eintr);
}

static void serve(void)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l, 8) < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0)
		die("listener");
	printf("listening %d pid %d\n", ntohs(a.sin_port), (int)getpid());
	fflush(stdout);
	/* Until a signal ends it; bounded by the suite's timeout(1). */
	for (;;) {
		c = accept(l, NULL, NULL);
		if (c >= 0)
			close(c);
		else if (errno != EINTR)
			die("accept");
	}
}

static void child(int port)
{
	struct sockaddr_in a = loopback(port);
	char exe[512] = "", cl[512];
	ssize_t n;
	FILE *f;
	size_t i, m = 0;
	int fd;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	f = fopen("/proc/self/cmdline", "r");
	if (f) {
		m = fread(cl, 1, sizeof(cl) - 1, f);
		fclose(f);
	}
	for (i = 0; i + 1 < m; i++)
		if (!cl[i])
			cl[i] = ' ';
	cl[m] = 0;
	printf("c child exe=%s cmdline=%s\n", exe, cl);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	say("c child connect", connect(fd, (struct sockaddr *)&a, sizeof(a)));
	fprintf(stderr, "pid %d\n", (int)getpid());
	close(fd);
}

static void self(char **argv)
{
	int n = atoi(argv[2]);
	char num[16];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	close(fd);
	if (n <= 0) {
		printf("self done\n");
		return;
	}
	snprintf(num, sizeof(num), "%d", n - 1);
	argv[2] = num;
	execv("/proc/self/exe", argv);
	die("execv");
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 0;

	rounds = n;
	if (!strcmp(m, "privs"))
		privs();
	else if (!strcmp(m, "storm"))
		storm();
	else if (!strcmp(m, "serve"))
		serve();
	else if (!strcmp(m, "blocked"))
		blocked();
	else if (!strcmp(m, "loop")) {
		worker(NULL);
		printf("loop %d fails %d\n", n, fails + eintr);
	} else if (!strcmp(m, "child") && argc > 2)
		child(n);
	else if (!strcmp(m, "self") && argc > 2)
		self(argv);
	else {
		fprintf(stderr, "usage: st_prog privs|storm N|serve|blocked N"
			"|loop N|child PORT|self N\n");
		return 2;
	}
	return 0;
}
