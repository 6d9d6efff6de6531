// SPDX-License-Identifier: LGPL-2.1-or-later
/* The notification loop: receives the program's socket system calls,
 * hands each to its handler, and the helpers the handlers answer with. */
#include "front.h"
#include "../src/format.h"
#include "../src/names.h"
#include "../src/policy.h"
#include "../src/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.6: the program's thread and ours switch on the same CPU instead
 * of each waking the other, which halves a round trip. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

const struct ns_config *sc_cfg;
bool sc_killable;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
int sc_workers;	/* detached calls under way; procs are not swept then */
static volatile sig_atomic_t child_pid;

/* ---- reading and answering ---- */

int sc_read(struct sc_call *c, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = { buf, n };
	struct iovec remote = { (void *)(uintptr_t)addr, n };

	if (!n)
		return 0;
	if (!addr)
		return -1;
	return process_vm_readv((pid_t)c->req.pid, &local, 1, &remote, 1,
				0) == (ssize_t)n ? 0 : -1;
}

int sc_write(struct sc_call *c, uint64_t addr, const void *buf, size_t n)
{
	struct iovec local = { (void *)buf, n };
	struct iovec remote = { (void *)(uintptr_t)addr, n };

	if (!n)
		return 0;
	if (!addr || !sc_valid(c))
		return -1;
	return process_vm_writev((pid_t)c->req.pid, &local, 1, &remote, 1,
				 0) == (ssize_t)n ? 0 : -1;
}

bool sc_valid(struct sc_call *c)
{
	return ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->req.id) == 0;
}

static void send_resp(struct sc_call *c, struct seccomp_notif_resp *r)
{
	r->id = c->req.id;
	/* ENOENT: the thread that asked is gone (killed). */
	while (ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_SEND, r) < 0 &&
	       errno == EINTR)
		;
	c->answered = true;
}

static void answer(struct sc_call *c, long ret, int err)
{
	struct seccomp_notif_resp r = { 0 };

	if (err)
		r.error = -err;
	else
		r.val = ret;
	send_resp(c, &r);
}

static void flush(struct sc_call *c)
{
	if (c->pending) {
		c->pending = false;
		answer(c, c->pend_ret, c->pend_err);
	}
}

void sc_reply(struct sc_call *c, long ret, int err)
{
	if (c->answered)
		return;	/* ADDFD_FLAG_SEND did, or it waits for sc_emit */
	if (c->trace) {
		c->pending = true;
		c->answered = true;
		c->pend_ret = ret;
		c->pend_err = err;
		return;
	}
	answer(c, ret, err);
}

void sc_continue(struct sc_call *c)
{
	struct seccomp_notif_resp r = { 0 };

	r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	send_resp(c, &r);
}

int sc_addfd(struct sc_call *c, int fd, bool cloexec, int at, bool send)
{
	struct seccomp_notif_addfd a = {
		.id = c->req.id,
		.flags = (at >= 0 ? SECCOMP_ADDFD_FLAG_SETFD : 0) |
			 (send ? SECCOMP_ADDFD_FLAG_SEND : 0),
		.srcfd = (uint32_t)fd,
		.newfd = at >= 0 ? (uint32_t)at : 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int ret;

	do
		ret = ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (send)
		c->answered = true;
	return ret;
}

int sc_getfd(struct sc_call *c, int fd, struct ns_fdinfo *info)
{
	struct ns_fdinfo tmp;
	struct stat st;

	if (!info)
		info = &tmp;
	c->dup = (int)syscall(SYS_pidfd_getfd, c->proc->pidfd, fd, 0);
	if (c->dup < 0)
		return -errno;
	c->kfd = c->dup;	/* what the engine acts on */
	if (fstat(c->dup, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		ns_fdtab_del(c->proc->fdt, fd);
		return 0;
	}
	/* close() is not seen: a number whose inode changed was closed and
	 * given to another socket since. */
	if (!ns_fdtab_get(c->proc->fdt, fd, info) ||
	    info->ino != (uint64_t)st.st_ino) {
		if (!ns_probe_fd(c->dup, info))
			return 0;
		info->ino = (uint64_t)st.st_ino;
		ns_fdtab_put(c->proc->fdt, fd, info);
	}
	c->sock = (struct ns_sock){ info->family, info->type,
				    info->protocol };
	c->ev.sock = &c->sock;
	return 1;
}

bool sc_blocking(const struct sc_call *c)
{
	int fl = fcntl(c->dup, F_GETFL);

	return fl >= 0 && !(fl & O_NONBLOCK);
}

/* ---- events ---- */

void sc_begin(struct sc_call *c)
{
	c->cfg = sc_cfg;
	c->kfd = c->dup;
	c->trace = sc_cfg->trace != NS_TRACE_OFF &&
		   (sc_cfg->events & NS_CALLBIT(c->ev.call));
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

void sc_after(struct sc_call *c, long ret, int err)
{
	struct timespec t1;

	c->ev.ret = err ? -1 : ret;
	c->ev.err = err;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->ev.dur_ns = (uint64_t)(t1.tv_sec - c->t0.tv_sec) * 1000000000u +
		       (uint64_t)t1.tv_nsec - (uint64_t)c->t0.tv_nsec;
}

void sc_emit(struct sc_call *c)
{
	char line[NS_LINE_MAX];
	size_t n;

	if (!c->trace)
		return;
	c->trace = false;	/* one event per call */
	c->ev.pid = c->proc->tgid;
	c->ev.tid = (int)c->req.pid;
	c->ev.prog = c->proc->prog;
	/* The kernel says the number is no socket: whatever the table
	 * remembered of it is stale. */
	if (c->ev.fd >= 0 && (c->ev.err == EBADF || c->ev.err == ENOTSOCK)) {
		ns_fdtab_del(c->proc->fdt, c->ev.fd);
		c->ev.sock = NULL;
	}
	n = ns_format_event(&c->ev, sc_cfg->format, line, sizeof(line));
	sc_proc_write(c->proc, line, n);
	flush(c);
}

/* ---- blocking calls ---- */

/*
 * A pool of threads: a blocking call is handed to an idle one, or to a
 * new one while there are fewer than MAX_THREADS; beyond that it waits in
 * the queue for the first to be free (the loop goes on either way).
 * Threads stay for the next call: making one per call cost more than a
 * loopback connect.
 */
#define MAX_THREADS 256

struct worker {
	struct sc_call c;
	void (*fn)(struct sc_call *c);
	struct worker *next;
};

static struct worker *queue, **qtail = &queue;
static int queued, idlers, threads;
static pthread_cond_t job = PTHREAD_COND_INITIALIZER;

static void run_job(struct worker *w)
{
	w->fn(&w->c);
	flush(&w->c);
	if (!w->c.answered)
		sc_continue(&w->c);
	if (w->c.dup >= 0)
		close(w->c.dup);
	free(w->c.data);
	free(w);
	pthread_mutex_lock(&lock);
	if (--sc_workers == 0)
		pthread_cond_broadcast(&idle);
	pthread_mutex_unlock(&lock);
}

static void *work(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		run_job(w);
		pthread_mutex_lock(&lock);
		idlers++;
		while (!queue)
			pthread_cond_wait(&job, &lock);
		idlers--;
		w = queue;
		queue = w->next;
		if (!queue)
			qtail = &queue;
		queued--;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* Under the lock. */
static void enqueue(struct worker *w)
{
	w->next = NULL;
	*qtail = w;
	qtail = &w->next;
	queued++;
	pthread_cond_signal(&job);
}

static bool spawn(struct worker *w)
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	err = pthread_create(&th, &attr, work, w);
	pthread_attr_destroy(&attr);
	return err == 0;
}

bool sc_detach(struct sc_call *c, void (*fn)(struct sc_call *c))
{
	struct worker *w;
	bool ok = true;

	if (c->worker)
		return false;	/* already on one: the caller goes on */
	w = malloc(sizeof(*w));
	if (!w)
		return false;
	w->c = *c;
	w->c.worker = true;
	w->fn = fn;
	/* The copy's pointers into the call (a policy note, the socket's
	 * description) must point into the copy. */
	if (c->ev.policy == c->note)
		w->c.ev.policy = w->c.note;
	if (c->ev.sock == &c->sock)
		w->c.ev.sock = &w->c.sock;
	pthread_mutex_lock(&lock);
	sc_workers++;
	if (idlers > queued || threads >= MAX_THREADS) {
		enqueue(w);
	} else {
		threads++;
		pthread_mutex_unlock(&lock);
		if (spawn(w))
			goto taken;
		pthread_mutex_lock(&lock);
		threads--;
		if (threads > 0) {
			enqueue(w);	/* the next free thread takes it */
		} else {
			sc_workers--;
			free(w);
			ok = false;
		}
	}
	pthread_mutex_unlock(&lock);
	if (!ok)
		return false;
taken:
	/* The worker owns the duplicate, the data and the answer now. */
	c->dup = -1;
	c->data = NULL;
	c->answered = true;
	return true;
}

/* ---- the loop ---- */

static bool event_of(int nr, enum ns_call *call)
{
	for (unsigned i = 0; i < sc_nserved; i++) {
		if (sc_served[i].nr == nr) {
			*call = sc_served[i].call;
			return true;
		}
	}
	return false;
}

static void handle(struct sc_call *c);

static void dispatch(struct sc_call *c)
{
	int nr = c->req.data.nr;

	pthread_mutex_lock(&lock);
	c->proc = sc_proc_of((int)c->req.pid);
	if (c->proc && (nr == __NR_execve || nr == __NR_execveat))
		sc_proc_exec(c->proc);
	if (c->proc && (nr == __NR_setns || nr == __NR_unshare))
		sc_proc_moved(c->proc);
	pthread_mutex_unlock(&lock);
	if (!c->proc || !event_of(nr, &c->ev.call)) {
		sc_continue(c);
		return;
	}
	/* Neither traced nor changed by any policy: the kernel may as
	 * well do it, and nothing is reported. */
	if ((sc_cfg->trace == NS_TRACE_OFF ||
	     !(sc_cfg->events & NS_CALLBIT(c->ev.call))) &&
	    !ns_config_has_policy(sc_cfg) && !sc_fault_on(c)) {
		sc_continue(c);
		return;
	}
	/* A rule may make the call wait: not in the loop. */
	if (sc_fault_on(c) && sc_detach(c, handle))
		return;
	handle(c);
}

static void handle(struct sc_call *c)
{
	switch (c->req.data.nr) {
	case __NR_socket: sc_sys_socket(c); break;
	case __NR_socketpair: sc_sys_socketpair(c); break;
	case __NR_bind: sc_sys_bind(c); break;
	case __NR_listen: sc_sys_listen(c); break;
	case __NR_accept: sc_sys_accept(c, false); break;
	case __NR_accept4: sc_sys_accept(c, true); break;
	case __NR_connect: sc_sys_connect(c); break;
	case __NR_sendto: sc_sys_sendto(c); break;
	case __NR_sendmsg: sc_sys_sendmsg(c); break;
	case __NR_setsockopt: sc_sys_setsockopt(c); break;
	case __NR_getsockopt: sc_sys_getsockopt(c); break;
	}
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* Like a shell waiting for a foreground job: the terminal's ^C and ^\
 * are the program's to act on, and netshim must outlive it to answer its
 * calls; a kill aimed at netshim is passed on. */
static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Notification size the kernel uses; at least our struct's. */
static size_t notif_size(void)
{
	struct seccomp_notif_sizes sz;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0 ||
	    sz.seccomp_notif < sizeof(struct seccomp_notif))
		return sizeof(struct seccomp_notif);
	return sz.seccomp_notif;
}

/*
 * The loop blocks in SECCOMP_IOCTL_NOTIF_RECV itself, one system call per
 * notification; this thread waits for the rest. When the program's first
 * process has ended (reaped here) and the listener reports POLLHUP, every
 * process under the filter has gone (seccomp_unotify(2)): the program's
 * children too. It then interrupts the loop's RECV with SIGUSR1 until the
 * loop has seen `stop`.
 */
struct monitor {
	pthread_t loop;
	pid_t child;
	int pidfd, lfd, status;
};

static volatile sig_atomic_t stop, stopped;

static void nothing(int sig)
{
	(void)sig;
}

static void *monitor(void *arg)
{
	struct monitor *m = arg;
	struct pollfd p = { m->pidfd, POLLIN, 0 };

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	while (waitpid(m->child, &m->status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	/* No events asked: poll returns for POLLHUP (or an error) only. */
	p = (struct pollfd){ m->lfd, 0, 0 };
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	stop = 1;
	while (!stopped) {
		pthread_kill(m->loop, SIGUSR1);
		usleep(10000);
	}
	return NULL;
}

int ns_sc_supervise(int lfd, pid_t child, bool killable,
		    const struct ns_config *cfg,
		    const struct ns_config_io *io)
{
	size_t nsz = notif_size();
	struct seccomp_notif *req = calloc(1, nsz);
	struct monitor m = { pthread_self(), child, -1, lfd, 0 };
	struct timespec until;
	uint64_t sync = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	struct sigaction sa;
	pthread_t th;

	sc_killable = killable;
	sc_cfg = cfg;
	child_pid = child;
	signals();
	/* No SA_RESTART: the monitor's SIGUSR1 must end a waiting RECV. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nothing;
	sigaction(SIGUSR1, &sa, NULL);
	sc_procs_init(cfg, io);
	ioctl(lfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync); /* 6.6+ only */
	m.pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (!req || m.pidfd < 0 || pthread_create(&th, NULL, monitor, &m))
		abort();	/* nothing could answer the program */
	while (!stop) {
		struct sc_call c;

		memset(req, 0, nsz);
		/* EINTR: the monitor, or a forwarded signal; ENOENT: the
		 * caller was killed meanwhile. */
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
			continue;
		memset(&c, 0, sizeof(c));
		memcpy(&c.req, req, sizeof(c.req));
		c.lfd = lfd;
		c.dup = -1;
		c.ev.fd = -1;
		clock_gettime(CLOCK_REALTIME, &c.ev.ts);
		dispatch(&c);
		flush(&c);
		if (!c.answered)
			sc_continue(&c);
		if (c.dup >= 0)
			close(c.dup);
		free(c.data);
	}
	stopped = 1;
	pthread_join(th, NULL);
	/* Workers whose callers are gone notice within their poll period;
	 * one stuck in a long connect is not waited for. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&lock);
	while (sc_workers > 0 &&
	       pthread_cond_timedwait(&idle, &lock, &until) == 0)
		;
	pthread_mutex_unlock(&lock);
	free(req);
	close(m.pidfd);
	return m.status;
}
