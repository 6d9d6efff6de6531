// SPDX-License-Identifier: LGPL-2.1-or-later
/* A trapped call re-issued through the library's libc-level hooks, so
 * that policies, faults, the fd table and events are the hooks' own code.
 * The one place to point at per-call engine entry points later. */
#include "trap.h"
#include "../src/event.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define I(n) ((int)a[n])
#define P(n) ((void *)a[n])

/*
 * connect() and the others name the hooks: libnetshim.so defines them
 * and is preloaded, so they resolve to its own. Their real calls go to
 * libc, whose system-call instructions the filter lets through.
 */
static long reissue(long nr, const long *a)
{
	long r;

	switch (nr) {
	case SYS_socket: r = socket(I(0), I(1), I(2)); break;
	case SYS_socketpair: r = socketpair(I(0), I(1), I(2), P(3)); break;
	case SYS_connect: r = connect(I(0), P(1), (socklen_t)a[2]); break;
	case SYS_bind: r = bind(I(0), P(1), (socklen_t)a[2]); break;
	case SYS_listen: r = listen(I(0), I(1)); break;
	case SYS_accept: r = accept(I(0), P(1), P(2)); break;
	case SYS_accept4: r = accept4(I(0), P(1), P(2), I(3)); break;
	case SYS_setsockopt:
		r = setsockopt(I(0), I(1), I(2), P(3), (socklen_t)a[4]);
		break;
	case SYS_getsockopt:
		r = getsockopt(I(0), I(1), I(2), P(3), P(4));
		break;
	case SYS_sendto:
		r = sendto(I(0), P(1), (size_t)a[2], I(3), P(4),
			   (socklen_t)a[5]);
		break;
	case SYS_sendmsg: r = sendmsg(I(0), P(1), I(2)); break;
	default:
		return trap_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return r < 0 ? -errno : r;
}

/* The hooks' events of it say "raw" (event.h). The library's handler
 * blocks no signal: @mask is not needed. */
long trap_dispatch(long nr, const long *a, const uint64_t *mask)
{
	bool raw = ns_event_raw;
	long r;

	(void)mask;
	ns_event_raw = true;
	r = reissue(nr, a);
	ns_event_raw = raw;
	return r;
}
