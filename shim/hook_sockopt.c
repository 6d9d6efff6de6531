// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks for socket options: setsockopt and getsockopt. */
#include "shim.h"

#include <string.h>
#include <sys/socket.h>

static int ns_setsockopt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	struct ns_cx cx;
	int ret;

	if (!ns_enabled())
		return NS_REAL(setsockopt)(fd, level, name, val, len);
	ns_begin(&cx, NS_CALL_setsockopt, fd);
	ret = NS_REAL(setsockopt)(fd, level, name, val, len);
	ns_after(&cx, ret);
	/* Integer options are remembered, so a policy can replay them on a
	 * replacement socket. The kernel read them, so they are readable. */
	if (ret == 0 && val && len == sizeof(int)) {
		int v;

		memcpy(&v, val, sizeof(v));
		ns_fd_add_opt(fd, level, name, v);
	}
	cx.ev.u.opt.level = level;
	cx.ev.u.opt.name = name;
	cx.ev.u.opt.val = val;
	cx.ev.u.opt.len = len;
	ns_finish(&cx);
	return ret;
}

static int ns_getsockopt(int fd, int level, int name, void *val,
			 socklen_t *lenp)
{
	struct ns_cx cx;
	int ret;

	if (!ns_enabled())
		return NS_REAL(getsockopt)(fd, level, name, val, lenp);
	ns_begin(&cx, NS_CALL_getsockopt, fd);
	ret = NS_REAL(getsockopt)(fd, level, name, val, lenp);
	ns_after(&cx, ret);
	cx.ev.u.opt.level = level;
	cx.ev.u.opt.name = name;
	/* The value and its length exist only once the call succeeded; on
	 * failure lenp may be the very pointer the kernel refused. */
	cx.ev.u.opt.val = ret == 0 ? val : NULL;
	cx.ev.u.opt.len = ret == 0 && lenp ? *lenp : 0;
	ns_finish(&cx);
	return ret;
}

NS_EXPORT int setsockopt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	return ns_setsockopt(fd, level, name, val, len);
}

NS_EXPORT int getsockopt(int fd, int level, int name, void *val,
			 socklen_t *len)
{
	return ns_getsockopt(fd, level, name, val, len);
}
