// SPDX-License-Identifier: LGPL-2.1-or-later
/* When the trap front runs (NETSHIM_RAW), and its set-up in order. */
#include "trap.h"
#include "../src/policy.h"
#include "../src/sys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

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

/*
 * auto: Go programs, whose runtime makes its socket calls without libc;
 * everything else has no filter at all. A filter inherited through exec
 * (seccomp(2): it stays) gets the handler whatever NETSHIM_RAW says: the
 * calls it traps would otherwise kill the program. The handler goes in
 * before the filter, the site before both.
 */
void trap_start(const struct ns_config *c, const struct ns_config_io *io)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	bool want = c->raw == NS_RAW_ON ||
		    (c->raw == NS_RAW_AUTO && trap_is_go());
	bool inherited = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2;
	ns_callmask calls = ns_policy_calls(c);
	int err;

	if (!calls || (c->trace == NS_TRACE_OFF && !ns_config_has_policy(c)))
		want = false;
	if (!want && !inherited)
		return;
	if (!trap_site_map()) {
		complain(io, "cannot map netshim's page at 0x6e7300000000",
			 errno);
		return;
	}
	trap_exec_snapshot();
	if (!trap_find_libc()) {
		complain(io, "cannot find libc's code", 0);
		return;
	}
	if (!trap_handler_install(io)) {
		complain(io, "cannot install the SIGSYS handler", errno);
		return;
	}
	ns_sys_site = trap_sys;
	if (!want)
		return;
	err = trap_filter_install(calls);
	if (err)
		complain(io, "cannot install the seccomp filter", -err);
#else
	if (c->raw == NS_RAW_ON)
		io->warn("netshim: NETSHIM_RAW=on: raw system calls are only "
			 "trapped on x86_64\n", 68, io->ctx);
#endif
}
