/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Workloads 1, 4 and 5: socket(AF_INET, SOCK_STREAM) +
 * setsockopt(TCP_NODELAY) + close, in a loop: 3 hooked calls per op.
 *
 *   sockloop ITERS [-t THREADS] [-f OPEN]
 *
 * -t runs the loop on THREADS threads at once, ITERS ops each.
 * -f first opens OPEN other sockets (socketpairs, then one UDP socket for
 *    an odd count), raising RLIMIT_NOFILE as needed, so the loop runs with
 *    a large descriptor table.
 *
 * Prints one line:
 *   sockloop threads=T open=N iters=I ns_op=X ns_op_thread=Y calls_op=3
 * ns_op is wall time / (ITERS * THREADS): the cost of one op for the whole
 * process; ns_op_thread is the mean over threads of that thread's own
 * elapsed time / ITERS.
 *
 * With BENCH_WRITE=FILE in the environment every call is followed by an
 * append of a 256-byte line to FILE, about a JSON event's size: the
 * kernel's share of a trace, without netshim (bench/run's bare+write).
 * With BENCH_NOTIFY=1, socket and setsockopt leave the threads through a
 * seccomp user notification answered at once (notify.c): the floor of a
 * seccomp front (bench/run's notify-floor). */
#include "bench.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_THREADS 64

static long iters;
static int wfd = -1;	/* BENCH_WRITE */
static char line[256];
static pthread_barrier_t start;

struct worker {
	pthread_t th;
	double elapsed;
	long done;
};

static void wline(void)
{
	if (wfd >= 0 && write(wfd, line, sizeof(line)) != sizeof(line))
		bench_die("sockloop", "write");
}

static void one_op(void)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		bench_die("sockloop", "socket");
	wline();
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		bench_die("sockloop", "setsockopt");
	wline();
	close(fd);
	wline();
}

static void *run(void *arg)
{
	struct worker *w = arg;
	bench_warm(one_op, iters);
	pthread_barrier_wait(&start);
	w->done = bench_timed(one_op, iters, 1023, &w->elapsed);
	return NULL;
}

static void fill(long n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + 256;
	long i;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		bench_die("sockloop", "getrlimit");
	if (rl.rlim_cur < need) {
		/* Raising the hard limit needs CAP_SYS_RESOURCE; bench/run
		 * asks for no more than the hard limit allows when it lacks
		 * it. */
		rl.rlim_cur = need;
		if (rl.rlim_max < need)
			rl.rlim_max = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			fprintf(stderr, "sockloop: cannot raise RLIMIT_NOFILE "
				"to %lu for %ld open sockets: %s\n",
				(unsigned long)need, n, strerror(errno));
			exit(1);
		}
	}
	for (i = 0; i + 1 < n; i += 2) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
			bench_die("sockloop", "socketpair");
	}
	if (i < n && socket(AF_INET, SOCK_DGRAM, 0) < 0)
		bench_die("sockloop", "socket(SOCK_DGRAM)");
}

int main(int argc, char **argv)
{
	static struct worker w[MAX_THREADS];
	long threads = 1, open_n = 0, done = 0;
	double t0, wall, per_thread = 0;
	int c, i;

	while ((c = getopt(argc, argv, "t:f:")) != -1) {
		switch (c) {
		case 't':
			threads = atol(optarg);
			break;
		case 'f':
			open_n = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || threads < 1 || threads > MAX_THREADS ||
	    open_n < 0 || open_n > 1000000)
		goto usage;
	iters = bench_iters("sockloop", argv[optind]);
	if (getenv("BENCH_WRITE")) {
		/* As the trace sink opens its file. */
		wfd = open(getenv("BENCH_WRITE"),
			   O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (wfd < 0)
			bench_die("sockloop", "open BENCH_WRITE");
		memset(line, 'x', sizeof(line));
		line[sizeof(line) - 1] = '\n';
	}
	fill(open_n);
	if (getenv("BENCH_NOTIFY"))
		bench_notify_start();

	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	for (i = 0; i < threads; i++)
		if (pthread_create(&w[i].th, NULL, run, &w[i]) != 0)
			bench_die("sockloop", "pthread_create");
	pthread_barrier_wait(&start);
	t0 = bench_now();
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		done += w[i].done;
		per_thread += w[i].elapsed / (double)w[i].done;
	}
	wall = bench_now() - t0;
	printf("sockloop threads=%ld open=%ld iters=%ld ns_op=%.1f "
	       "ns_op_thread=%.1f calls_op=3\n",
	       threads, open_n, iters, wall / (double)done,
	       per_thread / (double)threads);
	return 0;
usage:
	fprintf(stderr, "usage: sockloop ITERS [-t THREADS] [-f OPEN]\n");
	return 2;
}
