// SPDX-License-Identifier: LGPL-2.1-or-later
/* When the trap front runs (NETSHIM_RAW), and its set-up in order. */
#include "trap.h"
#include "../src/starter.h"
#include "../src/policy.h"
#include "../src/sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void complain(const struct ns_config_io *io, const char *what,
		     int err)
{
	char line[256];
	size_t n = 0;

	n += (size_t)snprintf(line, sizeof(line),
			      "netshim: raw system calls are not traced: %s%s%s\n",
			      what, err ? ": " : "", err ? strerror(err) : "");
	io->warn(line, n < sizeof(line) ? n : sizeof(line) - 1, io->ctx);
}

#if defined(__x86_64__) && !defined(__ILP32__)
/* The options that cannot act on trapped calls, once each at start. */
static void cannot_act(const struct ns_config *c,
		       const struct ns_config_io *io)
{
	static const char bt[] =
		"netshim: NETSHIM_BACKTRACE: calls trapped outside libc get "
		"no backtrace (the unwinder stops at the SIGSYS frame)\n";
	static const char prefer[] =
		"netshim: NETSHIM_PREFER orders lookups made through libc; "
		"Go's own resolver makes none (GODEBUG=netdns=cgo makes it "
		"use libc)\n";
	const char *g = getenv("GODEBUG");

	if (c->backtrace)
		io->warn(bt, sizeof(bt) - 1, io->ctx);
	if (c->prefer != NS_PREFER_NONE && trap_is_go() &&
	    !(g && strstr(g, "netdns=cgo")))
		io->warn(prefer, sizeof(prefer) - 1, io->ctx);
}

/* What exec gives a dynamic program again (exec.c): this library and the
 * settings the run started with. */
static void snapshot(void)
{
	extern char **environ;
	Dl_info dl;

	if (dladdr((void *)snapshot, &dl) && dl.dli_fname)
		trap_exec_library(dl.dli_fname);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "NETSHIM_", 8) ||
		    !strncmp(*e, "LD_PRELOAD=", 11))
			trap_exec_keep(*e);
	/* netshim run listens for the execs of static programs. */
	trap_exec_listened = getenv(NS_ENV_WATCHED) != NULL;
}

/* 1: site and handler in place; -1: they cannot be. */
static int ready;

/* The site, libc's whereabouts and the handler: 0, or what failed. */
static const char *prepare(int *err)
{
	if (ready)
		return ready > 0 ? NULL : "set-up failed before";
	ready = -1;
	*err = 0;
	if (!trap_site_map()) {
		*err = errno;
		return "cannot map netshim's page at 0x6e7300000000";
	}
	snapshot();
	if (!trap_find_libc())
		return "cannot find libc's code";
	if (!trap_handler_install()) {
		*err = errno;
		return "cannot install the SIGSYS handler";
	}
	ns_sys_site = trap_sys;
	ready = 1;
	return NULL;
}

/*
 * A filter inherited through exec (seccomp(2): it stays) traps libc's
 * calls in this image too, for it knew another libc; the handler must be
 * there before anything here makes one (writing a complaint blocks
 * SIGPIPE with rt_sigprocmask), whatever NETSHIM_RAW says. So this runs
 * before the library's own constructor.
 */
__attribute__((constructor(101))) static void trap_early(void)
{
	int err;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2)
		prepare(&err);
}
#endif

/*
 * auto: Go programs, whose runtime makes its socket calls without libc;
 * everything else has no filter at all. The handler goes in before the
 * filter, the site before both.
 */
static void trap_start(const struct ns_config *c,
		       const struct ns_config_io *io)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	ns_callmask calls = ns_policy_calls(c);
	bool want = calls && (c->trace != NS_TRACE_OFF ||
			      ns_config_has_policy(c));
	const char *why;
	int err;

	/* The ELF is read last: only when the rest would trap. */
	want = want && (c->raw == NS_RAW_ON ||
			(c->raw == NS_RAW_AUTO && trap_is_go()));
	if (!want && !ready &&
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		return;
	why = prepare(&err);
	if (why) {
		complain(io, why, err);
		return;
	}
	if (!want)
		return;
	err = trap_filter_install(calls, false);
	if (err) {
		complain(io, "cannot install the seccomp filter", -err);
		return;
	}
	cannot_act(c, io);
#else
	if (c->raw == NS_RAW_ON)
		io->warn("netshim: NETSHIM_RAW=on: raw system calls are only "
			 "trapped on x86_64\n", 68, io->ctx);
#endif
}

/* Run by the library's set-up (starter.h), before the trace is opened. */
NS_STARTER(trap_start);
