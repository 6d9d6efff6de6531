/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Descriptor calls netshim makes for itself, by system call: a front hooks
 * the libc functions, and netshim's own juggling must not reach its hooks. */
#ifndef NS_SYS_H
#define NS_SYS_H

#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Every call below goes through ns_syscall: libc's syscall(2)
 * unless a front that traps system calls by where they come from (trap/)
 * points ns_sys_site at netshim's own system-call instruction, which its
 * filter lets through. Same convention as syscall(2): -1 and errno.
 */
/* The kernel's convention: returns -errno. NULL: use syscall(2). */
extern long (*ns_sys_site)(long nr, long a, long b, long c, long d, long e,
			   long f);
/* Through ns_sys_site, in syscall(2)'s convention. */
long ns_syscall_site(long nr, long a, long b, long c, long d, long e,
		     long f);
static inline long ns_syscall6(long nr, long a, long b, long c, long d,
			       long e, long f)
{
	if (__builtin_expect(!__atomic_load_n(&ns_sys_site, __ATOMIC_RELAXED),
			     1))
		return syscall(nr, a, b, c, d, e, f);
	return ns_syscall_site(nr, a, b, c, d, e, f);
}
#define NS_SC_(nr, a, b, c, d, e, f, ...)				\
	ns_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d),	\
		    (long)(e), (long)(f))
/* ns_syscall(SYS_x, args...): up to six arguments, the rest 0. */
#define ns_syscall(...) NS_SC_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

/* linux/close_range.h, for headers older than Linux 5.9's. */
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static inline int ns_sys_close(int fd)
{
	return (int)ns_syscall(SYS_close, fd);
}

static inline int ns_sys_fcntl(int fd, int cmd, long arg)
{
	return (int)ns_syscall(SYS_fcntl, fd, cmd, arg);
}

static inline int ns_sys_dup3(int fd, int newfd, int flags)
{
	return (int)ns_syscall(SYS_dup3, fd, newfd, flags);
}

/* Not a cancellation point, unlike write(2) and send(2) in libc
 * (pthreads(7)): a trace line must not turn a call that is none, such as
 * socket(2), into one where a pending pthread_cancel acts. */
static inline ssize_t ns_sys_write(int fd, const void *p, size_t n)
{
	return ns_syscall(SYS_write, fd, p, n);
}

static inline ssize_t ns_sys_send(int fd, const void *p, size_t n, int flags)
{
	return ns_syscall(SYS_sendto, fd, p, n, flags, NULL, 0);
}

static inline int ns_sys_getsockopt(int fd, int level, int name, void *val,
				    socklen_t *len)
{
	return (int)ns_syscall(SYS_getsockopt, fd, level, name, val, len);
}

static inline int ns_sys_setsockopt(int fd, int level, int name,
				    const void *val, socklen_t len)
{
	return (int)ns_syscall(SYS_setsockopt, fd, level, name, val, len);
}

static inline int ns_sys_getsockname(int fd, struct sockaddr *sa,
				     socklen_t *len)
{
	return (int)ns_syscall(SYS_getsockname, fd, sa, len);
}

static inline int ns_sys_getpeername(int fd, struct sockaddr *sa,
				     socklen_t *len)
{
	return (int)ns_syscall(SYS_getpeername, fd, sa, len);
}

static inline int ns_sys_bind(int fd, const struct sockaddr *sa,
			      socklen_t len)
{
	return (int)ns_syscall(SYS_bind, fd, sa, len);
}

static inline int ns_sys_listen(int fd, int backlog)
{
	return (int)syscall(SYS_listen, fd, backlog);
}

/* Whether @fd is readable now (a listener: a connection waits). */
static inline bool ns_sys_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec zero = { 0, 0 };

	return syscall(SYS_ppoll, &p, 1, &zero, NULL, 0) > 0 &&
	       (p.revents & POLLIN);
}

static inline int ns_sys_getpid(void)
{
	return (int)ns_syscall(SYS_getpid);
}

#endif
