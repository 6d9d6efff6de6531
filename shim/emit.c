// SPDX-License-Identifier: LGPL-2.1-or-later
/* Completing an event with who made the call and what the fd is, and
 * handing it to the formatter and the sink. */
#include "shim.h"
#include "../src/format.h"
#include "../src/names.h"
#include "../src/policy.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Cached per thread; a forked child's threads start from zero again
 * because only the forking thread survives and fork_child() clears it. */
static __thread int tid_cache __attribute__((tls_model("initial-exec")));

static int my_tid(void)
{
	if (unlikely(!tid_cache))
		tid_cache = gettid();
	return tid_cache;
}

void shim_forget_tid(void)
{
	tid_cache = 0;
}

/* What the kernel says @fd is (the engine's probe, call.h). */
bool shim_fd_kind(int fd, struct ns_fdinfo *info)
{
	return ns_probe_fd(fd, info);
}

static bool probe(int fd, struct ns_fdinfo *info)
{
	if (!shim_fd_kind(fd, info))
		return false;
	ns_fd_put(fd, info);
	return true;
}

/* For the table's check after a signal handler: is @fd still that kind of
 * socket? */
bool shim_fd_still(int fd, const struct ns_fdinfo *info)
{
	int (*gso)(int, int, int, void *, socklen_t *) =
		SHIM_REAL(getsockopt);
	int family, type;
	socklen_t len = sizeof(int);

	if (gso(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) != 0)
		return false;
	len = sizeof(int);
	if (gso(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		return false;
	return family == info->family && type == info->type;
}

bool shim_fd_lookup(int fd, struct ns_fdinfo *info)
{
	return ns_fd_get(fd, info) || probe(fd, info);
}

/*
 * Tracing to fd 2 must not put lines into a connection: a network socket
 * there (an inetd-style service), or a socket the program made itself after
 * closing its stderr. An inherited AF_UNIX stream, as systemd gives services
 * for the journal, is a log and gets the lines.
 */
static bool stderr_is_connection(void)
{
	struct ns_fdinfo info;

	if (!ns_fd_get(STDERR_FILENO, &info))
		return false;
	return !(info.state & NS_FD_PROBED) || info.family == AF_INET ||
	       info.family == AF_INET6;
}

void shim_learn_stderr(void)
{
	struct ns_fdinfo info;

	shim_fd_lookup(STDERR_FILENO, &info);
}

bool shim_fd_is_tcp(int fd, struct ns_fdinfo *info)
{
	struct ns_fdinfo tmp;

	if (!info)
		info = &tmp;
	return shim_fd_lookup(fd, info) && ns_info_is_tcp(info);
}

static const char *prog_name(void)
{
	return program_invocation_short_name;
}

void shim_note(struct shim_cx *cx, const char *what, int err, const char *tail)
{
	ns_rec_note(&cx->rec, what, err, tail);
}

/*
 * A vfork child shares our memory but is another process: with a per-pid
 * trace file (%p) its events go to a file of its own, opened and closed
 * around each line in the child's own descriptor table.
 */
int shim_sink_clobbered_by;

static __attribute__((noinline)) void write_as_child(int pid,
						      const char *line,
						      size_t n)
{
	struct ns_sink own;

	if (shim_cfg->trace != NS_TRACE_FILE ||
	    !strstr(shim_cfg->trace_path, "%p")) {
		/* Unless this child put something of its own at our
		 * number: that is not the trace any more. */
		if (pid != shim_sink_clobbered_by)
			ns_sink_write(&shim_sink, line, n, &shim_io);
		return;
	}
	ns_sink_open(&own, shim_cfg, pid, &shim_io);
	ns_sink_write(&own, line, n, &shim_io);
	ns_sink_close(&own);
}

/* Kept apart so the frames' stack space is only taken when asked for. */
static __attribute__((noinline)) size_t render_bt(struct ns_event *ev,
						  char *line)
{
	char frames[NS_BACKTRACE_MAX][SHIM_FRAME_MAX];
	const char *ptrs[NS_BACKTRACE_MAX];
	stack_t ss;

	/* A signal handler on an alternate stack has too little room for
	 * the frames and libunwind's context: no backtrace there. */
	if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK))
		return ns_format_event(ev, shim_cfg->format, line, NS_LINE_MAX);
	ev->nbt = shim_backtrace(frames, shim_cfg->backtrace);
	for (int i = 0; i < ev->nbt; i++)
		ptrs[i] = frames[i];
	ev->bt = ptrs;
	return ns_format_event(ev, shim_cfg->format, line, NS_LINE_MAX);
}

void shim_emit(struct shim_cx *cx)
{
	struct ns_event *ev = &cx->ev;
	struct ns_fdinfo info;
	struct ns_sock sock;
	char line[NS_LINE_MAX];
	size_t n;

	if (!shim_sink.owned && stderr_is_connection())
		return;
	if (!ev->pid) {		/* else a vfork child said who it is */
		ev->pid = shim_pid;
		ev->tid = my_tid();
	}
	ev->prog = prog_name();
	if (ev->fd >= 0 && !ev->sock) {
		/* The kernel says the number is no socket of ours: whatever
		 * the table remembers about it is stale. */
		if (ev->err == EBADF || ev->err == ENOTSOCK) {
			ns_fd_del(ev->fd);
		} else if (shim_fd_lookup(ev->fd, &info)) {
			sock = (struct ns_sock){ info.family, info.type,
						 info.protocol };
			ev->sock = &sock;
		}
	}
	n = shim_cfg->backtrace ? render_bt(ev, line)
			      : ns_format_event(ev, shim_cfg->format, line,
						sizeof(line));
	if (unlikely(ev->pid != shim_pid))
		write_as_child(ev->pid, line, n);
	else
		ns_sink_write(&shim_sink, line, n, &shim_io);
}
