// SPDX-License-Identifier: LGPL-2.1-or-later
/* The seccomp front's C program, built both static and dynamic:
 *
 *   sc_prog calls    one of each traced call on loopback, errors included
 *   sc_prog fork     a socket in the parent, one in a child, one in a thread
 *   sc_prog block    a thread blocks in accept while another makes, binds
 *                    and connects sockets, then wakes the first
 *   sc_prog wait     "ready", then a socket() once a line comes on stdin
 *   sc_prog tfo      setsockopt(TCP_FASTOPEN), then reads it back
 *   sc_prog unreach  a non-blocking connect to 127.0.0.1:1: ECONNREFUSED,
 *                    or ENETUNREACH in a namespace whose lo is down
 *   sc_prog netns    a socket, then unreach in a network namespace of its
 *                    own
 *   sc_prog privs    bind to 127.0.0.1:80, then who the peer of a
 *                    socketpair is (SO_PEERCRED): run it as another user
 *
 * Each call prints the program's own view of it (tests/helpers/calls.h). */
#include "calls.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return a;
}

/* A listener on 127.0.0.1 at a port the kernel picks. */
static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	*a = loopback(0);
	if (l < 0 || bind(l, (struct sockaddr *)a, sizeof(*a)) < 0 ||
	    listen(l, 8) < 0 || getsockname(l, (struct sockaddr *)a, &len) < 0)
		die("listener");
	return l;
}

static void calls(void)
{
	struct sockaddr_in a, peer;
	socklen_t plen = sizeof(peer), vlen;
	int one = 1, v = 0, sv[2], l, c, s, u;

	l = (int)CALL("socket", socket(AF_INET, SOCK_STREAM, 0));
	CALL("setsockopt", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one,
				      sizeof(one)));
	a = loopback(0);
	CALL("bind", bind(l, (struct sockaddr *)&a, sizeof(a)));
	CALL("listen", listen(l, 8));
	vlen = sizeof(a);
	getsockname(l, (struct sockaddr *)&a, &vlen);
	c = (int)CALL("socket", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
				       IPPROTO_TCP));
	CALL("connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = (int)CALL("accept", accept(l, (struct sockaddr *)&peer, &plen));
	printf("peer family=%d len=%u\n", peer.sin_family, (unsigned)plen);
	vlen = sizeof(v);
	CALL("getsockopt", getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vlen));
	printf("value=%d len=%u\n", v, (unsigned)vlen);
	CALL("setsockopt", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
				      sizeof(one)));
	vlen = sizeof(v);
	CALL("getsockopt", getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vlen));
	printf("value=%d len=%u\n", v, (unsigned)vlen);
	/* The kernel's own refusals, with the kernel's errno. */
	CALL("setsockopt", setsockopt(c, IPPROTO_TCP, 9999, &one,
				      sizeof(one)));
	CALL("connect", connect(12345, (struct sockaddr *)&a, sizeof(a)));
	CALL("listen", listen(1, 8));
	CALL("bind", bind(c, (struct sockaddr *)&a, sizeof(a)));
	CALL("socket", socket(AF_INET, SOCK_STREAM, 12345));
	CALL("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	printf("pair %d %d\n", sv[0], sv[1]);
	u = (int)CALL("socket", socket(AF_INET, SOCK_DGRAM, 0));
	CALL("sendto", sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	{
		struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
		struct msghdr m = { .msg_name = &a, .msg_namelen = sizeof(a),
				    .msg_iov = iov, .msg_iovlen = 2 };

		CALL("sendmsg", sendmsg(u, &m, 0));
		/* No destination: not traced by either front. */
		CALL("connect", connect(u, (struct sockaddr *)&a, sizeof(a)));
		m.msg_name = NULL;
		m.msg_namelen = 0;
		CALL("sendmsg", sendmsg(u, &m, 0));
	}
	/* accept4 on a non-blocking listener with nothing waiting. */
	l = (int)CALL("socket", socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
				       0));
	a = loopback(0);
	CALL("bind", bind(l, (struct sockaddr *)&a, sizeof(a)));
	CALL("listen", listen(l, 8));
	CALL("accept4", accept4(l, NULL, NULL, SOCK_CLOEXEC));
	CALL("write", write(s, "hi", 2));
	CALL("read", read(c, &v, 2));
}

static void *thread_socket(void *arg)
{
	(void)arg;
	CALL("thread socket", socket(AF_INET6, SOCK_DGRAM, 0));
	return NULL;
}

static void forks(void)
{
	pthread_t th;
	pid_t pid;
	int status;

	CALL("parent socket", socket(AF_INET, SOCK_DGRAM, 0));
	pid = fork();
	if (pid == 0) {
		CALL("child socket", socket(AF_INET, SOCK_STREAM, 0));
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("child pid=%d\n", (int)pid);
	pthread_create(&th, NULL, thread_socket, NULL);
	pthread_join(th, NULL);
}

static struct sockaddr_in blocked_at;

static void *blocked_accept(void *arg)
{
	int l = *(int *)arg;

	CALL("blocked accept", accept(l, NULL, NULL));
	return NULL;
}

static void block(void)
{
	struct sockaddr_in b;
	pthread_t th;
	int l = listener(&blocked_at), l2, c;

	pthread_create(&th, NULL, blocked_accept, &l);
	usleep(100000);	/* the other thread is (most likely) waiting */
	l2 = listener(&b);
	c = (int)CALL("socket", socket(AF_INET, SOCK_STREAM, 0));
	CALL("connect", connect(c, (struct sockaddr *)&b, sizeof(b)));
	CALL("accept", accept(l2, NULL, NULL));
	c = (int)CALL("socket", socket(AF_INET, SOCK_STREAM, 0));
	CALL("wake", connect(c, (struct sockaddr *)&blocked_at,
			     sizeof(blocked_at)));
	pthread_join(th, NULL);
}

static void wait_line(void)
{
	char line[16];

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return;
	CALL("socket", socket(AF_INET, SOCK_STREAM, 0));
}

static void tfo(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), qlen = 5, v = -1;
	socklen_t vlen = sizeof(v);

	CALL("setsockopt", setsockopt(c, IPPROTO_TCP, TCP_FASTOPEN, &qlen,
				      sizeof(qlen)));
	getsockopt(c, IPPROTO_TCP, TCP_FASTOPEN, &v, &vlen);
	printf("TCP_FASTOPEN=%d\n", v);
}

static void unreach(void)
{
	struct sockaddr_in a = loopback(1);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	CALL("connect", connect(fd, (struct sockaddr *)&a, sizeof(a)));
}

static void privs(void)
{
	struct sockaddr_in a = loopback(80);
	int fd = socket(AF_INET, SOCK_STREAM, 0), sv[2];
	socklen_t len = sizeof(struct ucred);
	struct ucred cr;

	CALL("bind80", bind(fd, (struct sockaddr *)&a, sizeof(a)));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		die("SO_PEERCRED");
	printf("peer uid=%s pid=%s\n", cr.uid == getuid() ? "mine" : "other",
	       cr.pid == getpid() ? "mine" : "other");
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "calls"))
		calls();
	else if (!strcmp(m, "fork"))
		forks();
	else if (!strcmp(m, "block"))
		block();
	else if (!strcmp(m, "wait"))
		wait_line();
	else if (!strcmp(m, "tfo"))
		tfo();
	else if (!strcmp(m, "unreach"))
		unreach();
	else if (!strcmp(m, "privs"))
		privs();
	else if (!strcmp(m, "netns")) {
		/* Seen by netshim before the move. */
		close((int)CALL("socket", socket(AF_UNIX, SOCK_DGRAM, 0)));
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare");
		unreach();
	}
	else
		return 2;
	return 0;
}
