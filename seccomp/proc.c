// SPDX-License-Identifier: LGPL-2.1-or-later
/* The traced processes: which process a thread belongs to, its fd table,
 * name, network namespace and trace file. */
#include "front.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KCMP_FILES
#define KCMP_FILES 2
#endif

#define TIDS 4096	/* a cache: a collision only costs a /proc read */
#define SWEEP_EVERY 16

static struct {
	int tid;
	struct sc_proc *p;
} tids[TIDS];

static struct sc_proc *procs;
static const struct ns_config *cfg;
static const struct ns_config_io *io;
static struct ns_sink sink;	/* the trace, unless it names %p */
static bool per_process;
static bool have_kcmp = true;
static ino_t my_netns;
static unsigned created;

static ino_t netns_of(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

void sc_procs_init(const struct ns_config *c, const struct ns_config_io *i)
{
	cfg = c;
	io = i;
	per_process = c->trace == NS_TRACE_FILE && strstr(c->trace_path, "%p");
	if (!per_process)
		ns_sink_open(&sink, c, getpid(), i);
	my_netns = netns_of(getpid());
}

static int read_tgid(int tid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	return p ? atoi(p + 6) : -1;
}

/* basename of argv[0], what program_invocation_short_name is to the
 * shim; the kernel's comm for a process without one. */
static void learn(struct sc_proc *p)
{
	char path[64], buf[512];
	const char *name = buf, *slash;
	ssize_t n = -1;
	int fd;

	/* A new program: its credentials may be a set-user-ID one's. */
	p->creds = SC_CREDS_UNKNOWN;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", p->tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", p->tgid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0 && buf[n - 1] == '\n')
			n--;
	}
	buf[n > 0 ? n : 0] = '\0';
	slash = strrchr(name, '/');
	if (slash)
		name = slash + 1;
	snprintf(p->prog, sizeof(p->prog), "%.255s", name);
	p->other_netns = my_netns && netns_of(p->tgid) != my_netns;
	p->stale = false;
}

static bool gone(const struct sc_proc *p)
{
	struct pollfd pf = { p->pidfd, POLLIN, 0 };

	return poll(&pf, 1, 0) > 0;
}

static void drop(struct sc_proc *p)
{
	for (int i = 0; i < TIDS; i++)
		if (tids[i].p == p)
			tids[i].p = NULL;
	ns_fdtab_free(p->fdt);
	if (p->own_sink)
		ns_sink_close(&p->sink);
	close(p->pidfd);
	free(p);
}

/* Processes that exited give their memory back; not while a worker may
 * hold one. */
static void sweep(void)
{
	struct sc_proc **pp = &procs, *p;

	if (sc_pool_busy())
		return;
	while ((p = *pp)) {
		if (gone(p)) {
			*pp = p->next;
			drop(p);
		} else {
			pp = &p->next;
		}
	}
}

static struct sc_proc *find(int tgid)
{
	struct sc_proc **pp, *p;

	for (pp = &procs; (p = *pp); pp = &p->next) {
		if (p->tgid != tgid)
			continue;
		if (!gone(p))
			return p;
		/* The number was given to a new process. */
		if (sc_pool_busy())
			return NULL;
		*pp = p->next;
		drop(p);
		return NULL;
	}
	return NULL;
}

static struct sc_proc *create(int tgid)
{
	struct sc_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->tgid = tgid;
	p->pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	p->fdt = ns_fdtab_new();
	if (p->pidfd < 0 || !p->fdt) {
		if (p->pidfd >= 0)
			close(p->pidfd);
		ns_fdtab_free(p->fdt);
		free(p);
		return NULL;
	}
	if (per_process) {
		ns_sink_open(&p->sink, cfg, tgid, io);
		p->own_sink = true;
	}
	learn(p);
	if (++created % SWEEP_EVERY == 0)
		sweep();
	p->next = procs;
	procs = p;
	return p;
}

struct sc_proc *sc_proc_of(int tid)
{
	unsigned h = (unsigned)tid * 2654435761u % TIDS;
	struct sc_proc *p = tids[h].p;
	int tgid;
	long r;

	/* A cached thread is still the same process's when it shares that
	 * process's descriptor table (kcmp(2)): a number the kernel gave to
	 * a thread of another process since does not. */
	if (p && tids[h].tid == tid) {
		if (!have_kcmp)
			goto hit;
		r = syscall(SYS_kcmp, p->tgid, tid, KCMP_FILES, 0, 0);
		if (r == 0)
			goto hit;
		if (r < 0 && errno == ENOSYS) {
			have_kcmp = false;
			goto hit;
		}
	}
	tgid = read_tgid(tid);
	if (tgid <= 0)
		return NULL;
	p = find(tgid);
	if (!p)
		p = create(tgid);
	if (!p)
		return NULL;
	tids[h].tid = tid;
	tids[h].p = p;
hit:
	if (p->stale)
		learn(p);
	return p;
}

void sc_proc_exec(struct sc_proc *p)
{
	p->stale = true;
}

void sc_proc_moved(struct sc_proc *p)
{
	p->moved = true;
}

void sc_proc_creds_changed(struct sc_proc *p)
{
	p->creds = SC_CREDS_VOLATILE;
}

struct in_ns {
	int nsfd, family, type, protocol;
	int fd, err;
};

static void *socket_in_ns(void *arg)
{
	struct in_ns *a = arg;

	/* Namespaces are per thread: this one joins the program's. */
	if (setns(a->nsfd, CLONE_NEWNET) < 0) {
		a->err = errno;
		return NULL;
	}
	a->fd = socket(a->family, a->type, a->protocol);
	a->err = a->fd < 0 ? errno : 0;
	return NULL;
}

/*
 * Most programs stay in the namespace they started in: it is learnt once
 * per process (and after an exec). Once a thread has called setns or
 * unshare, the caller's own namespace is looked up at each socket.
 */
int sc_proc_socket(struct sc_proc *p, int tid, int family, int type,
		   int protocol)
{
	struct in_ns a = { -1, family, type, protocol, -1, 0 };
	char path[64];
	pthread_t th;

	if (p->moved ? netns_of(tid) == my_netns || !my_netns
		     : !p->other_netns)
		return socket(family, type, protocol);
	snprintf(path, sizeof(path), "/proc/%d/ns/net",
		 p->moved ? tid : p->tgid);
	a.nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (a.nsfd < 0)
		return -1;
	if (pthread_create(&th, NULL, socket_in_ns, &a) != 0) {
		close(a.nsfd);
		errno = EAGAIN;
		return -1;
	}
	pthread_join(th, NULL);
	close(a.nsfd);
	errno = a.err;
	return a.fd;
}

void sc_proc_write(struct sc_proc *p, const char *line, size_t n)
{
	ns_sink_write(p->own_sink ? &p->sink : &sink, line, n, io);
}
