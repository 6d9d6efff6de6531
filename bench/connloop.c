/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Workload 2: connect + accept + close over loopback, in one process.
 *
 *   connloop ITERS
 *
 * A listener on 127.0.0.1 (port chosen by the kernel); each op makes a
 * client socket, sets SO_LINGER {1, 0} on it (so its close sends a reset
 * and leaves no TIME_WAIT behind: otherwise a long run exhausts the
 * ephemeral ports), connects (loopback connects complete into the
 * backlog without the accept), accepts, and closes both ends:
 * socket, setsockopt, connect, accept, close, close = 6 hooked calls.
 *
 * Prints: connloop iters=I ns_op=X calls_op=6 */
#include "bench.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int lfd;
static struct sockaddr_in addr;

static void one_op(void)
{
	struct linger lg = {1, 0};
	int c, s;

	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0)
		bench_die("connloop", "socket");
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
		bench_die("connloop", "setsockopt(SO_LINGER)");
	if (connect(c, (struct sockaddr *)&addr, sizeof addr) < 0)
		bench_die("connloop", "connect");
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		bench_die("connloop", "accept");
	close(c);
	close(s);
}

int main(int argc, char **argv)
{
	socklen_t len = sizeof addr;
	long iters, i;
	double t;

	if (argc != 2) {
		fprintf(stderr, "usage: connloop ITERS\n");
		return 2;
	}
	iters = bench_iters("connloop", argv[1]);

	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		bench_die("connloop", "socket");
	if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0)
		bench_die("connloop", "bind");
	if (listen(lfd, 64) < 0)
		bench_die("connloop", "listen");
	if (getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
		bench_die("connloop", "getsockname");

	bench_warm(one_op, iters);
	i = bench_timed(one_op, iters, 255, &t);
	close(lfd);
	printf("connloop iters=%ld ns_op=%.1f calls_op=6\n", i,
	       t / (double)i);
	return 0;
}
