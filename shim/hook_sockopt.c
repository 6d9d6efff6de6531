// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks for socket options: setsockopt and getsockopt. */
#include "shim.h"
#include "../src/names.h"
#include "../src/policy.h"
#include "../src/buf.h"

#include <string.h>
#include <sys/socket.h>

/*
 * Copies the option's value for the event and the fd table: no more than
 * the kernel itself reads of it (ns_sockopt_read_len), and a name only up
 * to its NUL, so a program's short buffer is never read past.
 */
static size_t copy_value(unsigned char *dst, int level, int name,
			 const void *val, size_t n)
{
	const unsigned char *v = val;
	size_t i;

	if (!val || n > NS_OPTVAL_MAX)
		return 0;
	if (!ns_sockopt_is_string(level, name)) {
		memcpy(dst, val, n);
		return n;
	}
	for (i = 0; i < n && v[i]; i++)
		dst[i] = v[i];
	return i;
}

/* Options are remembered so a policy can replay them on a replacement
 * socket; one we cannot copy whole is counted as lost. */
static void remember_opt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	unsigned char copy[NS_OPTVAL_MAX];
	size_t n = ns_sockopt_read_len(level, name, len);

	n = ns_sockopt_replayable(level, name)
		    ? copy_value(copy, level, name, val, n)
		    : 0;
	if (ns_sockopt_is_string(level, name) && n)
		ns_fd_add_opt(fd, level, name, copy, (unsigned)n);
	else if (n && n == len)
		ns_fd_add_opt(fd, level, name, copy, (unsigned)n);
	else
		ns_fd_add_opt(fd, level, name, NULL, NS_FD_OPTVAL + 1);
}

/* The option's name for a policy note: "TCP_FASTOPEN". */
static const char *opt_name(int level, int name)
{
	const char *s = ns_name_sockopt(level, name);

	return s ? s : "the option";
}

/* Notes "PREFIX OPTION SUFFIX" then the kernel's errno and @tail. */
static void note_option(struct ns_cx *cx, const char *prefix, int level,
			int name, const char *suffix, int err,
			const char *tail)
{
	char what[96];
	struct ns_buf b;

	ns_buf_init(&b, what, sizeof(what) - 1);
	ns_buf_str(&b, prefix);
	ns_buf_str(&b, opt_name(level, name));
	ns_buf_str(&b, suffix);
	what[b.len] = '\0';
	ns_note(cx, what, err, tail);
}

/*
 * The kernel refused an option. NETSHIM_TFO=retry reports success for TCP
 * Fast Open on a TCP socket and goes on without it; NETSHIM_MPTCP=fallback
 * puts a TCP socket that takes the option in the MPTCP socket's place.
 * Returns the result the program gets.
 */
static int refused(struct ns_cx *cx, int fd, int level, int name,
		   const void *val, socklen_t len)
{
	struct ns_fdopt opt = { .level = level, .name = name };
	int err = cx->saved_errno;
	struct ns_fdinfo info;

	if (ns_cfg->tfo == NS_TFO_RETRY && ns_is_tfo_option(level, name) &&
	    ns_tfo_refused(err) && ns_fd_is_tcp(fd, &info)) {
		note_option(cx, "tfo=retry: kernel refused ", level, name, "",
			    err, ", went on without it");
		ns_succeed(cx, 0);
		return 0;
	}
	if (!ns_mptcp_option_refused(err) || !ns_fd_get(fd, &info) ||
	    !ns_can_replace(ns_cfg, &info))
		return -1;
	note_option(cx, "mptcp=fallback: kernel refused ", level, name,
		    " on MPTCP", err, NULL);
	if (ns_replace_with_tcp(cx, fd, &info, &opt, val, len) < 0)
		return -1;	/* the kernel's first answer stands */
	ns_after(cx, 0);	/* the duration covers the swap */
	ns_succeed(cx, 0);
	remember_opt(fd, level, name, val, len);
	return 0;
}

static NS_NOINLINE int setsockopt_on(int fd, int level, int name,
				     const void *val, socklen_t len)
{
	unsigned char copy[NS_OPTVAL_MAX];
	struct ns_cx cx;
	int ret;

	ns_begin(&cx, NS_CALL_setsockopt, fd);
	if (ns_cfg->tfo == NS_TFO_DROP && ns_is_tfo_option(level, name) &&
	    len == sizeof(int) && ns_fd_is_tcp(fd, NULL)) {
		/* Never reaches the kernel; the program goes on without. */
		ns_after(&cx, 0);
		ns_succeed(&cx, 0);
		ns_note(&cx, "tfo=drop: not passed to the kernel", 0, NULL);
		ret = 0;
	} else {
		/* An injected refusal goes where the kernel's would: to
		 * tfo=retry and mptcp=fallback. */
		if (ns_fault_on(NS_CALL_setsockopt) &&
		    ns_inject_fd(&cx, fd, NULL, 0, level, name))
			ret = -1;
		else
			ret = NS_REAL(setsockopt)(fd, level, name, val, len);
		ns_after(&cx, ret);
		if (ret < 0)
			ret = refused(&cx, fd, level, name, val, len);
		else if (ns_policy_records_options(ns_cfg))
			remember_opt(fd, level, name, val, len);
	}
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
			: copy_value(copy, level, name, val,
				     ns_sockopt_read_len(level, name, len));
	ns_finish(&cx);
	return ret;
}

static inline int ns_setsockopt(int fd, int level, int name, const void *val,
				socklen_t len)
{
	if (!ns_enabled(NS_CALL_setsockopt))
		return NS_REAL(setsockopt)(fd, level, name, val, len);
	return setsockopt_on(fd, level, name, val, len);
}

static NS_NOINLINE int getsockopt_on(int fd, int level, int name, void *val,
				     socklen_t *lenp)
{
	unsigned char copy[NS_OPTVAL_MAX];
	struct ns_cx cx;
	int ret;

	ns_begin(&cx, NS_CALL_getsockopt, fd);
	if (ns_fault_on(NS_CALL_getsockopt) &&
	    ns_inject_fd(&cx, fd, NULL, 0, level, name))
		ret = -1;
	else
		ret = NS_REAL(getsockopt)(fd, level, name, val, lenp);
	ns_after(&cx, ret);
	cx.ev.u.opt.level = level;
	cx.ev.u.opt.name = name;
	/* The value and its length exist only once the call succeeded; on
	 * failure lenp may be the very pointer the kernel refused. */
	cx.ev.u.opt.len = ret == 0 && lenp ? *lenp : 0;
	cx.ev.u.opt.val = copy;
	cx.ev.u.opt.vlen = ret == 0 ? copy_value(copy, level, name, val,
						 cx.ev.u.opt.len < sizeof(copy)
							 ? cx.ev.u.opt.len
							 : sizeof(copy))
				    : 0;
	ns_finish(&cx);
	return ret;
}

static inline int ns_getsockopt(int fd, int level, int name, void *val,
				socklen_t *lenp)
{
	if (!ns_enabled(NS_CALL_getsockopt))
		return NS_REAL(getsockopt)(fd, level, name, val, lenp);
	return getsockopt_on(fd, level, name, val, lenp);
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
