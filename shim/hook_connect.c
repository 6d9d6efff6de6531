// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks that reach a peer: connect, and sendto/sendmsg when they name a
 * destination or carry MSG_FASTOPEN (any other send passes straight on). */
#include "shim.h"

#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

static NS_NOINLINE int connect_on(int fd, const struct sockaddr *sa,
				  socklen_t len)
{
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_connect, fd);
	ns_do_connect(&shim_ops, &cx.rec, fd, sa, len);
	shim_settled(&cx);
	cx.ev.u.addr.sa = sa;
	cx.ev.u.addr.len = len;
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (!shim_enabled(NS_CALL_connect))
		return SHIM_REAL(connect)(fd, sa, len);
	return connect_on(fd, sa, len);
}

/* A send worth an event: a destination or a TCP Fast Open attempt. */
static inline bool interesting(int flags, const void *dest, socklen_t len)
{
	return (flags & MSG_FASTOPEN) || (dest && len);
}

static NS_NOINLINE ssize_t sendto_on(int fd, const void *buf, size_t n,
				     int flags, const struct sockaddr *sa,
				     socklen_t salen)
{
	struct iovec iov = { (void *)buf, n };
	struct msghdr msg = { .msg_name = (void *)sa, .msg_namelen = salen,
			      .msg_iov = &iov, .msg_iovlen = 1 };
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_sendto, fd);
	ns_do_send(&shim_ops, &cx.rec, fd, &msg, flags);
	shim_settled(&cx);
	cx.ev.u.send.len = n;
	cx.ev.u.send.flags = flags;
	cx.ev.u.send.sa = sa;
	cx.ev.u.send.salen = salen;
	shim_finish(&cx);
	return cx.ev.ret;
}

static inline ssize_t shim_sendto(int fd, const void *buf, size_t n, int flags,
				const struct sockaddr *sa, socklen_t salen)
{
	if (likely(!interesting(flags, sa, salen)) || !shim_enabled(NS_CALL_sendto))
		return SHIM_REAL(sendto)(fd, buf, n, flags, sa, salen);
	return sendto_on(fd, buf, n, flags, sa, salen);
}

static ssize_t shim_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct shim_cx cx;

	if (likely(!msg || !interesting(flags, msg->msg_name,
					 msg->msg_namelen)) ||
	    !shim_enabled(NS_CALL_sendmsg))
		return SHIM_REAL(sendmsg)(fd, msg, flags);
	shim_begin(&cx, NS_CALL_sendmsg, fd);
	ns_do_send(&shim_ops, &cx.rec, fd, msg, flags);
	shim_settled(&cx);
	cx.ev.u.send.len = cx.ev.ret >= 0 ? ns_iov_bytes(msg) : 0;
	cx.ev.u.send.flags = flags;
	cx.ev.u.send.sa = msg->msg_name;
	cx.ev.u.send.salen = msg->msg_namelen;
	shim_finish(&cx);
	return cx.ev.ret;
}

NS_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return shim_connect(fd, sa, len);
}

NS_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *sa, socklen_t salen)
{
	return shim_sendto(fd, buf, n, flags, sa, salen);
}

NS_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return shim_sendmsg(fd, msg, flags);
}
