// SPDX-License-Identifier: LGPL-2.1-or-later
/* Every hooked call, failing and succeeding: ret, errno, h_errno, mask. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* errno before calls that should succeed: glibc leaves it alone. */
#define SENTINEL 4242

static sigset_t mask_before;
static int mask_changes;

static void pre(void)
{
	memset(&mask_before, 0, sizeof(mask_before));
	sigprocmask(SIG_SETMASK, NULL, &mask_before);
}

/* One line per call: what it returned and what errno it left. */
static void report(const char *what, long ret, int err)
{
	sigset_t now;

	memset(&now, 0, sizeof(now));
	sigprocmask(SIG_SETMASK, NULL, &now);
	if (memcmp(&now, &mask_before, sizeof(now)) != 0) {
		printf("MASK CHANGED by %s\n", what);
		mask_changes++;
	}
	printf("%s ret=%ld errno=%d\n", what, ret, err);
}

#define CALL(what, expr)                                                       \
	do {                                                                   \
		long r_;                                                       \
		pre();                                                         \
		errno = SENTINEL;                                              \
		r_ = (long)(expr);                                             \
		report(what, r_, errno);                                       \
	} while (0)

/* For calls returning a pointer or void: ret shows as 0. */
#define CALLV(what, stmt)                                                      \
	do {                                                                   \
		pre();                                                         \
		errno = SENTINEL;                                              \
		stmt;                                                          \
		report(what, 0, errno);                                        \
	} while (0)

static struct sockaddr_in lo4(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	getsockname(fd, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

static void failures(void)
{
	struct sockaddr_in a = lo4(0), b;
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST}, *res = NULL;
	struct msghdr mh = {0};
	char host[64], serv[16], byte = 'x';
	struct iovec iov = {&byte, 1};
	struct hostent *he;
	int one = 1, val, l, s, c, file, nb, sv[2];
	socklen_t len;

	file = open("/dev/null", O_RDONLY);
	CALL("socket.badfamily", socket(-1, SOCK_STREAM, 0));
	CALL("socket.badtype", socket(AF_INET, 12345, 0));
	CALL("socket.badproto", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	CALL("socketpair.inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	CALL("socketpair.badfd", socketpair(AF_UNIX, SOCK_STREAM, 0, NULL));
	CALL("bind.ebadf", bind(-1, (struct sockaddr *)&a, sizeof(a)));
	CALL("bind.enotsock", bind(file, (struct sockaddr *)&a, sizeof(a)));
	l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 8);
	b = lo4(port_of(l));
	s = socket(AF_INET, SOCK_STREAM, 0);
	CALL("bind.inuse", bind(s, (struct sockaddr *)&b, sizeof(b)));
	CALL("bind.shortlen", bind(s, (struct sockaddr *)&b, 1));
	CALL("bind.null", bind(s, NULL, sizeof(b)));
	CALL("listen.ebadf", listen(-1, 1));
	CALL("listen.enotsock", listen(file, 1));
	CALL("connect.ebadf", connect(-1, (struct sockaddr *)&b, sizeof(b)));
	CALL("connect.enotsock",
	     connect(file, (struct sockaddr *)&b, sizeof(b)));
	CALL("connect.shortlen", connect(s, (struct sockaddr *)&b, 4));
	/* The listener's port after it is closed: nobody is there. */
	close(l);
	CALL("connect.refused", connect(s, (struct sockaddr *)&b, sizeof(b)));
	CALL("accept.ebadf", accept(-1, NULL, NULL));
	CALL("accept.einval", accept(s, NULL, NULL));
	CALL("accept4.badflags", accept4(s, NULL, NULL, 0x7fffffff));
	nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	bind(nb, (struct sockaddr *)&a, sizeof(a));
	listen(nb, 1);
	CALL("accept.eagain", accept(nb, NULL, NULL));
	CALL("accept4.eagain", accept4(nb, NULL, NULL, SOCK_CLOEXEC));
	CALL("shutdown.enotconn", shutdown(nb, SHUT_RDWR));
	CALL("shutdown.einval", shutdown(nb, 99));
	CALL("shutdown.ebadf", shutdown(-1, SHUT_RD));
	CALL("setsockopt.badopt", setsockopt(nb, SOL_SOCKET, 9999, &one, 4));
	CALL("setsockopt.badlevel", setsockopt(nb, 9999, 1, &one, 4));
	CALL("setsockopt.ebadf",
	     setsockopt(-1, IPPROTO_TCP, TCP_NODELAY, &one, 4));
	CALL("setsockopt.shortlen",
	     setsockopt(nb, IPPROTO_TCP, TCP_NODELAY, &one, 1));
	len = sizeof(val);
	CALL("getsockopt.badopt", getsockopt(nb, SOL_SOCKET, 9999, &val, &len));
	len = sizeof(val);
	CALL("getsockopt.enotsock",
	     getsockopt(file, SOL_SOCKET, SO_TYPE, &val, &len));
	CALL("sendto.ebadf",
	     sendto(-1, "x", 1, 0, (struct sockaddr *)&b, sizeof(b)));
	CALL("sendto.epipe", sendto(s, "x", 1, MSG_NOSIGNAL, NULL, 0));
	c = socket(AF_INET, SOCK_STREAM, 0);
	CALL("sendto.fastopen", sendto(c, "x", 1, MSG_FASTOPEN | MSG_NOSIGNAL,
				       (struct sockaddr *)&b, sizeof(b)));
	close(c);
	mh.msg_name = &b;
	mh.msg_namelen = sizeof(b);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	CALL("sendmsg.ebadf", sendmsg(-1, &mh, 0));
	CALL("sendmsg.enotsock", sendmsg(file, &mh, 0));
	CALL("close.ebadf", close(-1));
	CALL("close.ebadf_high", close(4000));
	CALL("close_range.einval", close_range(10, 5, 0));
	CALL("close_range.badflags", close_range(900, 901, 0x40000000));
	CALL("dup.ebadf", dup(-1));
	CALL("dup2.ebadf", dup2(-1, 20));
	CALL("dup2.badnew", dup2(s, -5));
	CALL("dup3.same", dup3(s, s, 0));
	CALL("dup3.badflags", dup3(s, 21, 0x1234));
	CALL("fcntl.dupfd.ebadf", fcntl(-1, F_DUPFD, 0));
	CALL("fcntl.dupfd.einval", fcntl(s, F_DUPFD, -1));
	CALL("fcntl.getfl.ebadf", fcntl(-1, F_GETFL));
	CALL("fcntl64.dupfd.ebadf", fcntl64(-1, F_DUPFD_CLOEXEC, 0));
	CALL("getaddrinfo.noname",
	     getaddrinfo("not-a-number", "80", &hints, &res));
	CALL("getaddrinfo.badflags",
	     getaddrinfo("127.0.0.1", "80",
			 &(struct addrinfo){.ai_flags = 0x7fff0000}, &res));
	CALL("getaddrinfo.badservice",
	     getaddrinfo("127.0.0.1", "no-such-service-x",
			 &(struct addrinfo){.ai_flags = AI_NUMERICSERV}, &res));
	CALL("getaddrinfo.null", getaddrinfo(NULL, NULL, NULL, &res));
	CALL("getnameinfo.badlen",
	     getnameinfo((struct sockaddr *)&b, 3, host, sizeof(host), serv,
			 sizeof(serv), 0));
	CALL("getnameinfo.badflags",
	     getnameinfo((struct sockaddr *)&b, sizeof(b), NULL, 0, NULL, 0,
			 NI_NAMEREQD));
	h_errno = 0;
	CALLV("gethostbyname.invalid",
	      he = gethostbyname("nonexistent.invalid"));
	printf("  he=%d h_errno=%d\n", he != NULL, h_errno);
	h_errno = 0;
	CALLV("gethostbyname2.invalid",
	      he = gethostbyname2("nonexistent.invalid", AF_INET6));
	printf("  he=%d h_errno=%d\n", he != NULL, h_errno);
	h_errno = 0;
	CALLV("gethostbyname2.badfamily",
	      he = gethostbyname2("localhost", 12345));
	printf("  he=%d h_errno=%d\n", he != NULL, h_errno);
	close(s);
	close(nb);
	close(file);
}

static void successes(void)
{
	struct sockaddr_in a = lo4(0), b, peer;
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM},
			*res = NULL;
	struct msghdr mh = {0};
	char host[64], serv[16], byte = 'y';
	struct iovec iov = {&byte, 1};
	struct hostent *he;
	int one = 1, val, l, c, s, u, u2, sv[2], d, flags;
	socklen_t len;

	CALL("socket", l = socket(AF_INET, SOCK_STREAM, 0));
	CALL("setsockopt",
	     setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	CALL("bind", bind(l, (struct sockaddr *)&a, sizeof(a)));
	CALL("listen", listen(l, 8));
	b = lo4(port_of(l));
	CALL("socket.cloexec",
	     c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CALL("connect", connect(c, (struct sockaddr *)&b, sizeof(b)));
	len = sizeof(peer);
	CALL("accept", s = accept(l, (struct sockaddr *)&peer, &len));
	CALL("close.accepted", close(s));
	CALL("socket.2", c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
	CALL("connect.2", connect(c, (struct sockaddr *)&b, sizeof(b)));
	CALL("accept4",
	     s = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
	len = sizeof(val);
	CALL("getsockopt", getsockopt(s, SOL_SOCKET, SO_TYPE, &val, &len));
	CALL("setsockopt.nodelay",
	     setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, 4));
	CALL("shutdown", shutdown(c, SHUT_WR));
	CALL("dup", d = dup(s));
	CALL("dup2", dup2(s, 40));
	CALL("dup2.same", dup2(s, s));
	CALL("dup3", dup3(s, 41, O_CLOEXEC));
	CALL("fcntl.dupfd", fcntl(s, F_DUPFD, 50));
	CALL("fcntl.dupfd_cloexec", fcntl(s, F_DUPFD_CLOEXEC, 50));
	CALL("fcntl.getfl", flags = fcntl(s, F_GETFL));
	CALL("fcntl.setfl", fcntl(s, F_SETFL, flags));
	CALL("fcntl64.dupfd", fcntl64(s, F_DUPFD, 60));
	CALL("fcntl64.getfd", fcntl64(s, F_GETFD));
	CALL("close.dup", close(d));
	CALL("close_range", close_range(40, 41, 0));
	CALL("close_range.cloexec", close_range(50, 51, CLOSE_RANGE_CLOEXEC));
	CALL("close_range.none", close_range(300, 310, 0));
	CALLV("closefrom", closefrom(50));
	CALL("close.c", close(c));
	CALL("close.s", close(s));
	CALL("socket.udp", u = socket(AF_INET, SOCK_DGRAM, 0));
	CALL("bind.udp", bind(u, (struct sockaddr *)&a, sizeof(a)));
	b = lo4(port_of(u));
	CALL("socket.udp2", u2 = socket(AF_INET, SOCK_DGRAM, 0));
	CALL("sendto", sendto(u2, "z", 1, 0, (struct sockaddr *)&b, sizeof(b)));
	CALL("sendto.noaddr", sendto(u, "z", 1, MSG_DONTWAIT, NULL, 0) < 0);
	mh.msg_name = &b;
	mh.msg_namelen = sizeof(b);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	CALL("sendmsg", sendmsg(u2, &mh, 0));
	CALL("connect.udp", connect(u2, (struct sockaddr *)&b, sizeof(b)));
	CALL("connect.unspec", connect(u2,
				       (struct sockaddr *)&(struct sockaddr){
					   .sa_family = AF_UNSPEC},
				       sizeof(struct sockaddr)));
	CALL("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CALL("close.sv0", close(sv[0]));
	CALL("close.sv1", close(sv[1]));
	CALL("getaddrinfo", getaddrinfo("127.0.0.1", "80", &hints, &res));
	CALL("getnameinfo",
	     getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host),
			 serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV));
	CALLV("freeaddrinfo", freeaddrinfo(res));
	CALL("getaddrinfo.v6", getaddrinfo("::1", "443", &hints, &res));
	CALLV("freeaddrinfo.v6", freeaddrinfo(res));
	CALL("getaddrinfo.localhost",
	     getaddrinfo("localhost", NULL, NULL, &res));
	CALLV("freeaddrinfo.localhost", freeaddrinfo(res));
	h_errno = 0;
	CALLV("gethostbyname", he = gethostbyname("localhost"));
	printf("  he=%d h_errno=%d\n", he != NULL, h_errno);
	CALLV("gethostbyname2", he = gethostbyname2("127.0.0.1", AF_INET));
	printf("  he=%d h_errno=%d\n", he != NULL, h_errno);
	CALL("close.u", close(u));
	CALL("close.u2", close(u2));
	CALL("close.l", close(l));
	CALL("close.file", close(open("/dev/null", O_RDONLY)));
}

int main(void)
{
	sigset_t block;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* An unusual mask makes any save-and-restore mistake show. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, NULL);
	failures();
	successes();
	printf("mask changes: %d\n", mask_changes);
	return mask_changes ? 1 : 0;
}
