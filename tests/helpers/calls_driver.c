// SPDX-License-Identifier: LGPL-2.1-or-later
/* Drives each hooked call through success and failure on loopback sockets and prints what the program itself saw. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "calls.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* A fact the test needs (a port, a path) that may differ between runs. */
static void info(const char *key, long v)
{
	printf("# %s %ld\n", key, v);
	fflush(stdout);
}

static struct sockaddr_in6 sin6(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	return a;
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	return ntohs(ss.ss_family == AF_INET6
			     ? ((struct sockaddr_in6 *)&ss)->sin6_port
			     : ((struct sockaddr_in *)&ss)->sin_port);
}

/* A bound socket on a free loopback port; listening when @backlog >= 0.
 * These set-up calls are traced too; tests look at later events. */
static int bound(int family, int type, int backlog)
{
	struct sockaddr_in a4 = sin4(0);
	struct sockaddr_in6 a6 = sin6(0);
	int fd = socket(family, type, 0);

	if (fd < 0)
		die("socket");
	if (family == AF_INET6 ? bind(fd, (void *)&a6, sizeof(a6))
			       : bind(fd, (void *)&a4, sizeof(a4)))
		die("bind");
	if (backlog >= 0 && listen(fd, backlog))
		die("listen");
	return fd;
}

static struct sockaddr_un sun_path(const char *name, socklen_t *len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *dir = getenv("CALLS_DIR");

	if (!dir)
		dir = "/tmp";
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, name);
	*len = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
	return a;
}

static void s_socket(void)
{
	CALL("socket-inet-stream", socket(AF_INET, SOCK_STREAM, 0));
	CALL("socket-inet6-dgram-cloexec",
	     socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	CALL("socket-unix-seqpacket", socket(AF_UNIX, SOCK_SEQPACKET, 0));
	CALL("socket-bogus-family", socket(200, SOCK_STREAM, 0));
	CALL("socket-tcp-as-udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
}

static void s_socketpair(void)
{
	int sv[2] = { -1, -1 };

	CALL("socketpair-unix", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	printf("fds %d %d\n", sv[0], sv[1]);
	CALL("shutdown-pair", shutdown(sv[0], SHUT_RDWR));
	CALL("socketpair-inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

static void s_connect(void)
{
	int l = bound(AF_INET, SOCK_STREAM, 4);
	int closed = bound(AF_INET6, SOCK_STREAM, -1);	/* bound, no listen */
	struct sockaddr_in a4 = sin4(port_of(l));
	struct sockaddr_in6 a6 = sin6(port_of(closed));
	struct sockaddr_un un;
	socklen_t unlen;
	int c, u;

	info("port4", port_of(l));
	info("port6", port_of(closed));
	c = socket(AF_INET, SOCK_STREAM, 0);
	info("fd-ok", c);
	CALL("connect-ok", connect(c, (void *)&a4, sizeof(a4)));
	c = socket(AF_INET6, SOCK_STREAM, 0);
	info("fd-refused", c);
	CALL("connect-refused", connect(c, (void *)&a6, sizeof(a6)));

	un = sun_path("listener", &unlen);
	unlink(un.sun_path);
	u = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(u, (void *)&un, unlen) || listen(u, 4))
		die("unix listener");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CALL("connect-unix-ok", connect(c, (void *)&un, unlen));
	un = sun_path("missing", &unlen);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CALL("connect-unix-missing", connect(c, (void *)&un, unlen));
}

static void s_bind(void)
{
	int l = bound(AF_INET, SOCK_STREAM, 4);
	struct sockaddr_in a4 = sin4(0);
	struct sockaddr_un un, ab = { .sun_family = AF_UNIX };
	socklen_t unlen, ablen;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	info("fd-ok", fd);
	CALL("bind-ok", bind(fd, (void *)&a4, sizeof(a4)));
	info("port-ok", port_of(fd));
	a4 = sin4(port_of(l));
	info("port-used", port_of(l));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CALL("bind-in-use", bind(fd, (void *)&a4, sizeof(a4)));

	un = sun_path("bound", &unlen);
	unlink(un.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CALL("bind-unix-ok", bind(fd, (void *)&un, unlen));
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CALL("bind-unix-in-use", bind(fd, (void *)&un, unlen));

	/* Abstract: a leading NUL, the name is every byte after it. */
	ablen = offsetof(struct sockaddr_un, sun_path) + 1 +
		snprintf(ab.sun_path + 1, sizeof(ab.sun_path) - 1,
			 "netshim-calls-%ld", (long)getpid());
	info("abstract-pid", getpid());
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CALL("bind-abstract", bind(fd, (void *)&ab, ablen));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CALL("bind-unnamed", bind(fd, (void *)&ab, sizeof(sa_family_t)));
}

static void s_listen(void)
{
	int t = bound(AF_INET, SOCK_STREAM, -1);
	int u = bound(AF_INET, SOCK_DGRAM, -1);

	info("fd-tcp", t);
	info("fd-udp", u);
	CALL("listen-ok", listen(t, 7));
	CALL("listen-udp", listen(u, 3));
}

static void s_accept(void)
{
	int l = bound(AF_INET, SOCK_STREAM, 4);
	int nb = bound(AF_INET, SOCK_STREAM, 4);
	int plain = bound(AF_INET, SOCK_STREAM, -1);
	struct sockaddr_in a4 = sin4(port_of(l)), peer;
	socklen_t len = sizeof(peer);
	int c1 = socket(AF_INET, SOCK_STREAM, 0);
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	int a;

	if (connect(c1, (void *)&a4, sizeof(a4)) ||
	    connect(c2, (void *)&a4, sizeof(a4)))
		die("connect");
	info("fd-listener", l);
	info("client-port", port_of(c1));
	a = CALL("accept-ok", accept(l, (void *)&peer, &len));
	printf("peer-len %u\n", len);
	CALL("shutdown-accepted", shutdown(a, SHUT_WR));
	CALL("accept-null", accept(l, NULL, NULL));
	CALL("accept-not-listening", accept(plain, NULL, NULL));
	fcntl(nb, F_SETFL, O_NONBLOCK);
	CALL("accept-empty-nonblocking", accept(nb, NULL, NULL));
}

static void s_accept4(void)
{
	int l = bound(AF_INET6, SOCK_STREAM, 4);
	struct sockaddr_in6 a6 = sin6(port_of(l)), peer;
	socklen_t len = sizeof(peer);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	int a;

	if (connect(c, (void *)&a6, sizeof(a6)))
		die("connect");
	info("fd-listener", l);
	info("client-port", port_of(c));
	a = CALL("accept4-ok",
		 accept4(l, (void *)&peer, &len, SOCK_CLOEXEC));
	CALL("accept4-cloexec-set", fcntl(a, F_GETFD) & FD_CLOEXEC);
	CALL("accept4-bad-flags", accept4(l, NULL, NULL, 0x1));
}

static void s_shutdown(void)
{
	int sv[2];
	int t = socket(AF_INET, SOCK_STREAM, 0);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	info("fd-pair", sv[0]);
	info("fd-tcp", t);
	CALL("shutdown-ok", shutdown(sv[0], SHUT_WR));
	CALL("shutdown-not-connected", shutdown(t, SHUT_RD));
	CALL("shutdown-bad-how", shutdown(sv[0], 7));
}

static void s_setsockopt(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	info("fd", t);
	CALL("setsockopt-nodelay", setsockopt(t, IPPROTO_TCP, TCP_NODELAY,
					      &one, sizeof(one)));
	CALL("setsockopt-bad-level", setsockopt(t, 12345, 1, &one,
						sizeof(one)));
	CALL("setsockopt-congestion", setsockopt(t, IPPROTO_TCP,
						 TCP_CONGESTION, "reno", 4));
	CALL("setsockopt-short", setsockopt(t, SOL_SOCKET, SO_RCVBUF, &one,
					    2));
}

static void s_getsockopt(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), v = -1;
	socklen_t len = sizeof(v);
	char cc[32] = "";

	info("fd", t);
	CALL("getsockopt-type", getsockopt(t, SOL_SOCKET, SO_TYPE, &v, &len));
	printf("value %d len %u\n", v, len);
	len = sizeof(cc);
	CALL("getsockopt-congestion", getsockopt(t, IPPROTO_TCP,
						 TCP_CONGESTION, cc, &len));
	printf("value %s\n", cc);
	len = sizeof(v);
	CALL("getsockopt-bad-option", getsockopt(t, SOL_SOCKET, 9999, &v,
						 &len));
}

static void s_sendto(void)
{
	int r = bound(AF_INET, SOCK_DGRAM, -1);
	int l = bound(AF_INET, SOCK_STREAM, 4);
	int closed = bound(AF_INET, SOCK_STREAM, -1);
	struct sockaddr_in to = sin4(port_of(r));
	struct sockaddr_in6 to6 = sin6(port_of(r));
	struct sockaddr_in tl = sin4(port_of(l)), tc = sin4(port_of(closed));
	int u = socket(AF_INET, SOCK_DGRAM, 0), t, c;

	info("port-udp", port_of(r));
	info("port-listener", port_of(l));
	info("port-closed", port_of(closed));
	info("fd-udp", u);
	CALL("sendto-udp", sendto(u, "hello", 5, 0, (void *)&to, sizeof(to)));
	CALL("sendto-udp-v6-addr", sendto(u, "x", 1, 0, (void *)&to6,
					  sizeof(to6)));
	connect(u, (void *)&to, sizeof(to));
	CALL("sendto-no-dest", sendto(u, "plain", 5, 0, NULL, 0));
	CALL("send-no-dest", send(u, "plain", 5, 0));
	t = socket(AF_INET, SOCK_STREAM, 0);
	info("fd-tfo", t);
	CALL("sendto-fastopen", sendto(t, "tfo", 3, MSG_FASTOPEN | MSG_NOSIGNAL,
				       (void *)&tl, sizeof(tl)));
	c = accept(l, NULL, NULL);
	CALL("sendto-fastopen-again", sendto(t, "more", 4, MSG_FASTOPEN,
					     NULL, 0));
	close(c);
	t = socket(AF_INET, SOCK_STREAM, 0);
	CALL("sendto-fastopen-refused", sendto(t, "tfo", 3, MSG_FASTOPEN,
					       (void *)&tc, sizeof(tc)));
}

static void s_sendmsg(void)
{
	int r = bound(AF_INET, SOCK_DGRAM, -1);
	struct sockaddr_in to = sin4(port_of(r));
	struct iovec iov[2] = { { "abc", 3 }, { "defg", 4 } };
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof(to),
			    .msg_iov = iov, .msg_iovlen = 2 };
	struct sockaddr_un un;
	socklen_t unlen;
	int u = socket(AF_INET, SOCK_DGRAM, 0), x;

	info("port-udp", port_of(r));
	info("fd-udp", u);
	CALL("sendmsg-udp", sendmsg(u, &m, 0));
	m.msg_namelen = 4;
	CALL("sendmsg-short-name", sendmsg(u, &m, 0));
	connect(u, (void *)&to, sizeof(to));
	m.msg_name = NULL;
	m.msg_namelen = 0;
	CALL("sendmsg-no-dest", sendmsg(u, &m, 0));
	un = sun_path("missing", &unlen);
	m.msg_name = &un;
	m.msg_namelen = unlen;
	x = socket(AF_UNIX, SOCK_DGRAM, 0);
	info("fd-unix", x);
	CALL("sendmsg-unix-missing", sendmsg(x, &m, 0));
}

static void s_close(void)
{
	int p[2], s = socket(AF_INET, SOCK_STREAM, 0), t;

	info("fd-sock", s);
	CALL("close-ok", close(s));
	CALL("close-bad-fd", close(999));
	CALL("close-again", close(s));
	t = socket(AF_INET6, SOCK_DGRAM, 0);
	info("fd-stale", t);
	syscall(SYS_close, t);	/* libc closes it behind our back */
	CALL("close-stale", close(t));
	if (pipe(p))
		die("pipe");
	info("fd-pipe", p[0]);
	CALL("dup-pipe", dup(p[0]));
	CALL("fcntl-dupfd-pipe", fcntl(p[0], F_DUPFD, 0));
	CALL("close-pipe", close(p[0]));
	s = socket(AF_INET, SOCK_STREAM, 0);
	CALL("fcntl-getfl-sock", fcntl(s, F_GETFL) & O_ACCMODE);
	CALL("fcntl-setfd-sock", fcntl(s, F_SETFD, FD_CLOEXEC));
}

/* After a range is closed, a raw socket of another kind on the first
 * number must show up as what it is, not as what the table had. */
static void reuse_raw(const char *label, int want)
{
	int r = (int)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);

	printf("%s raw=%d want=%d\n", label, r, want);
	CALL("shutdown-reused", shutdown(r, SHUT_RDWR));
}

static void s_close_range(void)
{
	int a = socket(AF_INET, SOCK_STREAM, 0);
	int b = socket(AF_INET, SOCK_STREAM, 0);

	info("fd-first", a);
	info("fd-last", b);
	CALL("close_range-bad-order", close_range(b, a, 0));
	CALL("close_range-bad-flags", close_range(a, b, 0x80));
	CALL("close_range-cloexec", close_range(a, a, CLOSE_RANGE_CLOEXEC));
	CALL("close_range-ok", close_range(a, b, 0));
	CALL("getfd-first", fcntl(a, F_GETFD));
	reuse_raw("reuse", a);
}

static void s_closefrom(void)
{
	int a = socket(AF_INET, SOCK_STREAM, 0);

	socket(AF_INET, SOCK_STREAM, 0);
	info("fd-low", a);
	errno = SENTINEL;
	closefrom(a);
	say("closefrom", 0, errno);
	CALL("getfd-low", fcntl(a, F_GETFD));
	reuse_raw("reuse", a);
}

static void s_dup(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int st = socket(AF_INET6, SOCK_STREAM, 0);
	int d;

	info("fd-tcp", s);
	info("fd-udp", u);
	info("fd-stale", st);
	d = CALL("dup-ok", dup(s));
	CALL("listen-dup", listen(d, 1));
	CALL("close-dup", close(d));
	CALL("dup2-ok", dup2(s, 40));
	CALL("dup2-bad-newfd", dup2(s, -1));
	CALL("dup2-same", dup2(s, s));
	CALL("dup3-ok", dup3(s, 41, O_CLOEXEC));
	CALL("dup3-same", dup3(s, s, 0));
	CALL("dup3-bad-flags", dup3(s, 42, 0x1));
	CALL("fcntl-dupfd-ok", fcntl(s, F_DUPFD, 50));
	CALL("fcntl-dupfd-cloexec-ok", fcntl(s, F_DUPFD_CLOEXEC, 60));
	CALL("fcntl-dupfd-bad-arg", fcntl(s, F_DUPFD, -1));
	/* dup2 over a known socket: the number is now the UDP socket. */
	CALL("dup2-over-socket", dup2(u, 40));
	CALL("shutdown-40", shutdown(40, SHUT_RDWR));
	syscall(SYS_close, st);
	CALL("dup-stale", dup(st));
	CALL("dup2-stale", dup2(st, 43));
	CALL("dup3-stale", dup3(st, 43, 0));
	CALL("fcntl-stale", fcntl(st, F_DUPFD, 0));
}

static void s_stale(void)
{
	char path[300];
	int s = socket(AF_INET, SOCK_STREAM, 0), u, f;

	info("fd-reused", s);
	syscall(SYS_close, s);
	u = CALL("socket-reuse", socket(AF_UNIX, SOCK_DGRAM, 0));
	CALL("shutdown-reused", shutdown(u, SHUT_RDWR));
	s = socket(AF_INET, SOCK_STREAM, 0);
	info("fd-file", s);
	syscall(SYS_close, s);
	snprintf(path, sizeof(path), "%s/regular",
		 getenv("CALLS_DIR") ? getenv("CALLS_DIR") : "/tmp");
	f = CALL("open-file", open(path, O_RDWR | O_CREAT, 0600));
	CALL("setsockopt-file", setsockopt(f, SOL_SOCKET, SO_KEEPALIVE,
					   &(int){ 1 }, sizeof(int)));
	CALL("close-file", close(f));
	s = (int)syscall(SYS_socket, AF_INET6, SOCK_STREAM, 0);
	info("fd-raw", s);
	CALL("listen-raw", listen(s, 2));
}

/* exec: a socket made before exec without CLOEXEC is used after it. */
static void s_exec(const char *self)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char fd[16];

	info("fd-inherited", s);
	snprintf(fd, sizeof(fd), "%d", s);
	fflush(stdout);
	execl(self, self, "exec-child", fd, (char *)NULL);
	die("exec");
}

static void s_exec_child(int fd)
{
	struct sockaddr_in a4 = sin4(0);

	CALL("bind-inherited", bind(fd, (void *)&a4, sizeof(a4)));
}

/* Deep stacks with long names, for backtraces over the line limit. */
#define LONG_NAME \
	deep_recursion_with_a_deliberately_long_function_name_so_that_thirty_two_frames_pass_four_kilobytes
__attribute__((noinline, visibility("default"))) int LONG_NAME(int n)
{
	int (*volatile self)(int) = LONG_NAME;	/* no loop, real frames */

	if (n > 0)
		return self(n - 1) + 1;
	return (int)CALL("socket-deep", socket(AF_INET, SOCK_STREAM, 0));
}

__attribute__((noinline, visibility("default"))) void
calls_driver_bt_caller(void)
{
	CALL("socket-bt", socket(AF_INET, SOCK_DGRAM, 0));
}

/* The same stack three times: the second and third come from netshim's
 * cache of frame names, not from a walk that names them. */
static __attribute__((noinline)) void bt_three(void)
{
	/* volatile: one call site, neither unrolled nor a tail call */
	for (volatile int i = 0; i < 3; i++)
		calls_driver_bt_caller();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} scn[] = {
		{ "socket", s_socket },		{ "socketpair", s_socketpair },
		{ "connect", s_connect },	{ "bind", s_bind },
		{ "listen", s_listen },		{ "accept", s_accept },
		{ "accept4", s_accept4 },	{ "shutdown", s_shutdown },
		{ "setsockopt", s_setsockopt }, { "getsockopt", s_getsockopt },
		{ "sendto", s_sendto },		{ "sendmsg", s_sendmsg },
		{ "close", s_close },
		{ "close_range", s_close_range },
		{ "closefrom", s_closefrom },	{ "dup", s_dup },
		{ "stale", s_stale },
		{ "bt", calls_driver_bt_caller },
		{ "bt3", bt_three },
	};

	if (argc < 2) {
		fprintf(stderr, "usage: calls_driver SCENARIO [ARG]\n");
		return 2;
	}
	if (!strcmp(argv[1], "exec")) {
		s_exec(argv[0]);
		return 0;
	}
	if (!strcmp(argv[1], "exec-child") && argc > 2) {
		s_exec_child(atoi(argv[2]));
		return 0;
	}
	if (!strcmp(argv[1], "deep")) {
		LONG_NAME(argc > 2 ? atoi(argv[2]) : 40);
		return 0;
	}
	for (size_t i = 0; i < sizeof(scn) / sizeof(scn[0]); i++) {
		if (!strcmp(argv[1], scn[i].name)) {
			scn[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "calls_driver: unknown scenario %s\n", argv[1]);
	return 2;
}
