// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hands hooked calls bad pointers and lengths and prints what the program saw; run bare and traced, the outputs must match. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "calls.h"

/* @n bytes that end right where an unmapped page begins: reading one byte
 * more than the program handed over faults. */
static void *at_page_end(const void *data, size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + pg, pg, PROT_NONE))
		die("mmap");
	memcpy(p + pg - n, data, n);
	return p + pg - n;
}

static int tcp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	printf("# fd %d\n", fd);
	return fd;
}

static void b_connect(void)
{
	struct sockaddr_in a4 = sin4(9);
	struct sockaddr_storage odd = { .ss_family = 255 };

	CALL("connect-null", connect(tcp(), NULL, sizeof(a4)));
	CALL("connect-len0", connect(tcp(), (void *)&a4, 0));
	CALL("connect-len1", connect(tcp(), (void *)&a4, 1));
	CALL("connect-inet-short", connect(tcp(), (void *)&a4, 8));
	CALL("connect-family-255", connect(tcp(), (void *)&odd, 16));
	CALL("bind-null", bind(tcp(), NULL, 0));
	CALL("connect-huge-len", connect(tcp(), (void *)&a4, 1U << 30));
}

static void b_sockopt(void)
{
	int one = 1, v = 0;
	socklen_t len = sizeof(v);

	CALL("setsockopt-huge-int", setsockopt(tcp(), IPPROTO_TCP, TCP_NODELAY,
					       &one, 1U << 30));
	CALL("setsockopt-huge-ipopts", setsockopt(tcp(), IPPROTO_IP,
						  IP_OPTIONS, &one, 1U << 30));
	CALL("setsockopt-null-val", setsockopt(tcp(), SOL_SOCKET, SO_RCVBUF,
					       NULL, sizeof(int)));
	CALL("setsockopt-len0", setsockopt(tcp(), SOL_SOCKET, SO_RCVBUF, &one,
					   0));
	CALL("getsockopt-null-len", getsockopt(tcp(), SOL_SOCKET, SO_TYPE, &v,
					       NULL));
	CALL("getsockopt-null-val", getsockopt(tcp(), SOL_SOCKET, SO_TYPE,
					       NULL, &len));
	len = 0;
	CALL("getsockopt-len0", getsockopt(tcp(), SOL_SOCKET, SO_TYPE, &v,
					   &len));
	printf("len %u\n", len);
	len = 2;
	CALL("getsockopt-len2", getsockopt(tcp(), SOL_SOCKET, SO_TYPE, &v,
					   &len));
	printf("len %u\n", len);
}

static void b_accept_short(void)
{
	int l = tcp(), c = tcp(), c2 = tcp(), a;
	struct sockaddr_in a4 = sin4(0), peer;
	socklen_t len = 4;

	if (bind(l, (void *)&a4, sizeof(a4)) || listen(l, 2))
		die("listen");
	len = sizeof(a4);
	getsockname(l, (void *)&a4, &len);
	if (connect(c, (void *)&a4, sizeof(a4)) ||
	    connect(c2, (void *)&a4, sizeof(a4)))
		die("connect");
	len = 4;
	a = CALL("accept-short-len", accept(l, (void *)&peer, &len));
	printf("len %u\n", len);
	len = 4;
	CALL("accept-null-addr", accept(l, NULL, &len));
	(void)a;
}

/* An AF_UNIX address of 4 bytes with a length the kernel refuses
 * (more than a sockaddr_storage) without reading. */
static void g_connect(void)
{
	static const char sa[4] = { AF_UNIX, 0, 'a', 'b' };
	void *p = at_page_end(sa, sizeof(sa));

	CALL("connect-guard", connect(socket(AF_UNIX, SOCK_STREAM, 0), p,
				      1000));
}

static void g_sendto(void)
{
	static const char sa[4] = { AF_UNIX, 0, 'a', 'b' };
	void *p = at_page_end(sa, sizeof(sa));

	CALL("sendto-guard", sendto(socket(AF_UNIX, SOCK_DGRAM, 0), "x", 1, 0,
				    p, 1000));
}

/* "reno" with its NUL as the last bytes of a page; optlen larger than
 * that, which the kernel allows: it stops at the NUL. */
static void g_congestion(void)
{
	void *p = at_page_end("reno", 5);

	CALL("setsockopt-congestion-guard",
	     setsockopt(tcp(), IPPROTO_TCP, TCP_CONGESTION, p, 64));
}

/* The kernel reads at most IFNAMSIZ - 1 bytes of SO_BINDTODEVICE. */
static void g_bindtodevice(void)
{
	char name[15] = "lo";
	void *p = at_page_end(name, sizeof(name));

	CALL("setsockopt-bindtodevice-guard",
	     setsockopt(tcp(), SOL_SOCKET, SO_BINDTODEVICE, p, 64));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} scn[] = {
		{ "connect", b_connect },
		{ "sockopt", b_sockopt },
		{ "accept-short", b_accept_short },
		{ "guard-connect", g_connect },
		{ "guard-sendto", g_sendto },
		{ "guard-congestion", g_congestion },
		{ "guard-bindtodevice", g_bindtodevice },
	};

	for (size_t i = 0; argc > 1 && i < sizeof(scn) / sizeof(scn[0]); i++) {
		if (!strcmp(argv[1], scn[i].name)) {
			scn[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: calls_badargs SCENARIO\n");
	return 2;
}
