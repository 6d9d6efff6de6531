// SPDX-License-Identifier: LGPL-2.1-or-later
/* A trace of known content for netshim report: N UDP sockets, M refused
 * TCP connects to a closed loopback port, K lookups of .invalid names. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Not static, and the program is linked -rdynamic, so that backtraces
 * name it. */
int known_refused_connect(unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc;

	if (fd < 0)
		return -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	int n, m, k, port;

	if (argc != 5) {
		fprintf(stderr, "usage: log_known N M K PORT\n");
		return 2;
	}
	n = atoi(argv[1]);
	m = atoi(argv[2]);
	k = atoi(argv[3]);
	port = atoi(argv[4]);
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0) {
			perror("socket");
			return 1;
		}
		close(fd);
	}
	for (int i = 0; i < m; i++) {
		if (known_refused_connect((unsigned short)port) == 0) {
			fprintf(stderr, "port %d is open\n", port);
			return 1;
		}
	}
	for (int i = 0; i < k; i++) {
		char name[64];
		struct addrinfo *res;

		snprintf(name, sizeof(name), "netshim-%d.invalid", i);
		if (getaddrinfo(name, "80", &hints, &res) == 0) {
			fprintf(stderr, "%s resolved\n", name);
			freeaddrinfo(res);
			return 1;
		}
	}
	return 0;
}
