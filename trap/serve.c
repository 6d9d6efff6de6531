// SPDX-License-Identifier: LGPL-2.1-or-later
/* The blob's trapped calls, decoded from their registers and carried out
 * by the engine's entry points with the blob's operations (blob_ops.c). */
#include "blob_front.h"
#include "trap.h"
#include "../src/names.h"
#include "../src/policy.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define I(n) ((int)a[n])
#define P(n) ((void *)a[n])
#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

static long verbatim(long nr, const long *a)
{
	return trap_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static long do_socket(const long *a)
{
	struct blob_cx cx;

	blob_begin(&cx, NS_CALL_socket, -1);
	ns_do_socket(&blob_ops, &cx.rec, I(0), I(1), I(2));
	cx.ev.u.sock.family = I(0);
	cx.ev.u.sock.type = I(1);
	cx.ev.u.sock.protocol = I(2);
	return blob_finish(&cx);
}

static long do_connect(const long *a)
{
	struct blob_cx cx;

	blob_begin(&cx, NS_CALL_connect, I(0));
	ns_do_connect(&blob_ops, &cx.rec, I(0), P(1), (socklen_t)a[2]);
	cx.ev.u.addr.sa = P(1);
	cx.ev.u.addr.len = (socklen_t)a[2];
	return blob_finish(&cx);
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

/* The filter traps sendto only with a destination or MSG_FASTOPEN;
 * sendmsg always (its destination is in memory): one without either is
 * made as it came, as the library's hook passes it on. */
static long do_send(long nr, const long *a)
{
	struct iovec iov = { P(1), (size_t)a[2] };
	struct msghdr one = { .msg_name = P(4), .msg_namelen = (socklen_t)a[5],
			      .msg_iov = &iov, .msg_iovlen = 1 };
	const struct msghdr *msg = nr == SYS_sendto ? &one : P(1);
	int flags = nr == SYS_sendto ? I(3) : I(2);
	struct blob_cx cx;

	if (nr == SYS_sendmsg &&
	    (!msg || (!(flags & MSG_FASTOPEN) &&
		      !(msg->msg_name && msg->msg_namelen))))
		return verbatim(nr, a);
	blob_begin(&cx, nr == SYS_sendto ? NS_CALL_sendto : NS_CALL_sendmsg,
		   I(0));
	ns_do_send(&blob_ops, &cx.rec, I(0), msg, flags);
	cx.ev.u.send.len = nr == SYS_sendto ? (size_t)a[2]
			   : cx.ev.ret >= 0 ? iov_bytes(msg) : 0;
	cx.ev.u.send.flags = flags;
	cx.ev.u.send.sa = msg->msg_name;
	cx.ev.u.send.salen = msg->msg_namelen;
	return blob_finish(&cx);
}

static long do_setsockopt(const long *a)
{
	unsigned char copy[NS_OPTVAL_MAX];
	struct blob_cx cx;
	socklen_t len = (socklen_t)a[4];

	blob_begin(&cx, NS_CALL_setsockopt, I(0));
	ns_do_setsockopt(&blob_ops, &cx.rec, I(0), I(1), I(2), P(3), len);
	cx.ev.u.opt.level = I(1);
	cx.ev.u.opt.name = I(2);
	cx.ev.u.opt.len = len;
	cx.ev.u.opt.val = copy;
	cx.ev.u.opt.vlen =
		!cx.trace || cx.ev.err == EFAULT || cx.ev.err == EBADF ||
				cx.ev.err == ENOTSOCK
			? 0
			: ns_opt_copy(copy, I(1), I(2), P(3),
				      ns_sockopt_read_len(I(1), I(2), len));
	return blob_finish(&cx);
}

/* A call that no policy changes: NETSHIM_FAIL's rules, the kernel, the
 * event. */
static long plain(struct blob_cx *cx, long nr, const long *a,
		  const struct sockaddr *sa, socklen_t salen, int level,
		  int name)
{
	int err = ns_fault_wants(&blob_cfg->fault, cx->ev.call)
			  ? blob_rules(cx, I(0), sa, salen, level, name)
			  : 0;
	long r = err ? -err : verbatim(nr, a);

	blob_after(cx, r);
	return r;
}

static void remember(int fd, int family, int type, int protocol,
		     uint32_t state)
{
	struct ns_fdinfo info = {
		.family = family,
		.type = type & ~SOCK_FLAGS,
		.protocol = ns_effective_protocol(family, type, protocol),
		.state = state,
	};

	ns_fd_put(fd, &info);
}

static long do_socketpair(const long *a)
{
	struct blob_cx cx;
	int *sv = P(3);
	long r;

	blob_begin(&cx, NS_CALL_socketpair, -1);
	r = verbatim(SYS_socketpair, a);
	blob_after(&cx, r);
	cx.ev.u.sock.family = I(0);
	cx.ev.u.sock.type = I(1);
	cx.ev.u.sock.protocol = I(2);
	if (r == 0) {
		remember(sv[0], I(0), I(1), I(2), NS_FD_CONNECTED);
		remember(sv[1], I(0), I(1), I(2), NS_FD_CONNECTED);
		cx.ev.u.sock.sv[0] = sv[0];
		cx.ev.u.sock.sv[1] = sv[1];
	}
	return blob_finish(&cx);
}

static long do_bind(const long *a)
{
	struct blob_cx cx;

	blob_begin(&cx, NS_CALL_bind, I(0));
	if (plain(&cx, SYS_bind, a, P(1), (socklen_t)a[2], -1, -1) == 0)
		ns_fd_set_state(I(0), NS_FD_BOUND);
	cx.ev.u.addr.sa = P(1);
	cx.ev.u.addr.len = (socklen_t)a[2];
	return blob_finish(&cx);
}

static long do_listen(const long *a)
{
	struct blob_cx cx;

	blob_begin(&cx, NS_CALL_listen, I(0));
	if (plain(&cx, SYS_listen, a, NULL, 0, -1, -1) == 0)
		ns_fd_listen(I(0), I(1));
	cx.ev.u.num.n = I(1);
	return blob_finish(&cx);
}

static long do_accept(long nr, const long *a)
{
	enum ns_call call = nr == SYS_accept4 ? NS_CALL_accept4
					      : NS_CALL_accept;
	struct sockaddr *sa = P(1);
	socklen_t *lenp = P(2), inlen = 0;
	struct ns_fdinfo info;
	struct blob_cx cx;
	long nfd;

	/* The caller's buffer size; the kernel writes back the peer's full
	 * length, which may be more than fits (accept(2)). */
	if (sa && lenp)
		inlen = *lenp;
	blob_begin(&cx, call, I(0));
	nfd = plain(&cx, nr, a, NULL, 0, -1, -1);
	if (nfd >= 0) {
		ns_fd_set_state(I(0), NS_FD_SERVED);
		if (blob_ops.lookup(&cx.rec, I(0), &info))
			remember((int)nfd, info.family, info.type,
				 info.protocol,
				 NS_FD_ACCEPTED | NS_FD_CONNECTED);
		else
			ns_fd_del((int)nfd);
	}
	cx.ev.u.addr.sa = nfd >= 0 && lenp ? sa : NULL;
	cx.ev.u.addr.len = nfd >= 0 && lenp && *lenp < inlen ? *lenp : inlen;
	cx.ev.u.addr.flags = nr == SYS_accept4 ? I(3) : 0;
	return blob_finish(&cx);
}

static long do_getsockopt(const long *a)
{
	unsigned char copy[NS_OPTVAL_MAX];
	socklen_t *lenp = P(4);
	struct blob_cx cx;
	long r;

	blob_begin(&cx, NS_CALL_getsockopt, I(0));
	r = plain(&cx, SYS_getsockopt, a, NULL, 0, I(1), I(2));
	cx.ev.u.opt.level = I(1);
	cx.ev.u.opt.name = I(2);
	/* The value and its length exist only once the call succeeded. */
	cx.ev.u.opt.len = r == 0 && lenp ? *lenp : 0;
	cx.ev.u.opt.val = copy;
	cx.ev.u.opt.vlen = r == 0 ? ns_opt_copy(copy, I(1), I(2), P(3),
					       cx.ev.u.opt.len < sizeof(copy)
						       ? cx.ev.u.opt.len
						       : sizeof(copy))
				  : 0;
	return blob_finish(&cx);
}

/* The calls the filter traps (filter.c's served list); -errno or the
 * result, for rax. */
long trap_dispatch(long nr, const long *a)
{
	switch (nr) {
	case SYS_socket: return do_socket(a);
	case SYS_socketpair: return do_socketpair(a);
	case SYS_connect: return do_connect(a);
	case SYS_bind: return do_bind(a);
	case SYS_listen: return do_listen(a);
	case SYS_accept:
	case SYS_accept4: return do_accept(nr, a);
	case SYS_setsockopt: return do_setsockopt(a);
	case SYS_getsockopt: return do_getsockopt(a);
	case SYS_sendto:
	case SYS_sendmsg: return do_send(nr, a);
	default: return verbatim(nr, a);
	}
}
