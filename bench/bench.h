/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers of the benchmark workloads: timing, bounded iteration
 * counts, and the one result line the driver (bench/run) parses.
 * These are plain programs: they never link netshim; bench/run preloads
 * it (or strace, or mptcpize) around them. */
#ifndef NETSHIM_BENCH_H
#define NETSHIM_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every loop is bounded in count and in time. */
#define BENCH_MAX_ITERS 20000000L
#define BENCH_MAX_SECONDS 60.0

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline long bench_iters(const char *prog, const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || *end || n < 1 || n > BENCH_MAX_ITERS) {
		fprintf(stderr, "%s: iteration count must be 1..%ld, not '%s'\n",
			prog, BENCH_MAX_ITERS, arg);
		exit(2);
	}
	return n;
}

static inline void bench_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* Warm-up iterations before the timed loop: page faults, lazy binding and
 * netshim's first-event set-up stay out of the measurement. */
static inline long bench_warmup(long iters)
{
	long w = iters / 10;
	return w > 2000 ? 2000 : (w < 1 ? 1 : w);
}

/* Runs @op the warm-up number of times for @iters. */
static inline void bench_warm(void (*op)(void), long iters)
{
	for (long i = bench_warmup(iters); i > 0; i--)
		op();
}

/*
 * Times @iters runs of @op, stopping early after BENCH_MAX_SECONDS (the
 * clock is read every @mask + 1 runs, @mask a power of two less one).
 * Returns the runs done; *@ns gets the time they took.
 */
static inline long bench_timed(void (*op)(void), long iters,
			       unsigned long mask, double *ns)
{
	double t0 = bench_now();
	long i;

	for (i = 0; i < iters; i++) {
		op();
		if (((unsigned long)i & mask) == mask &&
		    bench_now() - t0 > BENCH_MAX_SECONDS * 1e9) {
			i++;
			break;
		}
	}
	*ns = bench_now() - t0;
	return i;
}

/* notify.c: socket and setsockopt of this thread, and of the threads it
 * creates from now on, go through a seccomp user notification answered
 * at once. */
void bench_notify_start(void);

#endif
