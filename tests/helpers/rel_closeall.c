// SPDX-License-Identifier: LGPL-2.1-or-later
/* A program that closes, reuses and fills every descriptor number and
 * prints what each of its calls returned, to be diffed with a bare run. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* "ret" or "-1 ERRNO", the way the diff compares them. */
static void show(const char *what, long ret, int err)
{
	if (ret < 0)
		printf("%s: -1 %s\n", what, strerrorname_np(err));
	else
		printf("%s: %ld\n", what, ret);
}

/* errno read after the call: an argument's order of evaluation is not. */
#define SHOW(what, call)                                                       \
	do {                                                                   \
		long r_;                                                       \
		errno = 0;                                                     \
		r_ = (call);                                                   \
		show(what, r_, errno);                                         \
	} while (0)

int main(int argc, char **argv)
{
	struct rlimit rl;
	int lim, s, p[2], fd, closed = 0, ebadf = 0, other = 0, nfill = 0;
	const char *mine = argc > 1 ? argv[1] : "/dev/null";
	static const char msg[] = "written by the program\n";
	char what[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur > 4096) {
		fprintf(stderr, "run me with ulimit -n 4096 or less\n");
		return 2;
	}
	lim = (int)rl.rlim_cur;
	printf("limit %d\n", lim);
	SHOW("socket", socket(AF_INET, SOCK_STREAM, 0));
	SHOW("pipe", pipe(p) ? -1 : p[1]);

	/* Close every number, as daemons do. */
	for (fd = 3; fd < lim; fd++) {
		errno = 0;
		if (close(fd) == 0)
			closed++;
		else if (errno == EBADF)
			ebadf++;
		else
			other++;
	}
	printf("close loop: %d closed, %d EBADF, %d other\n", closed, ebadf,
	       other);
	SHOW("open", fd = open(mine, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	SHOW("socket", socket(AF_INET6, SOCK_DGRAM, 0));
	/* The numbers up there, where netshim keeps its descriptor. */
	for (int n = lim - 40; n < lim; n++) {
		snprintf(what, sizeof(what), "dup2 onto %d", n);
		SHOW(what, dup2(fd, n));
	}
	SHOW("F_DUPFD from limit-40", fcntl(fd, F_DUPFD, lim - 40));
	SHOW("write to limit-32", write(lim - 32, msg, sizeof(msg) - 1));
	SHOW("close_range(3, ~0U, 0)", close_range(3, ~0U, 0));
	SHOW("close(limit-32)", close(lim - 32));

	/* Every number taken, one given back, then dup2 onto each: netshim
	 * has nowhere left to go. */
	SHOW("open", fd = open(mine, O_WRONLY | O_APPEND));
	while (dup(fd) >= 0)
		nfill++;
	SHOW("socket when full", socket(AF_INET, SOCK_DGRAM, 0));
	/* The count differs by netshim's one descriptor: stderr. */
	fprintf(stderr, "filled %d\n", nfill);
	SHOW("close(4)", close(4));
	for (int n = 3; n < lim; n++) {
		int r, err;

		errno = 0;
		r = dup2(fd, n);
		err = errno;
		if (r != n) {
			snprintf(what, sizeof(what), "dup2 onto %d", n);
			show(what, r, err);
		}
	}
	printf("dup2 onto every number: done\n");
	SHOW("write to limit-1", write(lim - 1, msg, sizeof(msg) - 1));
	SHOW("close_range(4, ~0U, 0)", close_range(4, ~0U, 0));
	SHOW("socket", s = socket(AF_INET, SOCK_DGRAM, 0));
	SHOW("close", close(s));
	return 0;
}
