// SPDX-License-Identifier: LGPL-2.1-or-later
/* close, close_range, dup, dup2, dup3 and fcntl's F_DUPFD as the engine
 * carries them out for every front: what the fd table must learn of a
 * descriptor's lifetime, and what the event shows. A front keeps its own
 * descriptors (a trace file) out of the program's reach itself. */
#include "call.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>

int ns_do_close(const struct ns_ops *o, struct ns_call_rec *r, int fd)
{
	int ret;

	o->del(r, fd);
	ret = o->close(r, r->kfd);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	if (ret == -EBADF)
		r->ev.sock = NULL;	/* it was stale */
	return ret < 0 ? -1 : 0;
}

int ns_do_close_range(const struct ns_ops *o, struct ns_call_rec *r,
		      unsigned first, unsigned last, int flags)
{
	int ret;

	/* Before the call, as close does; only arguments the kernel takes
	 * (close_range(2)) close anything. */
	if (first <= last && !(flags & ~CLOSE_RANGE_UNSHARE))
		o->del_range(r, first, last);
	ret = o->close_range(r, first, last, flags);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	r->ev.u.fds.a = first;
	r->ev.u.fds.b = last;
	r->ev.u.fds.c = flags;
	return ret < 0 ? -1 : 0;
}

int ns_do_dup(const struct ns_ops *o, struct ns_call_rec *r, int fd,
	      int newfd, int flags, const struct ns_fdinfo *info)
{
	enum ns_call call = r->ev.call;
	bool to = call == NS_CALL_dup2 || call == NS_CALL_dup3;
	int ret = o->dup(r, r->kfd, newfd, flags);

	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	/* The socket's entry was stale when @fd is not open: libc closed
	 * it behind our back. For dup2 the EBADF may be newfd's. */
	if (ret == -EBADF && info && o->fcntl(r, r->kfd, F_GETFD, 0) < 0) {
		o->del(r, fd);
		r->ev.sock = NULL;
	}
	/* dup2 of a number onto itself changes nothing. */
	if (ret >= 0 && !(to && fd == newfd)) {
		if (info)
			o->put(r, ret, ret, info);
		else
			o->del(r, ret);	/* whatever was stale there */
	}
	if (to) {
		r->ev.u.fds.a = newfd;
		r->ev.u.fds.b = flags;
	} else if (call == NS_CALL_fcntl) {
		r->ev.u.fds.a = flags;
		r->ev.u.fds.b = newfd;
	}
	return ret < 0 ? -1 : ret;
}
