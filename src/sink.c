// SPDX-License-Identifier: LGPL-2.1-or-later
/* Trace sink: open, move out of the way, write whole lines. */
#include "sink.h"
#include "buf.h"
#include "compiler.h"
#include "free.h"
#include "names.h"
#include "path.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* A number high up, below the soft limit, where programs rarely look. */
static int high_fd(int fd)
{
	struct rlimit rl;
	long base = 512;
	int nfd;

	/* prlimit64(2) is getrlimit(2) with the 64-bit struct rlimit,
	 * glibc's on x86_64. */
	if (ns_syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY)
		base = rl.rlim_cur > 128 ? (long)rl.rlim_cur - 32
					 : (long)rl.rlim_cur / 2;
	if (base > 65536)
		base = 65536;
	nfd = ns_sys_fcntl(fd, F_DUPFD_CLOEXEC, base);
	if (nfd < 0)	/* all taken up there: anywhere will do */
		nfd = ns_sys_fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return nfd;
}

/* The English text of @err, never translated: strerror(3) may take
 * gettext's lock, which a thread of the parent may have held at fork. */
static const char *err_text(int err)
{
#ifdef NS_FREESTANDING
	return ns_free_strerror(err);
#elif defined(HAVE_STRERRORDESC_NP)
	return strerrordesc_np(err);
#else
	(void)err;
	return NULL;
#endif
}

/*
 * "netshim: A B: ERRNO (text)". Small on the stack and bounded (paths are
 * cut at 512 bytes): it may run in a signal handler on a small stack, where
 * no text is looked up (@text false).
 */
static void say_(const struct ns_config_io *io, const char *a, const char *b,
		 int err, bool text, const char *tail)
{
	char mem[1024];
	struct ns_buf buf;
	const char *name = ns_name_errno(err);

	ns_buf_init(&buf, mem, sizeof(mem) - 1);
	ns_buf_str(&buf, "netshim: ");
	ns_buf_str(&buf, a);
	ns_buf_esc(&buf, b, 512);
	if (err) {
		ns_buf_str(&buf, ": ");
		if (name)
			ns_buf_str(&buf, name);
		else
			ns_buf_i64(&buf, err);
		if (text && err_text(err)) {
			ns_buf_str(&buf, " (");
			ns_buf_str(&buf, err_text(err));
			ns_buf_putc(&buf, ')');
		}
	}
	if (tail)
		ns_buf_str(&buf, tail);
	buf.p[buf.len++] = '\n';
	io->warn(buf.p, buf.len, io->ctx);
}

/* The trace cannot go where asked: one line says why and where it goes.
 * At set-up and around fork: a normal stack. */
static void say_stderr(const struct ns_config_io *io, const char *a,
		       const char *b, int err)
{
	say_(io, a, b, err, true, "; tracing to stderr instead");
}

static void classify(struct ns_sink *s)
{
	struct stat st;

	s->pipe = s->sock = s->file = false;
	if (ns_sys_fstat(s->fd, &st) == 0) {
		s->file = S_ISREG(st.st_mode);
		s->pipe = S_ISFIFO(st.st_mode);
		s->sock = S_ISSOCK(st.st_mode);
	}
}

static void use_stderr(struct ns_sink *s)
{
	s->fd = STDERR_FILENO;
	s->owned = false;
	strcpy(s->path, "stderr");
}

/*
 * A file or FIFO another user put at the path in a sticky world-writable
 * directory (@dirfd), /tmp say, that is not the directory owner's: what the
 * kernel refuses to open with O_CREAT where fs.protected_regular and
 * fs.protected_fifos are set (proc_sys_fs(5)), and what we refuse where
 * they are not. Otherwise that user would read the trace, or, with a FIFO,
 * stop the program at start until someone reads.
 */
static bool planted(int dirfd, const struct stat *st)
{
	struct stat dir;

	if (st->st_uid == ns_sys_geteuid() ||
	    !(S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode)))
		return false;
	return ns_sys_fstat(dirfd, &dir) == 0 &&
	       (dir.st_mode & (S_ISVTX | S_IWOTH)) == (S_ISVTX | S_IWOTH) &&
	       st->st_uid != dir.st_uid;
}

/*
 * The directories are walked by ns_path_dir (links another user planted in
 * them are refused), the last name opened with O_NOFOLLOW: a trace path in
 * a shared directory must not be a way to make a privileged program write
 * elsewhere. O_NONBLOCK, dropped once open: a FIFO is looked at before
 * open(2) waits for its reader, and only waits when @wait says so.
 * -1 with errno, or -errno (sys.h).
 */
static int open_in(int dirfd, const char *name, bool wait)
{
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		    O_NOCTTY;
	int fd = ns_sys_openat(dirfd, name, flags | O_NONBLOCK, 0600), fl;
	struct stat st;

	if (fd < 0 && ns_sys_err(fd) == ENXIO &&
	    ns_sys_fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISFIFO(st.st_mode)) {
		/* Nobody reads yet: wait for a reader, as without us,
		 * unless the FIFO is planted. */
		if (planted(dirfd, &st))
			return ns_sys_fail(EACCES);
		if (!wait)
			return ns_sys_fail(ENXIO);
		return ns_sys_openat(dirfd, name, flags, 0600);
	}
	if (fd < 0)
		return fd;
	if (ns_sys_fstat(fd, &st) == 0 && planted(dirfd, &st)) {
		ns_sys_close(fd);
		return ns_sys_fail(EACCES);
	}
	fl = ns_sys_fcntl(fd, F_GETFL, 0);
	if (fl >= 0)
		ns_sys_fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int ns_trace_open(const char *path, bool wait)
{
	const char *name;
	int dirfd = ns_path_dir(path, &name), fd, err;

	if (dirfd < 0)
		return dirfd;
	fd = open_in(dirfd, name, wait);
	err = fd < 0 ? ns_sys_err(fd) : 0;
	ns_sys_close(dirfd);
	return fd < 0 ? ns_sys_fail(err) : fd;
}

int ns_sink_high_fd(int fd)
{
	return high_fd(fd);
}

void ns_sink_open(struct ns_sink *s, const struct ns_config *c, int pid,
		  const struct ns_config_io *io)
{
	struct ns_buf name;
	int fd, nfd;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	switch (c->trace) {
	case NS_TRACE_OFF:
		return;
	case NS_TRACE_STDERR:
		/* fd 2 itself: events follow wherever the program points
		 * its stderr, and holding a copy could keep a pipe open. */
		use_stderr(s);
		break;
	case NS_TRACE_FD:
		nfd = ns_sys_fcntl(c->trace_fd, F_GETFD, 0);
		if (nfd < 0) {
			char num[16];
			struct ns_buf b;

			ns_buf_init(&b, num, sizeof(num) - 1);
			ns_buf_u64(&b, (uint64_t)c->trace_fd);
			num[b.len] = '\0';
			say_stderr(io, "NETSHIM_TRACE=fd:", num,
				   ns_sys_err(nfd));
			use_stderr(s);
			break;
		}
		/* A copy of our own, so the trace keeps flowing if the
		 * program closes the number it was given. */
		ns_buf_init(&name, s->path, sizeof(s->path) - 1);
		ns_buf_str(&name, "fd:");
		ns_buf_u64(&name, (uint64_t)c->trace_fd);
		s->path[name.len] = '\0';
		s->fd = high_fd(c->trace_fd);
		s->owned = s->fd >= 0;
		if (!s->owned)
			s->fd = c->trace_fd;
		break;
	case NS_TRACE_FILE:
		if (!ns_expand_path(s->path, sizeof(s->path), c->trace_path,
				    pid)) {
			say_stderr(io, "NETSHIM_TRACE is too long once %p is "
				       "expanded: ", c->trace_path, 0);
			use_stderr(s);
			break;
		}
		fd = ns_trace_open(s->path, true);
		if (fd < 0) {
			int err = ns_sys_err(fd);

			say_stderr(io, "cannot open trace file NETSHIM_TRACE=",
				   s->path, err);
			use_stderr(s);
			break;
		}
		nfd = high_fd(fd);
		if (nfd >= 0) {
			ns_sys_close(fd);
			fd = nfd;
		}
		s->fd = fd;
		s->owned = true;
		break;
	}
	classify(s);
}

/* "N:DEV:INO" into its three numbers, each decimal digits that fit in
 * 64 bits (what strtoull(3) took here, without its errno). */
static bool parse_inherited(const char *v, unsigned long long n[3])
{
	for (int i = 0; i < 3; i++) {
		if (*v < '0' || *v > '9')
			return false;
		for (n[i] = 0; *v >= '0' && *v <= '9'; v++) {
			if (__builtin_mul_overflow(n[i], 10, &n[i]) ||
			    __builtin_add_overflow(n[i], *v - '0', &n[i]))
				return false;
		}
		if (*v++ != (i < 2 ? ':' : '\0'))
			return false;
	}
	return n[0] <= 1 << 30;
}

/*
 * `netshim run -o FILE` opens FILE itself and hands it down across exec
 * without FD_CLOEXEC, so that a program that dropped privileges (runuser,
 * su, setpriv) still writes the trace it could not open. The number is
 * taken only while it still is that file; it keeps FD_CLOEXEC clear for
 * the children, and is the program's no more than our own copy is
 * (hook_fd.c).
 */
bool ns_sink_adopt(struct ns_sink *s, const struct ns_config *c,
		   const char *inherited)
{
	unsigned long long n[3];
	struct stat st;
	int fl;

	if (!inherited || c->trace != NS_TRACE_FILE ||
	    strstr(c->trace_path, "%p") || !parse_inherited(inherited, n) ||
	    ns_sys_fstat((int)n[0], &st) != 0 ||
	    (unsigned long long)st.st_dev != n[1] ||
	    (unsigned long long)st.st_ino != n[2])
		return false;
	fl = ns_sys_fcntl((int)n[0], F_GETFL, 0);
	if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
		return false;
	memset(s, 0, sizeof(*s));
	s->fd = (int)n[0];
	s->owned = true;
	strcpy(s->path, c->trace_path);
	classify(s);
	return true;
}

#ifdef NS_FREESTANDING
/* The same with the kernel's signal mask (rt_sigprocmask(2): 8 bytes on
 * x86_64), without libc's pthread_sigmask. */
ssize_t ns_write_nosigpipe(int fd, const char *p, size_t n)
{
	unsigned long pipe_set = 1UL << (SIGPIPE - 1), old = 0;
	struct timespec zero = { 0, 0 };
	ssize_t r;

	ns_syscall(SYS_rt_sigprocmask, SIG_BLOCK, &pipe_set, &old, 8);
	r = ns_sys_write(fd, p, n);
	if (r == -EPIPE && !(old & pipe_set))
		ns_syscall(SYS_rt_sigtimedwait, &pipe_set, NULL, &zero, 8);
	ns_syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
	return r;
}
#else
ssize_t ns_write_nosigpipe(int fd, const char *p, size_t n)
{
	sigset_t pipe_set, old;
	ssize_t r;

	/* A reader that went away must not kill the program with SIGPIPE:
	 * block it, and take back the one our write raised. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = ns_sys_write(fd, p, n);
	if (r < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
		int err = errno;
		struct timespec zero = { 0, 0 };

		/* By system call: sigtimedwait is a cancellation point. */
		syscall(SYS_rt_sigtimedwait, &pipe_set, NULL, &zero,
			(size_t)_NSIG / 8);
		errno = err;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
#endif

static ssize_t write_once(struct ns_sink *s, int fd, const char *p, size_t n)
{
	if (s->sock)
		return ns_sys_send(fd, p, n, MSG_NOSIGNAL);
	if (s->pipe)
		return ns_write_nosigpipe(fd, p, n);
	return ns_sys_write(fd, p, n);
}

static void write_line(struct ns_sink *s, int fd, const char *line,
		       size_t len, const struct ns_config_io *io);

#ifdef NS_FREESTANDING
/*
 * No TLS in a static program: %fs is the program's. The blob's handler
 * runs with every asynchronous signal blocked (its sa_mask), so no
 * handler of ours interrupts a write on the same thread: `writing` is
 * always 0. The lane comes from the stack: threads run on stacks (or Go
 * signal stacks) at least a page apart, so the page number spreads them.
 */
#define writing 0
#define WRITING_ADD(d) ((void)0)

static int my_lane(void)
{
	unsigned long sp = (unsigned long)__builtin_frame_address(0);

	return (int)((sp >> 12) % NS_SINK_LANES);
}
#else
/* This thread is inside ns_sink_write: a signal handler that moves the
 * sink must not wait for it. */
static __thread int writing __attribute__((tls_model("initial-exec")));
#define WRITING_ADD(d) (writing += (d))
/* This thread's lane of ns_sink.writers, plus one; 0 until its first
 * event. A signal handler racing the first assignment just picks again. */
static __thread int lane __attribute__((tls_model("initial-exec")));
static unsigned lanes_given;

static int my_lane(void)
{
	if (unlikely(!lane))
		lane = (int)(__atomic_fetch_add(&lanes_given, 1,
						__ATOMIC_RELAXED) %
			     NS_SINK_LANES) + 1;
	return lane - 1;
}
#endif

/* Until no other thread writes through the number just replaced. The
 * caller's store of the new number is sequentially consistent, as the
 * writers' increment is: neither load can pass the other side's store. A
 * signal handler interrupting a write on this very thread cannot wait
 * for it (it finishes after we return), and that write is done with the
 * old number before the program's dup2 replaces it. */
static void wait_writers(struct ns_sink *s)
{
	if (writing)
		return;
	for (int i = 0; i < NS_SINK_LANES; i++)
		while (__atomic_load_n(&s->writers[i].n, __ATOMIC_SEQ_CST))
			ns_syscall(SYS_sched_yield);
}

void ns_sink_write(struct ns_sink *s, const char *line, size_t len,
		   const struct ns_config_io *io)
{
	int fd, i = my_lane();

	/* Counted, so that ns_sink_move can wait for writes that picked
	 * the old number before it hands that number to the program. */
	WRITING_ADD(1);
	__atomic_fetch_add(&s->writers[i].n, 1, __ATOMIC_SEQ_CST);
	fd = __atomic_load_n(&s->fd, __ATOMIC_SEQ_CST);
	if (fd >= 0)
		write_line(s, fd, line, len, io);
	__atomic_fetch_sub(&s->writers[i].n, 1, __ATOMIC_RELEASE);
	WRITING_ADD(-1);
}

/*
 * A write that stopped part-way (a full disk: write(2) takes what fits,
 * then fails with ENOSPC) left @done bytes of a line at the end of the
 * file. Cut them off while nothing follows them, so that the file holds
 * only whole lines again; another process writing the same file may have
 * appended after them, and then they stay (see write_line).
 */
static bool cut_fragment(int fd, size_t done)
{
	struct stat st;
	off_t end = ns_sys_lseek(fd, 0, SEEK_CUR);

	return end >= (off_t)done && ns_sys_fstat(fd, &st) == 0 &&
	       S_ISREG(st.st_mode) && st.st_size == end &&
	       ns_sys_ftruncate(fd, end - (off_t)done) == 0;
}

/* The line, after a newline that ends a fragment left by an earlier
 * failure: one writev(2), as atomic with O_APPEND as write(2). */
static ssize_t write_after_fragment(int fd, const char *p, size_t n)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)"\n", .iov_len = 1 },
		{ .iov_base = (void *)p, .iov_len = n },
	};

	return ns_sys_writev(fd, iov, 2);
}

static void write_line(struct ns_sink *s, int fd, const char *line,
		       size_t len, const struct ns_config_io *io)
{
	size_t done = 0;
	int err;

	/* The loop stops when the sink moved away meanwhile (a signal
	 * handler's dup2 onto our number): the rest of the line must not
	 * go into what the program put there. */
	while (len && fd == __atomic_load_n(&s->fd, __ATOMIC_ACQUIRE)) {
		bool torn = !done && __atomic_exchange_n(&s->torn, false,
							 __ATOMIC_RELAXED);
		ssize_t r = torn ? write_after_fragment(fd, line, len)
				 : write_once(s, fd, line, len);

		if (r > 0 && torn)
			r--;	/* the fragment is a line of its own now */
		else if (r <= 0 && torn)
			__atomic_store_n(&s->torn, true, __ATOMIC_RELAXED);
		if (r > 0) {
			line += r;
			len -= (size_t)r;
			done += (size_t)r;
			/* A regular file takes less than asked only when it
			 * can take no more (a full disk, RLIMIT_FSIZE): no
			 * second write just to learn the errno. */
			if (!len || !s->file)
				continue;
			r = 0;
		}
		err = r < 0 ? ns_sys_err(r) : ENOSPC;
		if (err == EINTR)
			continue;
		/* Disk full, reader gone, descriptor closed behind our back:
		 * say it once, drop this event, try again next event. */
		if (done && !s->pipe && !s->sock && !cut_fragment(fd, done))
			__atomic_store_n(&s->torn, true, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->lost, 1, __ATOMIC_RELAXED);
		if (!__atomic_exchange_n(&s->warned, true, __ATOMIC_RELAXED))
			say_(io, "writing the trace failed, events are lost: ",
			     s->path, err, false, NULL);
		return;
	}
	/* Once, when writing works again: how many events the gap holds. */
	if (unlikely(__atomic_load_n(&s->lost, __ATOMIC_RELAXED)) && !len &&
	    !__atomic_exchange_n(&s->recovered, true, __ATOMIC_RELAXED)) {
		char tail[48];
		struct ns_buf b;

		ns_buf_init(&b, tail, sizeof(tail) - 1);
		ns_buf_str(&b, "; events lost: ");
		ns_buf_u64(&b, __atomic_load_n(&s->lost, __ATOMIC_RELAXED));
		tail[b.len] = '\0';
		say_(io, "writing the trace works again: ", s->path, 0, false,
		     tail);
	}
}

int ns_sink_move(struct ns_sink *s)
{
	int old = s->fd, nfd;

	if (!s->owned)
		return -1;
	nfd = high_fd(old);
	if (nfd < 0)
		return -1;
	/* The old number stays open until the program's dup2 replaces it,
	 * so no other thread can be handed it in between; writes that still
	 * use it finish first. */
	__atomic_store_n(&s->fd, nfd, __ATOMIC_SEQ_CST);
	wait_writers(s);
	return old;
}

void ns_sink_disable(struct ns_sink *s, const struct ns_config_io *io)
{
	__atomic_store_n(&s->fd, -1, __ATOMIC_SEQ_CST);
	wait_writers(s);
	s->owned = false;
	say_(io, "no descriptor left to move the trace out of the program's "
		 "way; tracing stops", "", EMFILE, false, NULL);
}

void ns_sink_after_fork(struct ns_sink *s)
{
	for (int i = 0; i < NS_SINK_LANES; i++)
		s->writers[i].n = 0;
	/* This thread's own, if the fork came from a handler that
	 * interrupted its write: that write ends after the handler. */
	if (writing)
		s->writers[my_lane()].n = writing;
}

void ns_sink_reclassify(struct ns_sink *s)
{
	classify(s);
}

void ns_sink_close(struct ns_sink *s)
{
	if (s->owned && s->fd >= 0)
		ns_sys_close(s->fd);
	s->fd = -1;
	s->owned = false;
}
