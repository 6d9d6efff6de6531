/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The blob's own state and helpers: what its handler serves a trapped
 * call with, where the library would use the shim's. */
#ifndef NS_TRAP_BLOB_FRONT_H
#define NS_TRAP_BLOB_FRONT_H

#include "../src/call.h"
#include "../src/config.h"
#include "../src/free.h"
#include "../src/sink.h"

#include <stdbool.h>
#include <stdint.h>

/* Set up once per image (blob_start.c), read-only afterwards. */
extern const struct ns_config *blob_cfg;
extern const struct ns_config_io blob_io;
extern struct ns_sink blob_sink;
extern int blob_pid;		/* the process the sink was opened for */
extern char blob_prog[64];	/* argv[0]'s last name */

/* One trapped call in flight: the engine's record, and the program's
 * signal mask at the trap (trap.h, trap_dispatch). */
struct blob_cx {
	NS_CALL_REC(rec);
	const uint64_t *mask;
};

/* Raw system calls through the gate, the fd table, faults (blob_ops.c). */
extern const struct ns_ops blob_ops;

static inline void blob_begin(struct blob_cx *cx, enum ns_call call, int fd,
			      const uint64_t *mask)
{
	ns_rec_begin(&cx->rec, blob_cfg, call, fd);
	cx->mask = mask;
}

/* A call that may wait in the kernel (connect, accept, a send), made
 * with the program's signal mask @mask instead of the handler's, so that
 * a signal interrupts it as it would the bare call (EINTR, or a restart
 * under SA_RESTART) and a SIGTERM kills; the handler's mask is back
 * before the engine goes on. */
long blob_blocking(const uint64_t *mask, long nr, long a, long b, long c,
		   long d, long e, long f);

/* Writes the event when the call is traced; the program's result (or
 * -errno) for rax. */
long blob_finish(struct blob_cx *cx);

#endif
