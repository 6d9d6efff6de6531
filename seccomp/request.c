// SPDX-License-Identifier: LGPL-2.1-or-later
/* One call in flight in the seccomp front: the socket argument taken
 * from the program, the clock, and the event written before the answer. */
#include "front.h"
#include "../src/format.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

const struct ns_config *sc_cfg;

int sc_getfd(struct sc_call *c, int fd, struct ns_fdinfo *info)
{
	struct ns_fdinfo tmp;
	struct stat st;

	if (!info)
		info = &tmp;
	c->dup = (int)syscall(SYS_pidfd_getfd, c->proc->pidfd, fd, 0);
	if (c->dup < 0)
		return -errno;
	c->kfd = c->dup;	/* what the engine acts on */
	if (fstat(c->dup, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		ns_fdtab_del(c->proc->fdt, fd);
		return 0;
	}
	/* close() is not seen: a number whose inode changed was closed and
	 * given to another socket since. */
	if (!ns_fdtab_get(c->proc->fdt, fd, info) ||
	    info->ino != (uint64_t)st.st_ino) {
		if (!ns_probe_fd(c->dup, info))
			return 0;
		info->ino = (uint64_t)st.st_ino;
		ns_fdtab_put(c->proc->fdt, fd, info);
	}
	c->sock = (struct ns_sock){ info->family, info->type,
				    info->protocol };
	c->ev.sock = &c->sock;
	return 1;
}

bool sc_blocking(const struct sc_call *c)
{
	int fl = fcntl(c->dup, F_GETFL);

	return fl >= 0 && !(fl & O_NONBLOCK);
}

void sc_begin(struct sc_call *c)
{
	c->cfg = sc_cfg;
	c->kfd = c->dup;
	c->trace = sc_cfg->trace != NS_TRACE_OFF &&
		   (sc_cfg->events & NS_CALLBIT(c->ev.call));
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

void sc_after(struct sc_call *c, long ret, int err)
{
	struct timespec t1;

	c->ev.ret = err ? -1 : ret;
	c->ev.err = err;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->ev.dur_ns = (uint64_t)(t1.tv_sec - c->t0.tv_sec) * 1000000000u +
		       (uint64_t)t1.tv_nsec - (uint64_t)c->t0.tv_nsec;
}

void sc_emit(struct sc_call *c)
{
	char line[NS_LINE_MAX];
	size_t n;

	if (!c->trace)
		return;
	c->trace = false;	/* one event per call */
	c->ev.pid = c->proc->tgid;
	c->ev.tid = (int)c->req.pid;
	c->ev.prog = c->proc->prog;
	/* The kernel says the number is no socket: whatever the table
	 * remembered of it is stale. */
	if (c->ev.fd >= 0 && (c->ev.err == EBADF || c->ev.err == ENOTSOCK)) {
		ns_fdtab_del(c->proc->fdt, c->ev.fd);
		c->ev.sock = NULL;
	}
	n = ns_format_event(&c->ev, sc_cfg->format, line, sizeof(line));
	sc_proc_write(c->proc, line, n);
	sc_flush(c);
}

bool sc_unix_path(const struct sockaddr *sa, socklen_t len)
{
	return sa && len > offsetof(struct sockaddr_un, sun_path) &&
	       sa->sa_family == AF_UNIX &&
	       ((const struct sockaddr_un *)sa)->sun_path[0] != '\0';
}

bool sc_take_fd(struct sc_call *c)
{
	int fd = sc_iarg(c, 0), r;

	c->ev.fd = fd;
	r = sc_getfd(c, fd, &c->info);
	if (r == -EBADF) {
		sc_after(c, -1, EBADF);
		sc_reply(c, -1, EBADF);
		sc_emit(c);
		return false;
	}
	if (r < 0) {
		/* Not ours to see (gone, not permitted): the kernel does
		 * it and nothing is reported. */
		sc_continue(c);
		return false;
	}
	return true;
}

bool sc_take_addr(struct sc_call *c, uint64_t addr, socklen_t len)
{
	struct sockaddr_storage *ss = &c->addr;
	size_t n = len < sizeof(*ss) ? len : sizeof(*ss);

	memset(ss, 0, sizeof(*ss));
	if (addr && n && sc_read(c, addr, ss, n) < 0) {
		sc_continue(c);	/* the kernel's EFAULT, untraced */
		return false;
	}
	if (sc_unix_path((struct sockaddr *)ss, (socklen_t)n) ||
	    !sc_valid(c)) {
		sc_continue(c);
		return false;
	}
	return true;
}
