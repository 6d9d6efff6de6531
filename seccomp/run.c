// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim run --front=seccomp: the configuration, the program's process
 * under the filter, and netshim as its supervisor until it is done. */
#include "front.h"
#include "run.h"
#include "../src/policy.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static void warn_none(const char *line, size_t len, void *ctx)
{
	(void)line, (void)len, (void)ctx;
}

static void warn_stderr(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "%.*s", (int)len, line);
	if (len && line[len - 1] != '\n')
		fputc('\n', stderr);
}

/*
 * Each call is traced once: the seccomp front runs without the shim. A
 * libnetshim.so already in LD_PRELOAD (netshim run under netshim run, or
 * set by hand) is taken out, or dynamic programs would trace the same
 * calls twice, once from each side of the kernel boundary.
 */
static void drop_shim_from_preload(void)
{
	const char *old = getenv("LD_PRELOAD");
	char *copy, *tok, *save = NULL, *out;
	size_t n = 0;

	if (!old || !strstr(old, "libnetshim"))
		return;
	copy = strdup(old);
	out = calloc(1, strlen(old) + 1);
	if (!copy || !out)
		goto done;
	for (tok = strtok_r(copy, " :", &save); tok;
	     tok = strtok_r(NULL, " :", &save)) {
		const char *base = strrchr(tok, '/');

		base = base ? base + 1 : tok;
		if (!strcmp(base, "libnetshim.so"))
			continue;
		n += (size_t)sprintf(out + n, "%s%s", n ? " " : "", tok);
	}
	if (n)
		setenv("LD_PRELOAD", out, 1);
	else
		unsetenv("LD_PRELOAD");
done:
	free(copy);
	free(out);
}

int ns_sc_run(char *const argv[], int *err)
{
	static struct ns_config cfg;
	static const struct ns_config_io io = {
		.get = env_get,
		.warn = warn_stderr,
		/* No backtraces here (the frames are the program's, in
		 * another process): NETSHIM_BACKTRACE is accepted and does
		 * nothing. */
		.have_backtrace = true,
	};
	struct ns_config_io said = io;
	extern char **environ;
	char mark[NS_REPORTED_LEN];
	bool killable = false;
	int lfd, status, sig;
	pid_t pid;

	/* The library's judgement, with its messages: bad values and
	 * unknown names, once a run (NETSHIM_REPORTED, as shim/init.c). */
	ns_config_reported_mark(environ, mark);
	if (ns_config_reported(environ, mark))
		said.warn = warn_none;
	if (ns_config_parse(&cfg, &said) +
	    ns_config_check_names(environ, &said) > 0 &&
	    said.warn != warn_none)
		setenv(NS_ENV_REPORTED, mark, 1);
	cfg.backtrace = 0;
	drop_shim_from_preload();
	ns_sc_filter(ns_policy_acts_on(&cfg));
	pid = ns_sc_spawn(argv, &lfd, &killable);
	if (pid < 0) {
		*err = (int)-pid;
		return -1;
	}
	status = ns_sc_supervise(lfd, pid, killable, &cfg, &io);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* Die of the same signal, as the program did, so that the shell
	 * sees what it would have seen without netshim. */
	sig = WTERMSIG(status);
	signal(sig, SIG_DFL);
	if (sig != SIGKILL && sig != SIGSTOP) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		fflush(NULL);
		raise(sig);
	}
	return 128 + sig;
}
