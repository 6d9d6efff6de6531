/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Descriptor calls netshim makes for itself, by system call: a front hooks
 * the libc functions, and netshim's own juggling must not reach its hooks. */
#ifndef NS_SYS_H
#define NS_SYS_H

#include <poll.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/*
 * Every call below goes through ns_syscall: libc's syscall(2)
 * unless a front that traps system calls by where they come from (trap/)
 * points ns_sys_site at netshim's own system-call instruction, which its
 * filter lets through. Same convention as syscall(2): -1 and errno.
 *
 * The freestanding build (NS_FREESTANDING: the engine inside a static
 * program, trap/'s blob) has no errno: the program owns it, and several
 * of its threads run the engine at once, so a global one would race.
 * There every call returns the kernel's -errno. Code that runs in both
 * builds tests the result (< 0), takes the number with ns_sys_err(r) and
 * fails itself with ns_sys_fail(E): -1 and errno, or -E.
 */
/* The kernel's convention: returns -errno. NULL: use syscall(2). */
extern long (*ns_sys_site)(long nr, long a, long b, long c, long d, long e,
			   long f);
#if defined(__x86_64__) && !defined(__ILP32__)
/* The system call itself (the x86_64 ABI of syscall(2)'s NOTES). */
static inline long ns_raw_syscall6(long nr, long a, long b, long c, long d,
				   long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#endif
#ifdef NS_FREESTANDING
static inline long ns_syscall6(long nr, long a, long b, long c, long d,
			       long e, long f)
{
	long (*site)(long, long, long, long, long, long, long) =
		__atomic_load_n(&ns_sys_site, __ATOMIC_RELAXED);

	if (site)
		return site(nr, a, b, c, d, e, f);
	return ns_raw_syscall6(nr, a, b, c, d, e, f);
}

#define ns_sys_err(r) ((int)-(r))
#define ns_sys_fail(e) (-(e))
#else
#include <errno.h>

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

/* The error of a failed call's result @r (< 0). */
#define ns_sys_err(r) ((void)(r), errno)
/* Fail with error @e, as the calls above do. */
#define ns_sys_fail(e) (errno = (e), -1)
#endif
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
	return (int)ns_syscall(SYS_listen, fd, backlog);
}

/* Whether @fd is readable now (a listener: a connection waits). */
static inline bool ns_sys_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec zero = { 0, 0 };

	return ns_syscall(SYS_ppoll, &p, 1, &zero, NULL, 0) > 0 &&
	       (p.revents & POLLIN);
}

static inline int ns_sys_getpid(void)
{
	return (int)ns_syscall(SYS_getpid);
}

/* The file calls the sink makes when it opens the trace. */
static inline int ns_sys_openat(int at, const char *name, int flags,
				int mode)
{
	return (int)ns_syscall(SYS_openat, at, name, flags, mode);
}

/* The kernel's struct stat is glibc's on x86_64 (newfstatat). */
static inline int ns_sys_fstatat(int at, const char *name, struct stat *st,
				 int flags)
{
	return (int)ns_syscall(SYS_newfstatat, at, name, st, flags);
}

static inline int ns_sys_fstat(int fd, struct stat *st)
{
	return (int)ns_syscall(SYS_fstat, fd, st);
}

static inline ssize_t ns_sys_readlinkat(int at, const char *name, char *buf,
					size_t cap)
{
	return ns_syscall(SYS_readlinkat, at, name, buf, cap);
}

static inline ssize_t ns_sys_read(int fd, void *p, size_t n)
{
	return ns_syscall(SYS_read, fd, p, n);
}

static inline ssize_t ns_sys_writev(int fd, const struct iovec *iov, int n)
{
	return ns_syscall(SYS_writev, fd, iov, n);
}

static inline off_t ns_sys_lseek(int fd, off_t off, int whence)
{
	return ns_syscall(SYS_lseek, fd, off, whence);
}

static inline int ns_sys_ftruncate(int fd, off_t len)
{
	return (int)ns_syscall(SYS_ftruncate, fd, len);
}

/* Never fails (getuid(2)). */
static inline uid_t ns_sys_geteuid(void)
{
	return (uid_t)ns_syscall(SYS_geteuid);
}

#endif
