/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Workload 3: getaddrinfo + freeaddrinfo in a loop (2 hooked calls).
 *
 *   gailoop ITERS numeric|hosts
 *
 * numeric looks up "127.0.0.1"; hosts looks up "localhost", which
 * /etc/hosts answers (no DNS traffic). Hints: AF_UNSPEC, SOCK_STREAM,
 * service "80".
 *
 * Prints: gailoop name=NAME iters=I ns_op=X calls_op=2 */
#include "bench.h"

#include <netdb.h>
#include <sys/socket.h>

static const char *node;

static void one_op(void)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(node, "80", &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "gailoop: getaddrinfo(%s): %s\n", node,
			gai_strerror(rc));
		exit(1);
	}
	freeaddrinfo(res);
}

int main(int argc, char **argv)
{
	long iters, i;
	double t;

	if (argc != 3 || (strcmp(argv[2], "numeric") != 0 &&
			  strcmp(argv[2], "hosts") != 0)) {
		fprintf(stderr, "usage: gailoop ITERS numeric|hosts\n");
		return 2;
	}
	iters = bench_iters("gailoop", argv[1]);
	node = strcmp(argv[2], "numeric") == 0 ? "127.0.0.1" : "localhost";

	bench_warm(one_op, iters);
	i = bench_timed(one_op, iters, 255, &t);
	printf("gailoop name=%s iters=%ld ns_op=%.1f calls_op=2\n", node, i,
	       t / (double)i);
	return 0;
}
