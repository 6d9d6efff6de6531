// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fault injection in the LD_PRELOAD front: asks the engine about a call,
 * waits out delays and says whether the call fails instead. */
#include "shim.h"
#include "../src/buf.h"

#include <errno.h>

/* How often each rule fired and how many draws were made, for this
 * process (a forked child goes on from the parent's counts). */
static struct ns_fault_state state;

bool shim_inject(struct shim_cx *cx, const struct ns_fault_call *fc,
	       struct ns_fault_hit *hit)
{
	int saved = errno;

	if (!ns_fault_match(&shim_cfg->fault, &state, fc, hit))
		return false;
	cx->ev.injected = hit->rule;
	if (hit->delay_ms)
		ns_fault_sleep(hit->delay_ms);
	errno = saved;
	if (!hit->fail || hit->drop_family)
		return false;
	if (hit->kind == NS_FAULT_ERRNO)
		errno = hit->value;
	return true;
}

void shim_fault_announce(const struct ns_config_io *io)
{
	const struct ns_faults *f = &shim_cfg->fault;
	char mem[160];
	struct ns_buf b;

	if (!f->random || f->seeded)
		return;
	ns_buf_init(&b, mem, sizeof(mem) - 1);
	ns_buf_str(&b, "netshim: NETSHIM_SEED is not set; percentages are "
		       "drawn with NETSHIM_SEED=");
	ns_buf_u64(&b, f->seed);
	ns_buf_str(&b, " (set it to replay them)\n");
	io->warn(b.p, b.len, io->ctx);
}

bool shim_inject_fd(struct shim_cx *cx, int fd, const struct sockaddr *sa,
		  socklen_t salen, int level, int optname)
{
	struct ns_fault_call fc = {
		.call = cx->ev.call,
		.sa = sa,
		.salen = salen,
		.level = level,
		.optname = optname,
	};
	struct ns_fault_hit hit;
	struct ns_fdinfo info;

	/* The selectors need what the socket is: the table knows, or the
	 * kernel is asked once (a socket made before we were loaded). */
	if (shim_fd_lookup(fd, &info)) {
		fc.family = info.family;
		fc.protocol = info.protocol;
	}
	return shim_inject(cx, &fc, &hit);
}
