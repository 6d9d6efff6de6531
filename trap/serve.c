// SPDX-License-Identifier: LGPL-2.1-or-later
/* The blob's trapped calls, decoded from their registers and carried out
 * by the engine's entry points with the blob's operations (blob_ops.c). */
#include "blob_front.h"
#include "trap.h"
#include "../src/names.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define I(n) ((int)a[n])
#define P(n) ((void *)a[n])

static long verbatim(long nr, const long *a)
{
	return trap_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The filter traps sendto only with a destination or MSG_FASTOPEN, and
 * sendmsg always (its destination is in memory): one with neither is
 * made as it came, as the library's hook passes it on. */
static long serve_send(struct blob_cx *cx, long nr, const long *a,
		       const uint64_t *mask)
{
	struct iovec iov = { P(1), (size_t)a[2] };
	struct msghdr one = { .msg_name = P(4), .msg_namelen = (socklen_t)a[5],
			      .msg_iov = &iov, .msg_iovlen = 1 };
	const struct msghdr *msg = nr == SYS_sendto ? &one : P(1);
	int flags = nr == SYS_sendto ? I(3) : I(2);

	if (nr == SYS_sendmsg &&
	    (!msg || (!(flags & MSG_FASTOPEN) &&
		      !(msg->msg_name && msg->msg_namelen))))
		return blob_blocking(mask, nr, a[0], a[1], a[2], 0, 0, 0);
	blob_begin(cx, nr == SYS_sendto ? NS_CALL_sendto : NS_CALL_sendmsg,
		   I(0), mask);
	ns_do_send(&blob_ops, &cx->rec, I(0), msg, flags);
	cx->ev.u.send.len = nr == SYS_sendto ? (size_t)a[2]
			    : cx->ev.ret >= 0 ? ns_iov_bytes(msg) : 0;
	cx->ev.u.send.flags = flags;
	cx->ev.u.send.sa = msg->msg_name;
	cx->ev.u.send.salen = msg->msg_namelen;
	return blob_finish(cx);
}

static void serve_setsockopt(struct blob_cx *cx, const long *a,
		       unsigned char *copy)
{
	socklen_t len = (socklen_t)a[4];

	ns_do_setsockopt(&blob_ops, &cx->rec, I(0), I(1), I(2), P(3), len);
	cx->ev.u.opt.level = I(1);
	cx->ev.u.opt.name = I(2);
	cx->ev.u.opt.len = len;
	cx->ev.u.opt.val = copy;
	/* Not when the kernel refused the descriptor or the memory, nor
	 * for a call no event shows. */
	cx->ev.u.opt.vlen =
		!cx->trace || cx->ev.err == EFAULT || cx->ev.err == EBADF ||
				cx->ev.err == ENOTSOCK
			? 0
			: ns_opt_copy(copy, I(1), I(2), P(3),
				      ns_sockopt_read_len(I(1), I(2), len));
}

/* The calls the filter traps (filter.c's served list), from their
 * registers (x86_64: rdi, rsi, rdx, r10, r8, r9): the result or -errno,
 * for rax. */
long trap_dispatch(long nr, const long *a, const uint64_t *mask)
{
	unsigned char copy[NS_OPTVAL_MAX];
	const struct ns_ops *o = &blob_ops;
	struct blob_cx cx;
	struct ns_call_rec *r = &cx.rec;

	switch (nr) {
	case SYS_socket:
		blob_begin(&cx, NS_CALL_socket, -1, mask);
		ns_do_socket(o, r, I(0), I(1), I(2));
		break;
	case SYS_socketpair:
		blob_begin(&cx, NS_CALL_socketpair, -1, mask);
		ns_do_socketpair(o, r, I(0), I(1), I(2), P(3));
		break;
	case SYS_connect:
		blob_begin(&cx, NS_CALL_connect, I(0), mask);
		ns_do_connect(o, r, I(0), P(1), (socklen_t)a[2]);
		cx.ev.u.addr.sa = P(1);
		cx.ev.u.addr.len = (socklen_t)a[2];
		break;
	case SYS_bind:
		blob_begin(&cx, NS_CALL_bind, I(0), mask);
		ns_do_bind(o, r, I(0), P(1), (socklen_t)a[2]);
		break;
	case SYS_listen:
		blob_begin(&cx, NS_CALL_listen, I(0), mask);
		ns_do_listen(o, r, I(0), I(1));
		break;
	case SYS_accept:
	case SYS_accept4:
		blob_begin(&cx, nr == SYS_accept ? NS_CALL_accept
						 : NS_CALL_accept4, I(0), mask);
		ns_do_accept(o, r, I(0), P(1), P(2),
			     nr == SYS_accept4 ? I(3) : 0);
		break;
	case SYS_setsockopt:
		blob_begin(&cx, NS_CALL_setsockopt, I(0), mask);
		serve_setsockopt(&cx, a, copy);
		break;
	case SYS_getsockopt:
		blob_begin(&cx, NS_CALL_getsockopt, I(0), mask);
		ns_do_getsockopt(o, r, I(0), I(1), I(2), P(3), P(4));
		break;
	case SYS_sendto:
	case SYS_sendmsg:
		return serve_send(&cx, nr, a, mask);
	default:
		return verbatim(nr, a);
	}
	return blob_finish(&cx);
}
