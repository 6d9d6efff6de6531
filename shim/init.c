// SPDX-License-Identifier: LGPL-2.1-or-later
/* Set-up of the shim: configuration, trace sink, fork handling. */
#include "shim.h"
#include "../src/buf.h"
#include "../src/policy.h"
#include "../src/starter.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

static struct ns_config config;
/* Who is setting up: pid << 32 | tid, 0 when nobody. */
static uint64_t init_owner;
extern char **environ;

static void warn_none(const char *line, size_t len, void *ctx)
{
	(void)line, (void)len, (void)ctx;
}

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
	ns_sink_after_fork(&shim_sink);
	shim_forget_tid();
	shim_pid = getpid();
	if (shim_sink.owned && shim_cfg->trace == NS_TRACE_FILE &&
	    strstr(shim_cfg->trace_path, "%p")) {
		ns_sink_close(&shim_sink);
		ns_sink_open(&shim_sink, shim_cfg, shim_pid, &shim_io);
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
	struct ns_config_io io = shim_io;

	shim_real_resolve_all();
	/* Secure execution (setuid, file capabilities): the loader only got
	 * here through a trusted path; still, trust no NETSHIM_* setting. */
	if (getauxval(AT_SECURE)) {
		__atomic_store_n(&shim_gate, SHIM_GATE_PASS, __ATOMIC_RELEASE);
		return;
	}
	shim_keep_stderr();
	ns_fd_set_check(shim_fd_still);
	io.have_backtrace = shim_have_backtrace;
	parse_config(&io);
	/* Nothing is traced with the trace off; policies still act, and no
	 * event is built for them to throw away. */
	if (config.trace == NS_TRACE_OFF)
		config.events = 0;
	ns_fd_keep(ns_policy_needs_table(&config));
	shim_calls_on = ns_policy_calls(&config);
	/* The copy is guarded only where every call is seen: else
	 * close_range could close it and the number go to a file of the
	 * program's. Complaints then go by fd 2's identity. */
	if (!ns_policy_needs_table(&config) && shim_errfd >= 0) {
		ns_sys_close(shim_errfd);
		shim_errfd = -1;
	}
	shim_cfg = &config;
	/* Fronts that start with the library (the trap front). */
	ns_run_starters(&config, &io);
	shim_fault_announce(&io);
	shim_pid = getpid();
	/* The trace `netshim run` opened and handed down, else our own. */
	if (!ns_sink_adopt(&shim_sink, shim_cfg, getenv(NS_ENV_INHERITED)))
		ns_sink_open(&shim_sink, shim_cfg, shim_pid, &io);
	if (shim_sink.fd == STDERR_FILENO)
		shim_learn_stderr();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	__atomic_store_n(&shim_gate,
			 anything_enabled(shim_cfg) ? SHIM_GATE_ON : SHIM_GATE_PASS,
			 __ATOMIC_RELEASE);
}

/*
 * Runs from our constructor or from the first hook called before it (another
 * library's constructor). Other threads arriving meanwhile, or this thread
 * re-entering from a signal handler, pass through untraced until it is done.
 */
void shim_init(void)
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
	if (__atomic_load_n(&shim_gate, __ATOMIC_ACQUIRE) == SHIM_GATE_INIT) {
		shim_guard++;
		setup();
		shim_guard--;
	}
out:
	errno = saved;
}

__attribute__((constructor)) static void shim_constructor(void)
{
	if (__atomic_load_n(&shim_gate, __ATOMIC_ACQUIRE) == SHIM_GATE_INIT)
		shim_init();
}
