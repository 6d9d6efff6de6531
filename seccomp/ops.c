// SPDX-License-Identifier: LGPL-2.1-or-later
/* What the seccomp front lends the engine's outcome layer (call.h): the
 * kernel calls on the supervisor's duplicate of the program's socket,
 * ADDFD to put a socket at the program's number, the process's table. */
#include "front.h"
#include "../src/epoll_regs.h"
#include "../src/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct sc_call *call_of(struct ns_call_rec *r)
{
	return (struct sc_call *)((char *)r - offsetof(struct sc_call, rec));
}

static long result(long ret)
{
	return ret < 0 ? -errno : ret;
}

/* In the program's network namespace; our copy need not survive an exec
 * of ours (the program's gets its own flag from ADDFD). */
static int op_socket(struct ns_call_rec *r, int family, int type,
		     int protocol)
{
	struct sc_call *c = call_of(r);

	return (int)result(sc_proc_socket(c->proc, (int)c->req.pid, family,
					  type | SOCK_CLOEXEC, protocol));
}

static int op_connect(struct ns_call_rec *r, int fd,
		      const struct sockaddr *sa, socklen_t len)
{
	(void)r;
	return (int)result(connect(fd, sa, len));
}

/* A broken connection is the program's SIGPIPE to get, not ours. */
static ssize_t op_sendmsg(struct ns_call_rec *r, int fd,
			  const struct msghdr *m, int flags)
{
	(void)r;
	return result(sendmsg(fd, m, flags | MSG_NOSIGNAL));
}

static int op_setsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 const void *val, socklen_t len)
{
	(void)r;
	return (int)result(setsockopt(fd, level, name, val, len));
}

/* Both ends go to the program (op_install) before the numbers are
 * written to its array and the call answered (sc_sys_socketpair). */
static int op_socketpair(struct ns_call_rec *r, int family, int type,
			 int protocol, int sv[2])
{
	(void)r;
	return (int)result(socketpair(family, type | SOCK_CLOEXEC, protocol,
				      sv));
}

static int op_bind(struct ns_call_rec *r, int fd, const struct sockaddr *sa,
		   socklen_t len)
{
	(void)r;
	return (int)result(bind(fd, sa, len));
}

static int op_listen(struct ns_call_rec *r, int fd, int backlog)
{
	(void)r;
	return (int)result(listen(fd, backlog));
}

/*
 * A blocking accept waits on a thread of its own (sc_sys_accept). It
 * polls rather than blocks in accept, so that it notices within a tenth
 * of a second that the caller is gone (killed, or interrupted where the
 * kernel lacks WAIT_KILLABLE_RECV) and takes no connection meant for a
 * later call. False when the caller is gone.
 */
static bool wait_connection(struct sc_call *c)
{
	struct pollfd p = { c->dup, POLLIN, 0 };

	for (;;) {
		if (!sc_valid(c))
			return false;
		if (poll(&p, 1, 100) > 0)
			return true;
	}
}

/* The peer's address goes to the program's memory before the new socket
 * does (op_install may answer the call with it): no more of it than the
 * caller's buffer holds (c->alen), then its full length, as the kernel
 * writes them. */
static int op_accept(struct ns_call_rec *r, int fd, struct sockaddr *sa,
		     socklen_t *lenp, int flags)
{
	struct sc_call *c = call_of(r);
	uint64_t uaddr = c->req.data.args[1], ulen = c->req.data.args[2];
	int nfd;

	if (c->blocks && !wait_connection(c)) {
		c->answered = true;	/* nobody left to answer */
		c->trace = false;	/* nor to report */
		return -EINTR;
	}
	/* The kernel judges the flags; our copy is close-on-exec. */
	nfd = accept4(fd, sa, lenp, flags | SOCK_CLOEXEC);
	if (nfd < 0)
		return -errno;
	if (sa && lenp &&
	    (sc_write(c, uaddr, sa, *lenp < c->alen ? *lenp : c->alen) < 0 ||
	     sc_write(c, ulen, lenp, sizeof(*lenp)) < 0)) {
		close(nfd);
		return -EFAULT;	/* as the kernel: the connection is lost */
	}
	return nfd;
}

/* The value and its length go back to the program's memory. */
static int op_getsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 void *val, socklen_t *lenp)
{
	struct sc_call *c = call_of(r);
	uint64_t uval = c->req.data.args[3], ulen = c->req.data.args[4];

	if (getsockopt(fd, level, name, val, lenp) < 0)
		return -errno;
	if ((uval && sc_write(c, uval, val, *lenp) < 0) ||
	    sc_write(c, ulen, lenp, sizeof(*lenp)) < 0)
		return -EFAULT;
	return 0;
}

/* Not served (calls.h: the kernel's); for a front that would. */
static int op_shutdown(struct ns_call_rec *r, int fd, int how)
{
	(void)r;
	return (int)result(shutdown(fd, how));
}

static int op_fcntl(struct ns_call_rec *r, int fd, int cmd, int arg)
{
	(void)r;
	return (int)result(fcntl(fd, cmd, arg));
}

static int op_close(struct ns_call_rec *r, int fd)
{
	(void)r;
	return (int)result(close(fd));
}

/* FD_CLOEXEC belongs to the program's number, not to the file our
 * duplicate shares: /proc/PID/fdinfo shows it as O_CLOEXEC in "flags". */
static bool cloexec_of(struct sc_call *c, int fd)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int dfd;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", c->proc->tgid,
		 fd);
	dfd = open(path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	n = read(dfd, buf, sizeof(buf) - 1);
	close(dfd);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, "flags:");
	return p && (strtoul(p + 6, NULL, 8) & O_CLOEXEC);
}

/* Registers @sock, a socket of ours, in epoll instance @ep under the
 * program's number @at: an epoll item is known by the file and the number
 * it was added with (epoll_ctl(2)), and the program will modify or delete
 * it by its own number. The number is ours only in a thread with a copy
 * of our descriptor table (unshare(CLONE_FILES)), gone when it ends. */
struct rearm {
	int ep, sock, at;
	struct epoll_event ev;
};

static void *rearm_thread(void *arg)
{
	struct rearm *a = arg;

	if (unshare(CLONE_FILES) == 0 && dup3(a->sock, a->at, 0) == a->at)
		epoll_ctl(a->ep, EPOLL_CTL_ADD, a->at, &a->ev);
	return NULL;
}

static void rearm(struct sc_call *c, int sock, int at,
		  const struct ns_epoll_reg *reg)
{
	struct rearm a = { .sock = sock, .at = at,
			   .ev = { .events = reg->events,
				   .data.u64 = reg->data } };
	pthread_t th;

	a.ep = (int)syscall(SYS_pidfd_getfd, c->proc->pidfd, reg->epfd, 0);
	if (a.ep < 0)
		return;
	if (pthread_create(&th, NULL, rearm_thread, &a) == 0)
		pthread_join(th, NULL);
	close(a.ep);
}

/* A new socket goes in with the answer when it can (sc_addfd_sends); a
 * swap's takes the number with ADDFD_FLAG_SETFD, dup3 in the program, and
 * is then watched by the epoll instances that watched the number (Go's
 * netpoller registers a listener before the program sets options). */
static int op_install(struct ns_call_rec *r, int lfd, int fd, bool cloexec)
{
	struct ns_epoll_reg regs[NS_EPOLL_REGS_MAX];
	struct sc_call *c = call_of(r);
	int at, n;

	/* A pair's numbers are written to the program's array before the
	 * answer. */
	if (fd < 0)
		return sc_addfd(c, lfd, cloexec, -1,
				r->ev.call != NS_CALL_socketpair &&
					sc_addfd_sends(c));
	n = ns_epoll_find(c->proc->tgid, fd, regs, NS_EPOLL_REGS_MAX);
	at = sc_addfd(c, lfd, cloexec_of(c, fd), fd, false);
	for (int i = 0; at >= 0 && i < n; i++)
		rearm(c, lfd, at, &regs[i]);
	return at;
}

/* The program's other numbers of the socket are not looked for: a socket
 * the supervisor learnt only by probing is not swapped (ns_can_replace),
 * and one it saw made was made by one call at one number. */
static bool op_shared(struct ns_call_rec *r, int fd)
{
	(void)r;
	(void)fd;
	return false;
}

/* The socket argument is known (sc_take_fd); no other is asked about. */
static bool op_lookup(struct ns_call_rec *r, int fd, struct ns_fdinfo *info)
{
	struct sc_call *c = call_of(r);

	if (!c->ev.sock || fd != c->ev.fd)
		return false;
	*info = c->info;
	return true;
}

static void op_put(struct ns_call_rec *r, int fd, int lfd,
		   const struct ns_fdinfo *info)
{
	struct sc_call *c = call_of(r);
	struct ns_fdinfo in = *info;
	struct stat st;

	/* close() is not seen: the inode tells a number given to another
	 * socket since (sc_getfd). */
	if (fstat(lfd, &st) == 0)
		in.ino = (uint64_t)st.st_ino;
	ns_fdtab_put(c->proc->fdt, fd, &in);
	if (fd == c->ev.fd && c->ev.sock) {
		c->info = in;
		c->sock.protocol = in.protocol;
	}
}

static void op_set_state(struct ns_call_rec *r, int fd, uint32_t bits)
{
	struct sc_call *c = call_of(r);

	ns_fdtab_set_state(c->proc->fdt, fd, bits);
	if (fd == c->ev.fd)
		c->info.state |= bits;
}

static void op_listening(struct ns_call_rec *r, int fd, int backlog)
{
	struct sc_call *c = call_of(r);

	ns_fdtab_listen(c->proc->fdt, fd, backlog);
	if (fd == c->ev.fd) {
		c->info.state |= NS_FD_LISTENING;
		c->info.backlog = backlog;
	}
}

static void op_del(struct ns_call_rec *r, int fd)
{
	ns_fdtab_del(call_of(r)->proc->fdt, fd);
}

static void op_add_opt(struct ns_call_rec *r, int fd, int level, int name,
		       const void *val, unsigned len)
{
	ns_fdtab_add_opt(call_of(r)->proc->fdt, fd, level, name, val, len);
}

static int op_inject(struct ns_call_rec *r, const struct ns_fault_call *fc)
{
	return sc_inject(call_of(r), fc->family, fc->protocol, fc->sa,
			 fc->salen, fc->level, fc->optname);
}

const struct ns_ops sc_ops = {
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
	.install = op_install,
	.shared = op_shared,
	.lookup = op_lookup,
	.put = op_put,
	.set_state = op_set_state,
	.listening = op_listening,
	.del = op_del,
	.add_opt = op_add_opt,
	.inject = op_inject,
};
