// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks for socket options: setsockopt and getsockopt. */
#include "shim.h"
#include "../src/names.h"

#include <sys/socket.h>

static NS_NOINLINE int setsockopt_on(int fd, int level, int name,
				     const void *val, socklen_t len)
{
	unsigned char copy[NS_OPTVAL_MAX];
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_setsockopt, fd);
	ns_do_setsockopt(&shim_ops, &cx.rec, fd, level, name, val, len);
	shim_settled(&cx);
	cx.ev.u.opt.level = level;
	cx.ev.u.opt.name = name;
	cx.ev.u.opt.len = len;
	cx.ev.u.opt.val = copy;
	/* Not when the kernel refused the descriptor or the memory, nor
	 * for a call no event shows. */
	cx.ev.u.opt.vlen =
		!cx.trace || cx.ev.err == EFAULT || cx.ev.err == EBADF ||
				cx.ev.err == ENOTSOCK
			? 0
			: ns_opt_copy(copy, level, name, val,
				      ns_sockopt_read_len(level, name, len));
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_setsockopt(int fd, int level, int name, const void *val,
				socklen_t len)
{
	if (!shim_enabled(NS_CALL_setsockopt))
		return SHIM_REAL(setsockopt)(fd, level, name, val, len);
	return setsockopt_on(fd, level, name, val, len);
}

static NS_NOINLINE int getsockopt_on(int fd, int level, int name, void *val,
				     socklen_t *lenp)
{
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_getsockopt, fd);
	ns_do_getsockopt(&shim_ops, &cx.rec, fd, level, name, val, lenp);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_getsockopt(int fd, int level, int name, void *val,
				socklen_t *lenp)
{
	if (!shim_enabled(NS_CALL_getsockopt))
		return SHIM_REAL(getsockopt)(fd, level, name, val, lenp);
	return getsockopt_on(fd, level, name, val, lenp);
}

NS_EXPORT int setsockopt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	return shim_setsockopt(fd, level, name, val, len);
}

NS_EXPORT int getsockopt(int fd, int level, int name, void *val,
			 socklen_t *len)
{
	return shim_getsockopt(fd, level, name, val, len);
}
