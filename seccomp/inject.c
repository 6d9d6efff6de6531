// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fault injection in the seccomp front: asks the engine about a call the
 * supervisor is about to make for the program, as the shim's inject.c. */
#include "front.h"
#include "../src/fault.h"

/* How often each rule fired: one count for the whole run, every process
 * of the program together (the shim counts per process, a child going on
 * from its parent's counts at fork). */
static struct ns_fault_state state;

bool sc_fault_on(const struct sc_call *c)
{
	return ns_fault_wants(&sc_cfg->fault, c->ev.call);
}

int sc_inject(struct sc_call *c, int family, int protocol,
	      const struct sockaddr *sa, socklen_t salen, int level,
	      int optname)
{
	struct ns_fault_call fc = {
		.call = c->ev.call,
		.family = family,
		.protocol = protocol,
		.level = level,
		.optname = optname,
		.sa = sa,
		.salen = salen,
	};
	struct ns_fault_hit hit = { 0 };

	if (!sc_fault_on(c) || !ns_fault_match(&sc_cfg->fault, &state, &fc,
					       &hit))
		return 0;
	c->ev.injected = hit.rule;
	/* On a thread of its own (dispatch): the loop goes on meanwhile. */
	if (hit.delay_ms)
		ns_fault_sleep(hit.delay_ms);
	if (!hit.fail || hit.drop_family || hit.kind != NS_FAULT_ERRNO)
		return 0;
	return hit.value;
}
