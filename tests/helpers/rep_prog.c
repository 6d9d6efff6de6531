// SPDX-License-Identifier: LGPL-2.1-or-later
/* The report suite's C program: the socket stories netshim report explains.
 *
 *   rep_prog tfo-listen    an MPTCP listener on 127.0.0.1 that sets
 *                          TCP_FASTOPEN after listen, as a Go 1.24 server
 *                          does; exits 1 when the option is refused
 *   rep_prog mapped PORT   an AF_INET6 socket connected to
 *                          [::ffff:127.0.0.1]:PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int tfo_listen(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), one = 1, q = 5;

	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 16)) {
		printf("bind/listen: %s\n", strerror(errno));
		return 1;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &q, sizeof(q))) {
		printf("tfo: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	printf("listening\n");
	close(fd);
	return 0;
}

static int mapped(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	sa.sin6_port = htons((unsigned short)atoi(port));
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &sa.sin6_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	printf("connected\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "tfo-listen"))
		return tfo_listen();
	if (argc == 3 && !strcmp(argv[1], "mapped"))
		return mapped(argv[2]);
	fprintf(stderr, "usage: rep_prog tfo-listen | mapped PORT\n");
	return 2;
}
