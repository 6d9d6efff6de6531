// SPDX-License-Identifier: LGPL-2.1-or-later
/* Set-up of the shim: configuration, trace sink, fork handling. */
#include "shim.h"
#include "../src/buf.h"
#include "../src/policy.h"
#include "../trap/trap.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

int ns_gate = NS_GATE_INIT;
ns_callmask ns_calls_on;
const struct ns_config *ns_cfg;
struct ns_sink ns_sink;
int ns_pid;
__thread int ns_guard __attribute__((tls_model("initial-exec")));

int ns_errfd = -1;

static struct ns_config config;
/* What fd 2 was at set-up, for complaints when no copy is held. */
static struct {
	bool known;
	dev_t dev;
	ino_t ino;
} err_was;
/* Who is setting up: pid << 32 | tid, 0 when nobody. */
static uint64_t init_owner;
extern char **environ;

static const char *env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/*
 * Complaints go where stderr was when netshim started, not into whatever
 * the program later put at fd 2 (a data file, a socket): a copy of it, or
 * fd 2 while it is still the same pipe, socket or terminal (keep_stderr
 * says why).
 */
static int complaint_fd(void)
{
	int fd = __atomic_load_n(&ns_errfd, __ATOMIC_RELAXED);
	struct stat st;

	if (fd >= 0)
		return fd;
	if (!err_was.known || fstat(STDERR_FILENO, &st) != 0 ||
	    st.st_dev != err_was.dev || st.st_ino != err_was.ino)
		return -1;
	return STDERR_FILENO;
}

static void warn_stderr(const char *line, size_t len, void *ctx)
{
	int fd = complaint_fd();

	(void)ctx;
	/* Like the loader's own complaints, and never killing the program
	 * with SIGPIPE when nobody reads them. */
	while (fd >= 0 && len) {
		ssize_t r = ns_write_nosigpipe(fd, line, len);

		if (r <= 0 && errno != EINTR)
			return;
		if (r > 0) {
			line += r;
			len -= (size_t)r;
		}
	}
}

static void warn_none(const char *line, size_t len, void *ctx)
{
	(void)line, (void)len, (void)ctx;
}

/*
 * A copy of fd 2, guarded from the program as the trace is (hook_fd.c),
 * when it is a regular file. Not of a pipe, socket or terminal: a copy
 * would hold it open, and whoever waits for its end after the program
 * closed stderr would wait for ever (a daemon under $(...), a log pipe,
 * sshd waiting for the last holder of a pty to go). Those are written
 * while fd 2 is still the same file, else not at all.
 */
static void keep_stderr(void)
{
	struct stat st;

	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	err_was.known = true;
	err_was.dev = st.st_dev;
	err_was.ino = st.st_ino;
	if (!S_ISREG(st.st_mode))
		return;
	__atomic_store_n(&ns_errfd, ns_sink_high_fd(STDERR_FILENO),
			 __ATOMIC_SEQ_CST);
}

int ns_errfd_move(void)
{
	int old = __atomic_load_n(&ns_errfd, __ATOMIC_RELAXED);

	/* -1 when no number is left: complaints then go by fd 2's
	 * identity, as for a pipe. */
	__atomic_store_n(&ns_errfd, ns_sink_high_fd(old), __ATOMIC_SEQ_CST);
	return old;
}

const struct ns_config_io ns_io = {
	.get = env_get,
	.warn = warn_stderr,
	.ctx = NULL,
};

static void fork_prepare(void)
{
	ns_fd_lock_all();
}

static void fork_parent(void)
{
	ns_fd_unlock_all();
}

/* The child is a new process: new pid, its own trace file for %p. */
static void fork_child(void)
{
	ns_fd_unlock_all_child();
	ns_sink_after_fork(&ns_sink);
	ns_forget_tid();
	ns_pid = getpid();
	if (ns_sink.owned && ns_cfg->trace == NS_TRACE_FILE &&
	    strstr(ns_cfg->trace_path, "%p")) {
		ns_sink_close(&ns_sink);
		ns_sink_open(&ns_sink, ns_cfg, ns_pid, &ns_io);
	}
}

static bool anything_enabled(const struct ns_config *c)
{
	return c->trace != NS_TRACE_OFF || ns_config_has_policy(c);
}

/*
 * A relative NETSHIM_TRACE names a file in the directory the program
 * started in, for it and for its children that chdir: made absolute once,
 * here, in the environment they inherit.
 */
static void absolute_trace(void)
{
	char abs[NS_PATH_MAX];
	struct ns_buf b;

	if (config.trace != NS_TRACE_FILE || config.trace_path[0] == '/' ||
	    !getcwd(abs, sizeof(abs)))
		return;
	ns_buf_init(&b, abs + strlen(abs), sizeof(abs) - strlen(abs) - 1);
	ns_buf_putc(&b, '/');
	ns_buf_str(&b, config.trace_path);
	if (b.overflow)
		return;		/* then it stays relative */
	b.p[b.len] = '\0';
	if (setenv("NETSHIM_TRACE", abs, 1) == 0)
		strcpy(config.trace_path, abs);
}

/*
 * The NETSHIM_* values are judged in every process, but bad ones are
 * reported once a run: the first process to complain leaves
 * NETSHIM_REPORTED (a hash of the settings) in the environment its
 * children inherit, and a process whose settings hash the same stays
 * quiet. A child given other settings is told about them.
 */
static void parse_config(struct ns_config_io *io)
{
	struct ns_config_io quiet = *io;
	char mark[NS_REPORTED_LEN];
	bool said;
	int bad;

	ns_config_reported_mark(environ, mark);
	said = ns_config_reported(environ, mark);
	if (said)
		quiet.warn = warn_none;
	bad = ns_config_parse(&config, &quiet);
	absolute_trace();
	bad += ns_config_check_names(environ, &quiet);
	if (bad && !said) {
		ns_config_reported_mark(environ, mark);
		setenv(NS_ENV_REPORTED, mark, 1);
	}
}

static void setup(void)
{
	struct ns_config_io io = ns_io;

	ns_real_resolve_all();
	/* Secure execution (setuid, file capabilities): the loader only got
	 * here through a trusted path; still, trust no NETSHIM_* setting. */
	if (getauxval(AT_SECURE)) {
		__atomic_store_n(&ns_gate, NS_GATE_PASS, __ATOMIC_RELEASE);
		return;
	}
	keep_stderr();
	ns_fd_set_check(ns_fd_still);
	io.have_backtrace = ns_have_backtrace;
	parse_config(&io);
	/* Nothing is traced with the trace off; policies still act, and no
	 * event is built for them to throw away. */
	if (config.trace == NS_TRACE_OFF)
		config.events = 0;
	ns_fd_keep(ns_policy_needs_table(&config));
	ns_calls_on = ns_policy_calls(&config);
	/* The copy is guarded only where every call is seen: else
	 * close_range could close it and the number go to a file of the
	 * program's. Complaints then go by fd 2's identity. */
	if (!ns_policy_needs_table(&config) && ns_errfd >= 0) {
		ns_sys_close(ns_errfd);
		ns_errfd = -1;
	}
	ns_cfg = &config;
	trap_start(&config, &io);
	ns_fault_announce(&io);
	ns_pid = getpid();
	/* The trace `netshim run` opened and handed down, else our own. */
	if (!ns_sink_adopt(&ns_sink, ns_cfg, getenv(NS_ENV_INHERITED)))
		ns_sink_open(&ns_sink, ns_cfg, ns_pid, &io);
	if (ns_sink.fd == STDERR_FILENO)
		ns_learn_stderr();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	__atomic_store_n(&ns_gate,
			 anything_enabled(ns_cfg) ? NS_GATE_ON : NS_GATE_PASS,
			 __ATOMIC_RELEASE);
}

/*
 * Runs from our constructor or from the first hook called before it (another
 * library's constructor). Other threads arriving meanwhile, or this thread
 * re-entering from a signal handler, pass through untraced until it is done.
 */
void ns_init(void)
{
	uint64_t pid = (uint64_t)getpid(), none = 0, me;
	int saved = errno;

	me = pid << 32 | (uint32_t)gettid();
	while (!__atomic_compare_exchange_n(&init_owner, &none, me, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		/* Set up by another thread of ours, or by this one from the
		 * handler that interrupted it: pass through meanwhile. A
		 * thread that forked us while setting up is not here and
		 * never will be: take over. */
		if (none >> 32 == pid)
			goto out;
	}
	if (__atomic_load_n(&ns_gate, __ATOMIC_ACQUIRE) == NS_GATE_INIT) {
		ns_guard++;
		setup();
		ns_guard--;
	}
out:
	errno = saved;
}

__attribute__((constructor)) static void ns_constructor(void)
{
	if (__atomic_load_n(&ns_gate, __ATOMIC_ACQUIRE) == NS_GATE_INIT)
		ns_init();
}
