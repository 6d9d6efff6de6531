// SPDX-License-Identifier: LGPL-2.1-or-later
/* What the blob lends the engine (call.h): the kernel's calls through the
 * gate, the fd table, NETSHIM_FAIL; and the event of a served call. */
#include "blob_front.h"
#include "trap.h"
#include "../src/epoll_regs.h"
#include "../src/format.h"
#include "../src/sys.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

/* The program's own descriptors, made by netshim's instruction: the
 * kernel's answer as it is (-errno). */
static long k(long nr, long a, long b, long c, long d, long e, long f)
{
	return trap_sys(nr, a, b, c, d, e, f);
}

static const uint64_t *mask_of(struct ns_call_rec *r)
{
	return ((struct blob_cx *)((char *)r -
				   offsetof(struct blob_cx, rec)))->mask;
}

long blob_blocking(const uint64_t *mask, long nr, long a, long b, long c,
		   long d, long e, long f)
{
	uint64_t open = *mask & ~TRAP_BIT(SIGSYS),
		 shut = *mask | TRAP_HANDLER_MASK;
	long r;

	k(SYS_rt_sigprocmask, SIG_SETMASK, (long)&open, 0, 8, 0, 0);
	r = k(nr, a, b, c, d, e, f);
	k(SYS_rt_sigprocmask, SIG_SETMASK, (long)&shut, 0, 8, 0, 0);
	return r;
}

static int op_socket(struct ns_call_rec *r, int family, int type,
		     int protocol)
{
	(void)r;
	return (int)k(SYS_socket, family, type, protocol, 0, 0, 0);
}

static int op_connect(struct ns_call_rec *r, int fd,
		      const struct sockaddr *sa, socklen_t len)
{
	return (int)blob_blocking(mask_of(r), SYS_connect, fd, (long)sa, len,
				  0, 0, 0);
}

/* A trapped sendto is made as sendto, a sendmsg as sendmsg. */
static ssize_t op_sendmsg(struct ns_call_rec *r, int fd,
			  const struct msghdr *m, int flags)
{
	if (r->ev.call == NS_CALL_sendto)
		return blob_blocking(mask_of(r), SYS_sendto, fd,
				     (long)m->msg_iov[0].iov_base,
				     (long)m->msg_iov[0].iov_len, flags,
				     (long)m->msg_name, m->msg_namelen);
	return blob_blocking(mask_of(r), SYS_sendmsg, fd, (long)m, flags, 0,
			     0, 0);
}

static int op_setsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 const void *val, socklen_t len)
{
	(void)r;
	return (int)k(SYS_setsockopt, fd, level, name, (long)val, len, 0);
}

static int op_socketpair(struct ns_call_rec *r, int family, int type,
			 int protocol, int sv[2])
{
	(void)r;
	return (int)k(SYS_socketpair, family, type, protocol, (long)sv, 0, 0);
}

static int op_bind(struct ns_call_rec *r, int fd, const struct sockaddr *sa,
		   socklen_t len)
{
	(void)r;
	return (int)k(SYS_bind, fd, (long)sa, len, 0, 0, 0);
}

static int op_listen(struct ns_call_rec *r, int fd, int backlog)
{
	(void)r;
	return (int)k(SYS_listen, fd, backlog, 0, 0, 0, 0);
}

/* A trapped accept is made as accept, an accept4 as accept4. */
static int op_accept(struct ns_call_rec *r, int fd, struct sockaddr *sa,
		     socklen_t *lenp, int flags)
{
	if (r->ev.call == NS_CALL_accept4)
		return (int)blob_blocking(mask_of(r), SYS_accept4, fd, (long)sa,
					  (long)lenp, flags, 0, 0);
	return (int)blob_blocking(mask_of(r), SYS_accept, fd, (long)sa,
				  (long)lenp, 0, 0, 0);
}

static int op_getsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 void *val, socklen_t *lenp)
{
	(void)r;
	return (int)k(SYS_getsockopt, fd, level, name, (long)val, (long)lenp,
		      0);
}

static int op_shutdown(struct ns_call_rec *r, int fd, int how)
{
	(void)r;
	return (int)k(SYS_shutdown, fd, how, 0, 0, 0, 0);
}

static int op_fcntl(struct ns_call_rec *r, int fd, int cmd, int arg)
{
	(void)r;
	return (int)k(SYS_fcntl, fd, cmd, arg, 0, 0, 0);
}

static int op_close(struct ns_call_rec *r, int fd)
{
	(void)r;
	return (int)k(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* The table, else the kernel once (a socket made before the blob). */
static bool lookup(int fd, struct ns_fdinfo *info)
{
	if (ns_fd_get(fd, info))
		return true;
	if (!ns_probe_fd(fd, info))
		return false;
	ns_fd_put(fd, info);
	return true;
}

static bool op_lookup(struct ns_call_rec *r, int fd, struct ns_fdinfo *info)
{
	(void)r;
	return lookup(fd, info);
}

/* How often each rule fired, for this process. */
static struct ns_fault_state faults;

static int op_inject(struct ns_call_rec *r, const struct ns_fault_call *fc)
{
	struct ns_fault_hit hit;

	if (!ns_fault_match(&blob_cfg->fault, &faults, fc, &hit))
		return 0;
	r->ev.injected = hit.rule;
	if (hit.delay_ms)
		ns_fault_sleep(hit.delay_ms);
	if (!hit.fail || hit.drop_family)
		return 0;
	return hit.kind == NS_FAULT_ERRNO ? hit.value : 0;
}

const struct ns_ops blob_ops = {
	.socket = op_socket,
	.connect = op_connect,
	.sendmsg = op_sendmsg,
	.setsockopt = op_setsockopt,
	.socketpair = op_socketpair,
	.bind = op_bind,
	.listen = op_listen,
	.accept = op_accept,
	.getsockopt = op_getsockopt,
	.shutdown = op_shutdown,
	.fcntl = op_fcntl,
	.close = op_close,
	.install = ns_tab_install,
	.shared = ns_tab_shared,
	.lookup = op_lookup,
	.put = ns_tab_put,
	.set_state = ns_tab_set_state,
	.listening = ns_tab_listening,
	.del = ns_tab_del,
	.del_range = ns_tab_del_range,
	.add_opt = ns_tab_add_opt,
	.inject = op_inject,
};

/*
 * Another process than the one the sink was opened for: a forked child,
 * with a copy of our memory, opens its own trace when the name has %p;
 * a vfork child, sharing it, writes its line to a file of its own opened
 * and closed around it (as the library's write_as_child).
 */
static void write_line(int pid, const char *line, size_t n)
{
	struct ns_sink own;
	bool per_pid = blob_cfg->trace == NS_TRACE_FILE &&
		       strstr(blob_cfg->trace_path, "%p");

	if (pid == blob_pid || !per_pid) {
		ns_sink_write(&blob_sink, line, n, &blob_io);
		return;
	}
	if (trap_same_vm(pid, blob_pid)) {
		ns_sink_open(&own, blob_cfg, pid, &blob_io);
		ns_sink_write(&own, line, n, &blob_io);
		ns_sink_close(&own);
		return;
	}
	ns_sink_after_fork(&blob_sink);
	ns_sink_close(&blob_sink);
	blob_pid = pid;
	ns_sink_open(&blob_sink, blob_cfg, pid, &blob_io);
	ns_sink_write(&blob_sink, line, n, &blob_io);
}

static void emit(struct blob_cx *cx)
{
	struct ns_event *ev = &cx->ev;
	struct ns_fdinfo info;
	struct ns_sock sock;
	char line[NS_LINE_MAX];
	size_t n;

	ev->pid = (int)k(SYS_getpid, 0, 0, 0, 0, 0, 0);
	ev->tid = (int)k(SYS_gettid, 0, 0, 0, 0, 0, 0);
	ev->prog = blob_prog;
	if (ev->fd >= 0 && !ev->sock) {
		/* The kernel says the number is no socket: whatever the
		 * table remembers about it is stale. */
		if (ev->err == EBADF || ev->err == ENOTSOCK) {
			ns_fd_del(ev->fd);
		} else if (lookup(ev->fd, &info)) {
			sock = (struct ns_sock){ info.family, info.type,
						 info.protocol };
			ev->sock = &sock;
		}
	}
	n = ns_format_event(ev, blob_cfg->format, line, sizeof(line));
	write_line(ev->pid, line, n);
}

long blob_finish(struct blob_cx *cx)
{
	if (cx->trace)
		emit(cx);
	return cx->ev.err ? -(long)cx->ev.err : cx->ev.ret;
}
