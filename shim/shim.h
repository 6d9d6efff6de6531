/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State and helpers shared by the LD_PRELOAD hooks. */
#ifndef SHIM_SHIM_H
#define SHIM_SHIM_H

#include "../src/call.h"
#include "../src/compiler.h"
#include "../src/config.h"
#include "../src/event.h"
#include "../src/fdtable.h"
#include "../src/sink.h"
#include "../src/sys.h"
#include "real.h"

#include <errno.h>
#include <stdbool.h>
#include <time.h>

/*
 * shim_gate says what hooks do, in one load: SHIM_GATE_INIT until the shim is
 * set up (the hook then sets it up, even before our constructor ran),
 * SHIM_GATE_PASS when nothing is enabled or in secure-execution mode (every
 * hook is a branch and a call), SHIM_GATE_ON when tracing or a policy needs
 * the fd table.
 */
enum { SHIM_GATE_INIT, SHIM_GATE_PASS, SHIM_GATE_ON };
extern int shim_gate;
/* The calls whose hooks act when the gate is on; set before it opens. */
extern ns_callmask shim_calls_on;

extern const struct ns_config *shim_cfg;
extern struct ns_sink shim_sink;
extern const struct ns_config_io shim_io;
extern int shim_pid;
/* A vfork child that dup2'ed over the trace descriptor: its own events
 * must not be written there (it shares our memory, not our fds). */
extern int shim_sink_clobbered_by;

/* netshim's copy of the program's stderr as it was at set-up, where its
 * complaints go; -1 when it holds none (init.c says when). */
extern int shim_errfd;
static inline bool shim_errfd_is(int fd)
{
	return fd >= 0 && fd == __atomic_load_n(&shim_errfd, __ATOMIC_RELAXED);
}
/* The program dup2s onto shim_errfd: the copy moves to another number.
 * Returns the number given up, still open, for the caller to close if
 * the program's call fails. */
int shim_errfd_move(void);
/* At set-up (state.c): notes what fd 2 is, and keeps a guarded copy of
 * it when it is a regular file, for complaints. */
void shim_keep_stderr(void);

/* Set while netshim itself calls libc (a lookup, set-up): hooks reached
 * from there pass straight through. */
extern __thread int shim_guard __attribute__((tls_model("initial-exec")));

/* Whether this thread made a child that shares its memory (hook_process.c):
 * a vfork child, until the thread runs again, or a clone(CLONE_VM) one,
 * for good. Only then is getpid(2) asked who is calling. */
enum { SHIM_VFORK_NONE, SHIM_VFORK_PENDING, SHIM_VFORK_CLONE };
extern __thread unsigned char shim_vforked
	__attribute__((tls_model("initial-exec")));

/* 0 in the process that owns the fd table; in a child sharing its memory
 * (vfork), that child's pid: its descriptors are its own, the table is
 * not. */
static inline int shim_memory_child(void)
{
	int pid;

	if (likely(!shim_vforked))
		return 0;
	pid = ns_sys_getpid();
	if (pid != shim_pid)
		return pid;
	/* The vforking thread runs again: its child exec'd or exited. */
	if (shim_vforked == SHIM_VFORK_PENDING)
		shim_vforked = SHIM_VFORK_NONE;
	return 0;
}

void shim_init(void);

/* Whether the hook of @call has work to do (ns_policy_calls). */
static inline bool shim_enabled(enum ns_call call)
{
	int g = __atomic_load_n(&shim_gate, __ATOMIC_ACQUIRE);

	if (likely(g == SHIM_GATE_PASS))
		return false;
	if (unlikely(g == SHIM_GATE_INIT)) {
		shim_init();
		g = __atomic_load_n(&shim_gate, __ATOMIC_ACQUIRE);
	}
	return g == SHIM_GATE_ON && (shim_calls_on & NS_CALLBIT(call)) &&
	       !shim_guard;
}

/* One intercepted call in flight: the engine's record (call.h), named as
 * the hooks' own, and the program's errno. */
struct shim_cx {
	NS_CALL_REC(rec);
	int entry_errno;	/* errno when the program called */
	int saved_errno;	/* errno to hand back */
	/* The fcntl or fcntl64 the program called (hook_fd.c). */
	int (*fcntl_real)(int, int, ...);
};

/* The LD_PRELOAD front's operations for the engine (ops.c); the same
 * for a vfork child's close and dup (hook_fd.c), whose descriptors are
 * its own while the table is its parent's: the table stays as it is. */
extern const struct ns_ops shim_ops, shim_child_ops;

/* Starts @cx for @call on @fd: timing only when the call is traced. */
static inline void shim_begin(struct shim_cx *cx, enum ns_call call, int fd)
{
	cx->entry_errno = errno;
	cx->saved_errno = cx->entry_errno;
	ns_rec_begin(&cx->rec, shim_cfg, call, fd);
}

/* Right after the real call: saves errno, records the result (a negative
 * @ret is a failure with that errno) and stops the clock. */
static inline void shim_after(struct shim_cx *cx, long ret)
{
	struct timespec t1;

	cx->saved_errno = errno;
	cx->ev.ret = ret;
	cx->ev.err = ret < 0 ? cx->saved_errno : 0;
	if (cx->trace) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cx->ev.dur_ns = (uint64_t)(t1.tv_sec - cx->t0.tv_sec) *
					1000000000u +
				(uint64_t)t1.tv_nsec - (uint64_t)cx->t0.tv_nsec;
	}
}

/* After the engine carried out a call (ns_do_*): the errno the program
 * gets, its own when a policy turned a failure into success. */
static inline void shim_settled(struct shim_cx *cx)
{
	if (cx->ev.err)
		cx->saved_errno = cx->ev.err;
	else if (cx->rescued)
		cx->saved_errno = cx->entry_errno;
}

/* A policy acted: "@what" then " (ERRNO)" for a kernel's refusal @err
 * when not 0, then @tail; several notes in one call are joined by "; ". */
void shim_note(struct shim_cx *cx, const char *what, int err, const char *tail);

/* The policy turned a failure into success: errno as the program left it. */
static inline void shim_succeed(struct shim_cx *cx, long ret)
{
	cx->ev.ret = ret;
	cx->ev.err = 0;
	cx->saved_errno = cx->entry_errno;
}

/* Fails with @err without calling the kernel. */
static inline void shim_deny(struct shim_cx *cx, int err)
{
	cx->ev.ret = -1;
	cx->ev.err = err;
	cx->saved_errno = err;
}

/* Fault injection (inject.c). A hook asks only when some rule names its
 * call (ns_fault_wants): the call described, the delays waited out, and
 * true when the call fails instead, errno then set for an errno action;
 * @hit says what fired. */
bool shim_inject(struct shim_cx *cx, const struct ns_fault_call *fc,
	       struct ns_fault_hit *hit);
/* shim_inject for the call in @cx on socket @fd, with its address or
 * option (else NULL, 0 and -1, -1). */
bool shim_inject_fd(struct shim_cx *cx, int fd, const struct sockaddr *sa,
		  socklen_t salen, int level, int optname);
/* At set-up: the seed a run with percentages draws with, when nobody
 * chose one, so that the run can be replayed. */
void shim_fault_announce(const struct ns_config_io *io);

static inline bool shim_fault_on(enum ns_call call)
{
	return unlikely(ns_fault_wants(&shim_cfg->fault, call));
}

/* Writes the event of a traced call. */
void shim_emit(struct shim_cx *cx);

/* Emits the event if the call is traced, then puts back the errno the
 * real call left. */
static inline void shim_finish(struct shim_cx *cx)
{
	if (cx->trace)
		shim_emit(cx);
	errno = cx->saved_errno;
}
/* At set-up: learn whether fd 2 is a socket (see emit.c). */
void shim_learn_stderr(void);

/* After fork: the thread id cache belongs to the parent. */
void shim_forget_tid(void);

/* close_range(2) around netshim's own descriptors (hook_fd.c). */
int shim_close_range_sparing(unsigned first, unsigned last, int flags);

/* Whether @fd still is the kind of socket @info describes (the kernel
 * says): the fd table's check after a signal handler. */
bool shim_fd_still(int fd, const struct ns_fdinfo *info);
/* What the kernel says @fd is, if a socket; the table is not touched. */
bool shim_fd_kind(int fd, struct ns_fdinfo *info);

/* What fd is, from the table or, for a socket we never saw created
 * (inherited, made by a library's internal call), from the kernel. */
bool shim_fd_lookup(int fd, struct ns_fdinfo *info);
/* An IPv4 or IPv6 stream socket, TCP or MPTCP: where TCP Fast Open
 * applies. @info, when not NULL, gets what the table knows. */
bool shim_fd_is_tcp(int fd, struct ns_fdinfo *info);

/* Fills @frames with up to @max "func+0xoff (module)" strings of our
 * callers; returns how many. 0 in a build without libunwind. */
#define SHIM_FRAME_MAX 128
int shim_backtrace(char (*frames)[SHIM_FRAME_MAX], int max);
extern const bool shim_have_backtrace;

#endif
