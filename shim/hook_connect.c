// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks that reach a peer: connect, and sendto/sendmsg when they name a
 * destination or carry MSG_FASTOPEN (any other send passes straight on). */
#include "shim.h"
#include "../src/policy.h"
#include "../src/sys.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

static NS_NOINLINE int connect_on(int fd, const struct sockaddr *sa,
				  socklen_t len)
{
	struct ns_cx cx;
	int ret;

	ns_begin(&cx, NS_CALL_connect, fd);
	/* An injected failure comes from connect itself, also on a
	 * non-blocking socket, as the kernel's ENETUNREACH does. */
	if (ns_fault_on(NS_CALL_connect) &&
	    ns_inject_fd(&cx, fd, sa, len, -1, -1))
		ret = -1;
	else
		ret = NS_REAL(connect)(fd, sa, len);
	ns_after(&cx, ret);
	if (ret == 0 || cx.saved_errno == EINPROGRESS)
		ns_fd_set_state(fd, NS_FD_CONNECTED);
	cx.ev.u.addr.sa = sa;
	cx.ev.u.addr.len = len;
	ns_finish(&cx);
	return ret;
}

static inline int ns_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (!ns_enabled(NS_CALL_connect))
		return NS_REAL(connect)(fd, sa, len);
	return connect_on(fd, sa, len);
}

/* A send worth an event: a destination or a TCP Fast Open attempt. */
static inline bool interesting(int flags, const void *dest, socklen_t len)
{
	return (flags & MSG_FASTOPEN) || (dest && len);
}

/* A TCP socket Fast Open applies to, not yet connected. */
static bool tfo_candidate(int fd)
{
	struct ns_fdinfo info;

	return ns_fd_is_tcp(fd, &info) && !(info.state & NS_FD_CONNECTED);
}

/* connect(), non-blocking when the send asked for MSG_DONTWAIT as the
 * kernel's MSG_FASTOPEN connect then is (tcp_sendmsg_fastopen). */
static int connect_for_send(int fd, const struct msghdr *msg, int flags)
{
	int fl = -1, ret, err;

	/* Only a blocking socket is switched, and only for the connect. */
	if ((flags & MSG_DONTWAIT) &&
	    (fl = ns_sys_fcntl(fd, F_GETFL, 0)) >= 0 && !(fl & O_NONBLOCK))
		ns_sys_fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	else
		fl = -1;
	ret = NS_REAL(connect)(fd, msg->msg_name, msg->msg_namelen);
	err = errno;
	if (fl >= 0)
		ns_sys_fcntl(fd, F_SETFL, fl);
	errno = err;
	return ret;
}

/*
 * What MSG_FASTOPEN does, without it: connect, then send. A non-blocking
 * socket gets EINPROGRESS and nothing is sent, as the kernel answers
 * MSG_FASTOPEN without a cookie (tcp(7)); a blocking one sends the data
 * once connected. A success leaves errno as the program had it.
 */
static ssize_t fastopen_by_hand(struct ns_cx *cx, int fd,
				const struct msghdr *msg, int flags)
{
	struct msghdr plain = *msg;
	ssize_t ret;

	if (connect_for_send(fd, msg, flags) < 0 && errno != EISCONN) {
		ns_after(cx, -1);
		return -1;
	}
	ns_fd_set_state(fd, NS_FD_CONNECTED);
	plain.msg_name = NULL;
	plain.msg_namelen = 0;
	ret = NS_REAL(sendmsg)(fd, &plain, flags & ~MSG_FASTOPEN);
	ns_after(cx, ret);
	if (ret >= 0)
		ns_succeed(cx, ret);
	return ret;
}

/* The kernel's sendmsg, or the failure a NETSHIM_FAIL rule for the
 * program's call (sendto or sendmsg) puts in its place. */
static ssize_t real_sendmsg(struct ns_cx *cx, int fd, const struct msghdr *msg,
			    int flags)
{
	if (ns_fault_on(cx->ev.call) &&
	    ns_inject_fd(cx, fd, msg->msg_name, msg->msg_namelen, -1, -1))
		return -1;
	return NS_REAL(sendmsg)(fd, msg, flags);
}

/* NETSHIM_TFO for a send with MSG_FASTOPEN; both sendto and sendmsg come
 * here as a message. Returns the result the program gets. */
static ssize_t send_fastopen(struct ns_cx *cx, int fd, const struct msghdr *msg,
			     int flags)
{
	ssize_t ret;

	if (ns_cfg->tfo == NS_TFO_DROP && tfo_candidate(fd)) {
		ns_note(cx, "tfo=drop: connect, then send without MSG_FASTOPEN",
			0, NULL);
		return fastopen_by_hand(cx, fd, msg, flags);
	}
	ret = real_sendmsg(cx, fd, msg, flags);
	ns_after(cx, ret);
	if (ret < 0 && ns_cfg->tfo == NS_TFO_RETRY &&
	    ns_tfo_refused(cx->saved_errno) && tfo_candidate(fd)) {
		ns_note(cx, "tfo=retry: kernel refused MSG_FASTOPEN",
			cx->saved_errno, ", connect, then send");
		ret = fastopen_by_hand(cx, fd, msg, flags);
	}
	return ret;
}

static NS_NOINLINE ssize_t sendto_on(int fd, const void *buf, size_t n,
				     int flags, const struct sockaddr *sa,
				     socklen_t salen)
{
	struct iovec iov = { (void *)buf, n };
	struct msghdr msg = { .msg_name = (void *)sa, .msg_namelen = salen,
			      .msg_iov = &iov, .msg_iovlen = 1 };
	struct ns_cx cx;
	ssize_t ret;

	ns_begin(&cx, NS_CALL_sendto, fd);
	if ((flags & MSG_FASTOPEN) && ns_cfg->tfo != NS_TFO_PASS) {
		ret = send_fastopen(&cx, fd, &msg, flags);
	} else if (ns_fault_on(NS_CALL_sendto) &&
		   ns_inject_fd(&cx, fd, sa, salen, -1, -1)) {
		ret = -1;
		ns_after(&cx, ret);
	} else {
		ret = NS_REAL(sendto)(fd, buf, n, flags, sa, salen);
		ns_after(&cx, ret);
	}
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

static inline ssize_t ns_sendto(int fd, const void *buf, size_t n, int flags,
				const struct sockaddr *sa, socklen_t salen)
{
	if (likely(!interesting(flags, sa, salen)) || !ns_enabled(NS_CALL_sendto))
		return NS_REAL(sendto)(fd, buf, n, flags, sa, salen);
	return sendto_on(fd, buf, n, flags, sa, salen);
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
	    !ns_enabled(NS_CALL_sendmsg))
		return NS_REAL(sendmsg)(fd, msg, flags);
	ns_begin(&cx, NS_CALL_sendmsg, fd);
	if ((flags & MSG_FASTOPEN) && ns_cfg->tfo != NS_TFO_PASS) {
		ret = send_fastopen(&cx, fd, msg, flags);
	} else {
		ret = real_sendmsg(&cx, fd, msg, flags);
		ns_after(&cx, ret);
	}
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
