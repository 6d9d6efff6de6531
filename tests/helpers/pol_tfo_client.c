// SPDX-License-Identifier: LGPL-2.1-or-later
/* A TCP Fast Open client: MSG_FASTOPEN sends, or TCP_FASTOPEN_CONNECT. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EINPROGRESS:
		return "EINPROGRESS";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EINVAL:
		return "EINVAL";
	case ENOPROTOOPT:
		return "ENOPROTOOPT";
	case EISCONN:
		return "EISCONN";
	case EALREADY:
		return "EALREADY";
	case EAGAIN:
		return "EAGAIN";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EPIPE:
		return "EPIPE";
	case ENOTCONN:
		return "ENOTCONN";
	default:
		return strerror(e);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pol_tfo_client [-n] [-c] sendto|sendmsg|connect "
		"HOST PORT DATA\n"
		"  -n  non-blocking socket\n"
		"  -c  setsockopt(TCP_FASTOPEN_CONNECT, 1) first\n");
	exit(2);
}

/* Waits until @fd can be written (the handshake is done) or fails. */
static int wait_connected(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);

	if (poll(&p, 1, 10000) != 1) {
		fprintf(stderr, "pol_tfo_client: no connection in 10s\n");
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		fprintf(stderr, "pol_tfo_client: connect: %s\n", errname(err));
		return -1;
	}
	printf("connected\n");
	return 0;
}

static int send_rest(int fd, const char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = send(fd, data + done, len - done, MSG_NOSIGNAL);

		if (r < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 10000) != 1)
				return -1;
			continue;
		}
		if (r < 0) {
			printf("send=-1 errno=%s\n", errname(errno));
			return -1;
		}
		done += (size_t)r;
	}
	printf("send=%zu\n", len);
	return 0;
}

/* Reads the server's answer until it closes; bounded by poll timeouts. */
static int read_reply(int fd)
{
	char buf[512];
	size_t have = 0;

	for (int rounds = 0; rounds < 100 && have < sizeof(buf) - 1; rounds++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 10000) != 1)
			break;
		r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	buf[have] = '\0';
	printf("reply=%s\n", buf);
	return have ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	bool nonblock = false, tfo_connect = false;
	const char *mode, *data;
	size_t len;
	ssize_t r;
	int opt, fd, one = 1, val = -1;
	socklen_t vlen = sizeof(val);

	while ((opt = getopt(argc, argv, "nc")) != -1) {
		if (opt == 'n')
			nonblock = true;
		else if (opt == 'c')
			tfo_connect = true;
		else
			usage();
	}
	if (argc - optind != 4)
		usage();
	mode = argv[optind];
	data = argv[optind + 3];
	len = strlen(data);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind + 1], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(argv[optind + 2]));
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[optind + 1], &sin6->sin6_addr) ==
		   1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)atoi(argv[optind + 2]));
		sslen = sizeof(*sin6);
	} else {
		usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = socket(ss.ss_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
		    0);
	if (fd < 0) {
		perror("pol_tfo_client: socket");
		return 1;
	}
	if (tfo_connect) {
		r = setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
			       sizeof(one));
		printf("setsockopt=%zd errno=%s\n", r, errname(r ? errno : 0));
		if (r < 0)
			return 1;
		if (getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &val,
			       &vlen) == 0)
			printf("tfo_connect=%d\n", val);
	}
	if (strcmp(mode, "sendto") == 0) {
		r = sendto(fd, data, len, MSG_FASTOPEN, (struct sockaddr *)&ss,
			   sslen);
		printf("sendto=%zd errno=%s\n", r, errname(r < 0 ? errno : 0));
	} else if (strcmp(mode, "sendmsg") == 0) {
		struct iovec iov[2] = {
			{ (void *)data, len / 2 },
			{ (void *)(data + len / 2), len - len / 2 },
		};
		struct msghdr msg = {
			.msg_name = &ss,
			.msg_namelen = sslen,
			.msg_iov = iov,
			.msg_iovlen = 2,
		};

		r = sendmsg(fd, &msg, MSG_FASTOPEN);
		printf("sendmsg=%zd errno=%s\n", r, errname(r < 0 ? errno : 0));
	} else if (strcmp(mode, "connect") == 0) {
		r = connect(fd, (struct sockaddr *)&ss, sslen);
		printf("connect=%zd errno=%s\n", r, errname(r < 0 ? errno : 0));
		if (r == 0)
			r = -2; /* connected, nothing sent yet */
	} else {
		usage();
	}
	if (r == -1 && errno != EINPROGRESS)
		return 1;
	if (r == -1 && wait_connected(fd) < 0)
		return 1;
	if (r < 0)
		r = 0;
	if (send_rest(fd, data + r, len - (size_t)r) < 0)
		return 1;
	if (shutdown(fd, SHUT_WR) < 0) {
		perror("pol_tfo_client: shutdown");
		return 1;
	}
	if (read_reply(fd) < 0)
		return 1;
	close(fd);
	return 0;
}
