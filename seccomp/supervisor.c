// SPDX-License-Identifier: LGPL-2.1-or-later
/* The notification loop: receives the program's socket system calls and
 * hands each to its handler (sys_*.c), or a worker (pool.c). */
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

/* Serialises the process list (proc.c) between the loop and sc_proc_of's
 * callers. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t child_pid;

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

static bool creds_call(int nr)
{
	static const int nrs[] = { SC_CREDS_CALLS };

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		if (nrs[i] == nr)
			return true;
	return false;
}

/*
 * A call of a thread whose credentials differ from netshim's goes to the
 * kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE): netshim answers before it is
 * made, so the event has no result of its own (ret -1, errno null), only
 * the arguments the registers hold, and the note says why. It is written
 * before the program goes on.
 */
static void left_to_kernel(struct sc_call *c)
{
	sc_begin(c);
	if (c->ev.call == NS_CALL_socket || c->ev.call == NS_CALL_socketpair) {
		c->ev.u.sock.family = sc_iarg(c, 0);
		c->ev.u.sock.type = sc_iarg(c, 1);
		c->ev.u.sock.protocol = sc_iarg(c, 2);
		c->ev.u.sock.sv[0] = c->ev.u.sock.sv[1] = -1;
	} else {
		c->ev.fd = sc_iarg(c, 0);
	}
	sc_after(c, -1, 0);
	c->ev.ret = -1;
	ns_rec_note(&c->rec, "left to the kernel, result not seen: the "
			     "thread's credentials are not netshim's",
		    0, NULL);
	sc_emit(c);
	sc_continue(c);
}

static void dispatch(struct sc_call *c)
{
	int nr = c->req.data.nr;

	pthread_mutex_lock(&lock);
	c->proc = sc_proc_of((int)c->req.pid);
	if (c->proc && (nr == __NR_execve || nr == __NR_execveat))
		sc_proc_exec(c->proc);
	if (c->proc && (nr == __NR_setns || nr == __NR_unshare))
		sc_proc_moved(c->proc);
	if (c->proc && creds_call(nr))
		sc_proc_creds_changed(c->proc);
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
	/* Never a call with more privilege than the caller has, nor with
	 * less: the kernel makes it, and the event says so. */
	if (!sc_creds_same(c)) {
		left_to_kernel(c);
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
	sc_creds_init();
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
		sc_flush(&c);
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
	sc_pool_drain(2);
	free(req);
	close(m.pidfd);
	return m.status;
}
