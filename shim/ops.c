// SPDX-License-Identifier: LGPL-2.1-or-later
/* What the LD_PRELOAD front lends the engine's outcome layer (call.h): the
 * next library's calls, the fd table, and the descriptor juggling of
 * NETSHIM_MPTCP=fallback's swap. */
#include "shim.h"
#include "../src/buf.h"
#include "../src/epoll_regs.h"
#include "../src/sys.h"

#include <stddef.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static struct shim_cx *cx_of(struct ns_call_rec *r)
{
	return (struct shim_cx *)((char *)r - offsetof(struct shim_cx, rec));
}

/* A real call's result the engine's way (-errno), errno kept for the
 * program as shim_after keeps it (a success leaves it as it was). */
static long result(struct ns_call_rec *r, long ret)
{
	int err;

	if (likely(ret >= 0))
		return ret;
	err = errno;
	cx_of(r)->saved_errno = err;
	return -err;
}

static int op_socket(struct ns_call_rec *r, int family, int type,
		     int protocol)
{
	return (int)result(r, SHIM_REAL(socket)(family, type, protocol));
}

static int op_connect(struct ns_call_rec *r, int fd,
		      const struct sockaddr *sa, socklen_t len)
{
	return (int)result(r, SHIM_REAL(connect)(fd, sa, len));
}

/* The program's sendto reaches the next sendto in the chain, a sendmsg
 * the next sendmsg, as when no policy acts. */
static ssize_t op_sendmsg(struct ns_call_rec *r, int fd,
			  const struct msghdr *m, int flags)
{
	if (r->ev.call == NS_CALL_sendto)
		return result(r, SHIM_REAL(sendto)(fd, m->msg_iov[0].iov_base,
						 m->msg_iov[0].iov_len, flags,
						 m->msg_name,
						 m->msg_namelen));
	return result(r, SHIM_REAL(sendmsg)(fd, m, flags));
}

static int op_setsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 const void *val, socklen_t len)
{
	return (int)result(r, SHIM_REAL(setsockopt)(fd, level, name, val, len));
}

static int op_socketpair(struct ns_call_rec *r, int family, int type,
			 int protocol, int sv[2])
{
	return (int)result(r, SHIM_REAL(socketpair)(family, type, protocol,
						   sv));
}

static int op_bind(struct ns_call_rec *r, int fd, const struct sockaddr *sa,
		   socklen_t len)
{
	return (int)result(r, SHIM_REAL(bind)(fd, sa, len));
}

static int op_listen(struct ns_call_rec *r, int fd, int backlog)
{
	return (int)result(r, SHIM_REAL(listen)(fd, backlog));
}

/* The program's accept reaches the next accept, its accept4 the next
 * accept4, as when no policy acts. */
static int op_accept(struct ns_call_rec *r, int fd, struct sockaddr *sa,
		     socklen_t *lenp, int flags)
{
	if (r->ev.call == NS_CALL_accept4)
		return (int)result(r, SHIM_REAL(accept4)(fd, sa, lenp, flags));
	return (int)result(r, SHIM_REAL(accept)(fd, sa, lenp));
}

static int op_getsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 void *val, socklen_t *lenp)
{
	return (int)result(r, SHIM_REAL(getsockopt)(fd, level, name, val,
						    lenp));
}

static int op_shutdown(struct ns_call_rec *r, int fd, int how)
{
	return (int)result(r, SHIM_REAL(shutdown)(fd, how));
}

/* By system call: the program's fcntl, close and dup3 are hooked. */
static int op_fcntl(struct ns_call_rec *r, int fd, int cmd, int arg)
{
	int ret = ns_sys_fcntl(fd, cmd, arg);

	(void)r;
	return ret < 0 ? -errno : ret;
}

/* The program's own close goes down the chain, as when no policy acts. */
static int op_close(struct ns_call_rec *r, int fd)
{
	if (r->ev.call == NS_CALL_close)
		return (int)result(r, SHIM_REAL(close)(fd));
	return ns_sys_close(fd) < 0 ? -errno : 0;
}

static int op_close_range(struct ns_call_rec *r, unsigned first,
			  unsigned last, int flags)
{
	return (int)result(r, shim_close_range_sparing(first, last, flags));
}

static int op_dup(struct ns_call_rec *r, int fd, int newfd, int flags)
{
	struct shim_cx *cx = cx_of(r);

	switch (r->ev.call) {
	case NS_CALL_dup2:
		return (int)result(r, SHIM_REAL(dup2)(fd, newfd));
	case NS_CALL_dup3:
		return (int)result(r, SHIM_REAL(dup3)(fd, newfd, flags));
	case NS_CALL_fcntl:
		return (int)result(r, cx->fcntl_real(fd, flags,
						     (void *)(intptr_t)newfd));
	default:
		return (int)result(r, SHIM_REAL(dup)(fd));
	}
}

static bool op_lookup(struct ns_call_rec *r, int fd, struct ns_fdinfo *info)
{
	(void)r;
	return shim_fd_lookup(fd, info);
}

/* A vfork child's numbers are not its parent's: the table stays. */
static void child_put(struct ns_call_rec *r, int fd, int lfd,
		      const struct ns_fdinfo *info)
{
	(void)r;
	(void)fd;
	(void)lfd;
	(void)info;
}

static void child_del(struct ns_call_rec *r, int fd)
{
	(void)r;
	(void)fd;
}

static void child_del_range(struct ns_call_rec *r, unsigned first,
			    unsigned last)
{
	(void)r;
	(void)first;
	(void)last;
}

static int op_inject(struct ns_call_rec *r, const struct ns_fault_call *fc)
{
	struct ns_fault_hit hit;
	int saved = errno, err = 0;

	if (shim_inject(cx_of(r), fc, &hit))
		err = errno;
	errno = saved;
	return err;
}

/* Everything but the table's changes. */
#define SHIM_OPS_COMMON							\
	.socket = op_socket,						\
	.connect = op_connect,						\
	.sendmsg = op_sendmsg,						\
	.setsockopt = op_setsockopt,					\
	.socketpair = op_socketpair,					\
	.bind = op_bind,						\
	.listen = op_listen,						\
	.accept = op_accept,						\
	.getsockopt = op_getsockopt,					\
	.shutdown = op_shutdown,					\
	.fcntl = op_fcntl,						\
	.close = op_close,						\
	.dup = op_dup,							\
	.close_range = op_close_range,					\
	.install = ns_tab_install,						\
	.shared = ns_tab_shared,						\
	.lookup = op_lookup,						\
	.set_state = ns_tab_set_state,					\
	.listening = ns_tab_listening,					\
	.add_opt = ns_tab_add_opt,						\
	.inject = op_inject

const struct ns_ops shim_ops = {
	SHIM_OPS_COMMON,
	.put = ns_tab_put,
	.del = ns_tab_del,
	.del_range = ns_tab_del_range,
};

const struct ns_ops shim_child_ops = {
	SHIM_OPS_COMMON,
	.put = child_put,
	.del = child_del,
	.del_range = child_del_range,
};
