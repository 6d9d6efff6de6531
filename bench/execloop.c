/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The static part's exec row: a static program that re-executes itself
 * ITERS times (execv of /proc/self/exe), so that what a front pays at
 * each exec (the in-process trap: a stop, an injection, a detach) shows
 * as time per exec. No socket calls: nothing is traced.
 *
 *   execloop ITERS
 *
 * Prints one line, from the last image:
 *   execloop iters=I ns_op=X calls_op=0
 * ns_op is the wall time from the first image's start of the loop to the
 * last image, divided by ITERS. */
#include "bench.h"

#include <unistd.h>

int main(int argc, char **argv)
{
	char left[24], t0[32], total[24];
	long n, all;
	double start;

	if (argc < 2) {
		fprintf(stderr, "usage: execloop ITERS\n");
		return 2;
	}
	n = bench_iters("execloop", argv[1]);
	if (argc == 2) {
		/* The first image: the count, the start time, then go. */
		all = n;
		start = bench_now();
	} else if (argc == 4) {
		n = strtol(argv[1], NULL, 10);
		start = strtod(argv[2], NULL);
		all = strtol(argv[3], NULL, 10);
	} else {
		fprintf(stderr, "usage: execloop ITERS\n");
		return 2;
	}
	if (bench_now() - start > BENCH_MAX_SECONDS * 1e9) {
		fprintf(stderr, "execloop: gave up after %.0f s\n",
			BENCH_MAX_SECONDS);
		return 1;
	}
	if (n > 1 || argc == 2) {
		char *args[] = { argv[0], left, t0, total, NULL };

		snprintf(left, sizeof(left), "%ld", argc == 2 ? n : n - 1);
		snprintf(t0, sizeof(t0), "%.0f", start);
		snprintf(total, sizeof(total), "%ld", all);
		execv("/proc/self/exe", args);
		bench_die("execloop", "execv /proc/self/exe");
	}
	printf("execloop iters=%ld ns_op=%.1f calls_op=0\n", all,
	       (bench_now() - start) / (double)all);
	return 0;
}
