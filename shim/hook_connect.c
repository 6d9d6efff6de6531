// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks that reach a peer: connect, and sendto/sendmsg when they name a
 * destination or carry MSG_FASTOPEN (any other send passes straight on). */
#include "shim.h"

#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

static int ns_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct ns_cx cx;
	int ret;

	if (!ns_enabled())
		return NS_REAL(connect)(fd, sa, len);
	ns_begin(&cx, NS_CALL_connect, fd);
	ret = NS_REAL(connect)(fd, sa, len);
	ns_after(&cx, ret);
	if (ret == 0 || cx.saved_errno == EINPROGRESS)
		ns_fd_set_state(fd, NS_FD_CONNECTED);
	cx.ev.u.addr.sa = sa;
	cx.ev.u.addr.len = len;
	ns_finish(&cx);
	return ret;
}

/* A send worth an event: a destination or a TCP Fast Open attempt. */
static inline bool interesting(int flags, const void *dest, socklen_t len)
{
	return (flags & MSG_FASTOPEN) || (dest && len);
}

static ssize_t ns_sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *sa, socklen_t salen)
{
	struct ns_cx cx;
	ssize_t ret;

	if (likely(!interesting(flags, sa, salen)) || !ns_enabled())
		return NS_REAL(sendto)(fd, buf, n, flags, sa, salen);
	ns_begin(&cx, NS_CALL_sendto, fd);
	ret = NS_REAL(sendto)(fd, buf, n, flags, sa, salen);
	ns_after(&cx, ret);
	if ((flags & MSG_FASTOPEN) &&
	    (ret >= 0 || cx.saved_errno == EINPROGRESS))
		ns_fd_set_state(fd, NS_FD_CONNECTED);
	cx.ev.u.send.len = n;
	cx.ev.u.send.flags = flags;
	cx.ev.u.send.sa = sa;
	cx.ev.u.send.salen = salen;
	ns_finish(&cx);
	return ret;
}

/* Bytes the message carries; only read once the kernel accepted the
 * iovec, and bounded by IOV_MAX as the kernel bounds it. */
static size_t iov_bytes(const struct msghdr *msg)
{
	size_t total = 0;

	if (!msg->msg_iov || msg->msg_iovlen > IOV_MAX)
		return 0;
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return total;
}

static ssize_t ns_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct ns_cx cx;
	ssize_t ret;

	if (likely(!msg || !interesting(flags, msg->msg_name,
					 msg->msg_namelen)) ||
	    !ns_enabled())
		return NS_REAL(sendmsg)(fd, msg, flags);
	ns_begin(&cx, NS_CALL_sendmsg, fd);
	ret = NS_REAL(sendmsg)(fd, msg, flags);
	ns_after(&cx, ret);
	if ((flags & MSG_FASTOPEN) &&
	    (ret >= 0 || cx.saved_errno == EINPROGRESS))
		ns_fd_set_state(fd, NS_FD_CONNECTED);
	cx.ev.u.send.len = ret >= 0 ? iov_bytes(msg) : 0;
	cx.ev.u.send.flags = flags;
	cx.ev.u.send.sa = msg->msg_name;
	cx.ev.u.send.salen = msg->msg_namelen;
	ns_finish(&cx);
	return ret;
}

NS_EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return ns_connect(fd, sa, len);
}

NS_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *sa, socklen_t salen)
{
	return ns_sendto(fd, buf, n, flags, sa, salen);
}

NS_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return ns_sendmsg(fd, msg, flags);
}
