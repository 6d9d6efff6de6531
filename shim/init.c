// SPDX-License-Identifier: LGPL-2.1-or-later
/* Set-up of the shim: configuration, trace sink, fork handling. */
#include "shim.h"
#include "../src/policy.h"
#include "../trap/trap.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int ns_gate = NS_GATE_INIT;
ns_callmask ns_calls_on;
const struct ns_config *ns_cfg;
struct ns_sink ns_sink;
int ns_pid;
__thread int ns_guard __attribute__((tls_model("initial-exec")));

static struct ns_config config;
/* Who is setting up: pid << 32 | tid, 0 when nobody. */
static uint64_t init_owner;

static const char *env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static void warn_stderr(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	/* Complaints go to the program's stderr, like the loader's own,
	 * and must not kill it with SIGPIPE when nobody reads it. */
	while (len) {
		ssize_t r = ns_write_nosigpipe(STDERR_FILENO, line, len);

		if (r <= 0 && errno != EINTR)
			return;
		if (r > 0) {
			line += r;
			len -= (size_t)r;
		}
	}
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

static void setup(void)
{
	struct ns_config_io io = ns_io;
	extern char **environ;

	ns_real_resolve_all();
	/* Secure execution (setuid, file capabilities): the loader only got
	 * here through a trusted path; still, trust no NETSHIM_* setting. */
	if (getauxval(AT_SECURE)) {
		__atomic_store_n(&ns_gate, NS_GATE_PASS, __ATOMIC_RELEASE);
		return;
	}
	ns_fd_set_check(ns_fd_still);
	io.have_backtrace = ns_have_backtrace;
	ns_config_parse(&config, &io);
	/* Nothing is traced with the trace off; policies still act, and no
	 * event is built for them to throw away. */
	if (config.trace == NS_TRACE_OFF)
		config.events = 0;
	ns_config_check_names(environ, &io);
	ns_fd_keep(ns_policy_needs_table(&config));
	ns_calls_on = ns_policy_calls(&config);
	ns_cfg = &config;
	trap_start(&config, &io);
	ns_fault_announce(&io);
	ns_pid = getpid();
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
