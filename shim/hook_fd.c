// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks for descriptor lifetime: close, close_range, closefrom, dup, dup2,
 * dup3, fcntl(F_DUPFD*). They keep the fd table right, trace what happens
 * to known sockets, and keep the trace descriptor alive when the program
 * closes everything or dup2s over it. */
#include "shim.h"
#include "../src/sys.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

/* netshim's own descriptors: the trace and the copy of stderr (init.c).
 * One load when there is neither. */
static bool is_sink(int fd)
{
	return ns_sink_owns(&shim_sink, fd) || shim_errfd_is(fd);
}

/* To the program these numbers were never open (close(2), fcntl(2),
 * dup(2): EBADF), so it can neither close them, nor clear FD_CLOEXEC and
 * hand them to a child, nor copy them. */
static int not_open(void)
{
	errno = EBADF;
	return -1;
}

/* The program closes what may be our stderr: whatever it puts there next
 * may be a pipe, so write to it SIGPIPE-safely from now on. */
static void distrust_stderr(unsigned first, unsigned last)
{
	int s = shim_sink.fd;

	if (!shim_sink.owned && s >= 0 && (unsigned)s >= first &&
	    (unsigned)s <= last) {
		shim_sink.pipe = true;
		shim_sink.sock = false;
	}
}

static int sink_fd(void)
{
	return shim_sink.owned ? __atomic_load_n(&shim_sink.fd, __ATOMIC_RELAXED)
			     : -1;
}

/* netshim's own numbers in ascending order, -1 for none; returns how
 * many. */
static int own_fds(int keep[2])
{
	int a = sink_fd(), b = __atomic_load_n(&shim_errfd, __ATOMIC_RELAXED);
	int n = 0;

	if (a >= 0 && b >= 0 && b < a)
		keep[n++] = b, b = -1;
	if (a >= 0)
		keep[n++] = a;
	if (b >= 0)
		keep[n++] = b;
	return n;
}

/* glibc has close_range and closefrom since 2.34; older ones get the
 * system call (Linux 5.9). */
static int real_close_range(unsigned first, unsigned last, int flags)
{
	int (*f)(unsigned, unsigned, int) = SHIM_REAL(close_range);

	return f ? f(first, last, flags)
		 : (int)syscall(SYS_close_range, first, last, flags);
}

/*
 * A vfork child (or a clone sharing our memory) writes to the parent's fd
 * table but has descriptors of its own: what it closes or duplicates must
 * not change what the parent knows. Its events say who it is.
 */
static bool shared_child(struct shim_cx *cx)
{
	int pid = shim_memory_child();

	if (likely(!pid))
		return false;
	cx->ev.pid = pid;
	cx->ev.tid = pid;	/* vfork children have one thread */
	return true;
}

/* The engine's operations for a call of this process, or of a vfork
 * child, whose calls leave the table alone. */
static const struct ns_ops *ops_for(struct shim_cx *cx)
{
	return unlikely(shared_child(cx)) ? &shim_child_ops : &shim_ops;
}

/* A known socket's event starts with what it is, taken before the call
 * may make the number mean something else. */
static const struct ns_ops *begin_known(struct shim_cx *cx,
					enum ns_call call, int fd,
					const struct ns_fdinfo *info,
					struct ns_sock *sock)
{
	*sock = (struct ns_sock){ info->family, info->type, info->protocol };
	shim_begin(cx, call, fd);
	cx->ev.sock = sock;
	return ops_for(cx);
}

/* A number the table does not know: the engine forgets what it becomes
 * (ns_do_dup), and no event is written, nor the clock read. */
static const struct ns_ops *begin_unknown(struct shim_cx *cx,
					  enum ns_call call, int fd)
{
	cx->entry_errno = errno;
	cx->saved_errno = cx->entry_errno;
	cx->cfg = shim_cfg;
	cx->kfd = fd;
	cx->trace = false;
	cx->rescued = false;
	cx->ev.call = call;
	cx->ev.fd = fd;
	cx->ev.sock = NULL;
	return &shim_ops;
}

static NS_NOINLINE int close_on(int fd)
{
	struct ns_fdinfo info;
	struct ns_sock sock;
	struct shim_cx cx;

	distrust_stderr((unsigned)fd, (unsigned)fd);
	/* A signal handler that interrupted its own thread's table
	 * operation cannot look: the kernel says what the number is. */
	if (!ns_fd_get(fd, &info) &&
	    !(ns_fd_busy() && shim_fd_kind(fd, &info)))
		return SHIM_REAL(close)(fd);
	ns_do_close(begin_known(&cx, NS_CALL_close, fd, &info, &sock),
		    &cx.rec, fd);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

/*
 * The guards of netshim's own descriptors come after the gate: netshim
 * holds none unless every call is seen (a trace, or the copy of stderr,
 * which state.c keeps only then), so a call no knob touches stays a
 * branch and a call, and netshim's own calls (shim_guard) pass.
 */
static NS_NOINLINE int close_guarded(int fd)
{
	if (unlikely(is_sink(fd)))
		return not_open();
	return close_on(fd);
}

static inline int shim_close(int fd)
{
	if (!shim_enabled(NS_CALL_close))
		return SHIM_REAL(close)(fd);
	return close_guarded(fd);
}

/* close_range over netshim's descriptors closes around them. With
 * CLOSE_RANGE_CLOEXEC too: the trace `netshim run` hands down keeps
 * FD_CLOEXEC clear on purpose (sink.c, ns_sink_adopt). */
int shim_close_range_sparing(unsigned first, unsigned last, int flags)
{
	int keep[2], n = own_fds(keep), ret = 0;

	for (int i = 0; i < n && ret == 0; i++) {
		unsigned k = (unsigned)keep[i];

		if (k < first || k > last)
			continue;
		if (k > first)
			ret = real_close_range(first, k - 1, flags);
		if (k == last)
			return ret;
		first = k + 1;
	}
	return ret ? ret : real_close_range(first, last, flags);
}

static NS_NOINLINE int close_range_on(unsigned first, unsigned last, int flags)
{
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_close_range, -1);
	distrust_stderr(first, last);
	ns_do_close_range(ops_for(&cx), &cx.rec, first, last, flags);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_close_range(unsigned first, unsigned last, int flags)
{
	if (!shim_enabled(NS_CALL_close_range))
		return real_close_range(first, last, flags);
	return close_range_on(first, last, flags);
}

/*
 * close_range is missing (Linux before 5.9) or forbidden (a seccomp
 * filter): glibc's closefrom then walks /proc/self/fd. Ours does that above
 * the trace descriptor and closes the numbers below it one by one.
 */
static void closefrom_by_hand(void (*real)(int), unsigned first)
{
	int keep[2], n = own_fds(keep), s = n ? keep[n - 1] : -1;

	if (s < 0 || (unsigned)s < first) {
		if (real)
			real((int)first);
		return;
	}
	for (unsigned fd = first; fd < (unsigned)s; fd++)
		if ((int)fd != keep[0])
			ns_sys_close((int)fd);
	if (real)
		real(s + 1);
}

static void shim_closefrom(int lowfd)
{
	void (*real)(int) = SHIM_REAL(closefrom);
	struct shim_cx cx;
	unsigned first;

	if (!shim_enabled(NS_CALL_closefrom)) {
		if (real)
			real(lowfd);
		else
			real_close_range((unsigned)lowfd, ~0U, 0);
		return;
	}
	shim_begin(&cx, NS_CALL_closefrom, -1);
	first = lowfd < 0 ? 0 : (unsigned)lowfd;	/* as glibc clamps */
	if (!shared_child(&cx))
		ns_fd_del_range(first, ~0U);
	distrust_stderr(first, ~0U);
	if (shim_close_range_sparing(first, ~0U, 0) < 0)
		closefrom_by_hand(real, first);
	shim_after(&cx, 0);
	cx.ev.u.fds.a = lowfd;
	shim_finish(&cx);
}

static NS_NOINLINE int dup_on(int fd)
{
	struct ns_fdinfo info;
	struct ns_sock sock;
	struct shim_cx cx;
	bool known = ns_fd_get(fd, &info);
	const struct ns_ops *o;

	o = known ? begin_known(&cx, NS_CALL_dup, fd, &info, &sock)
		  : begin_unknown(&cx, NS_CALL_dup, fd);
	ns_do_dup(o, &cx.rec, fd, -1, 0, known ? &info : NULL);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static NS_NOINLINE int dup_guarded(int fd)
{
	if (unlikely(is_sink(fd)))
		return not_open();
	return dup_on(fd);
}

static inline int shim_dup(int fd)
{
	if (!shim_enabled(NS_CALL_dup))
		return SHIM_REAL(dup)(fd);
	return dup_guarded(fd);
}

/* dup2 and dup3; @flags only counts for dup3. */
static NS_NOINLINE int dup23_on(enum ns_call call, int fd, int newfd, int flags)
{
	struct ns_fdinfo info;
	struct ns_sock sock;
	struct shim_cx cx;
	const struct ns_ops *o;
	int ret, given_up = -1;
	bool known;

	/* The program wants the number our trace file has: move ours (not
	 * from a vfork child, whose dup2 only replaces its own copy). If no
	 * number is free, tracing stops rather than write into its file. */
	if (unlikely(ns_sink_owns(&shim_sink, newfd)) && fd != newfd) {
		int pid = shim_memory_child();

		if (pid) {
			shim_sink_clobbered_by = pid;	/* see emit.c */
		} else if ((given_up = ns_sink_move(&shim_sink)) < 0) {
			ns_sink_disable(&shim_sink, &shim_io);
		}
	}
	known = ns_fd_get(fd, &info);
	o = known ? begin_known(&cx, call, fd, &info, &sock)
		  : begin_unknown(&cx, call, fd);
	ns_do_dup(o, &cx.rec, fd, newfd, flags, known ? &info : NULL);
	shim_settled(&cx);
	ret = (int)cx.ev.ret;
	if (ret < 0 && given_up >= 0)
		ns_sys_close(given_up);	/* as if never open */
	if (ret >= 0 && !shim_sink.owned && newfd == shim_sink.fd)
		ns_sink_reclassify(&shim_sink);	/* a new stderr */
	shim_finish(&cx);
	return ret;
}

static inline int shim_dup23(enum ns_call call, int fd, int newfd, int flags)
{
	bool three = call == NS_CALL_dup3;
	int ret, given_up = -1, err;

	if (!shim_enabled(call))
		return three ? SHIM_REAL(dup3)(fd, newfd, flags)
			     : SHIM_REAL(dup2)(fd, newfd);
	if (unlikely(is_sink(fd)))
		return not_open();
	/* Onto netshim's copy of stderr: it moves out of the way, as the
	 * trace does in dup23_on. */
	if (unlikely(shim_errfd_is(newfd)) && fd != newfd)
		given_up = shim_errfd_move();
	ret = dup23_on(call, fd, newfd, flags);
	if (unlikely(ret < 0 && given_up >= 0)) {
		err = errno;
		ns_sys_close(given_up);	/* as if never open */
		errno = err;
	}
	return ret;
}

static NS_NOINLINE int fcntl_on(int (*real)(int, int, ...), int fd, int cmd,
				void *arg)
{
	struct ns_fdinfo info;
	struct ns_sock sock;
	struct shim_cx cx;
	bool known = ns_fd_get(fd, &info);
	const struct ns_ops *o;

	o = known ? begin_known(&cx, NS_CALL_fcntl, fd, &info, &sock)
		  : begin_unknown(&cx, NS_CALL_fcntl, fd);
	cx.fcntl_real = real;
	/* An int for F_DUPFD*: the lowest number. */
	ns_do_dup(o, &cx.rec, fd, (int)(intptr_t)arg, cmd,
		  known ? &info : NULL);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_fcntl(int (*real)(int, int, ...), int fd, int cmd,
			   void *arg)
{
	if (!shim_enabled(NS_CALL_fcntl))
		return real(fd, cmd, arg);
	if (unlikely(is_sink(fd)))
		return not_open();
	if (likely(cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC))
		return real(fd, cmd, arg);
	return fcntl_on(real, fd, cmd, arg);
}

NS_EXPORT int close(int fd)
{
	return shim_close(fd);
}

NS_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	return shim_close_range(first, last, flags);
}

NS_EXPORT void closefrom(int lowfd)
{
	shim_closefrom(lowfd);
}

NS_EXPORT int dup(int fd)
{
	return shim_dup(fd);
}

NS_EXPORT int dup2(int fd, int newfd)
{
	return shim_dup23(NS_CALL_dup2, fd, newfd, 0);
}

NS_EXPORT int dup3(int fd, int newfd, int flags)
{
	return shim_dup23(NS_CALL_dup3, fd, newfd, flags);
}

/* fcntl's third argument is an int or a pointer by command; like glibc,
 * take it as a pointer-sized value and hand it on unchanged. */
NS_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return shim_fcntl(SHIM_REAL(fcntl), fd, cmd, arg);
}

NS_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* fcntl64 is fcntl on 64-bit glibc before 2.28 too. */
	return shim_fcntl(SHIM_REAL(fcntl64) ? SHIM_REAL(fcntl64) : SHIM_REAL(fcntl),
			fd, cmd, arg);
}
