/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What each socket descriptor of a process is: family, type, protocol, state
 * and options set, so an event on fd 7 can say what fd 7 is. */
#ifndef NS_FDTABLE_H
#define NS_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

enum {
	NS_FD_BOUND = 1 << 0,
	NS_FD_CONNECTED = 1 << 1,	/* connected or connecting */
	NS_FD_LISTENING = 1 << 2,
	NS_FD_ACCEPTED = 1 << 3,	/* returned by accept() */
	NS_FD_PROBED = 1 << 4,		/* learnt by asking the kernel */
	NS_FD_OPTS_LOST = 1 << 5,	/* more options set than recorded */
	NS_FD_SERVED = 1 << 6,		/* a listener that accept()ed */
};

#define NS_FD_MAXOPTS 8
#define NS_FD_OPTVAL 16	/* ints, struct linger, struct timeval fit */

/* An option the program set successfully, for replay by policies. */
struct ns_fdopt {
	int level;
	int name;
	uint8_t len;
	unsigned char val[NS_FD_OPTVAL];
};

struct ns_fdinfo {
	int family;
	int type;	/* SOCK_* without SOCK_NONBLOCK/SOCK_CLOEXEC */
	int protocol;	/* as the kernel has it: 0 asked for TCP becomes 6 */
	uint32_t state;
	uint64_t ino;	/* the socket's inode when the front knows it, or 0:
			 * a front that cannot see close() notices a reused
			 * number by a different inode */
	int backlog;	/* listen()'s, when NS_FD_LISTENING */
	uint8_t nopts;
	struct ns_fdopt opts[NS_FD_MAXOPTS];
};

/*
 * A table is sharded by descriptor number, each shard a uthash table under
 * its own spinlock, and never calls malloc: hooks run from signal handlers,
 * in vfork children and while the program holds malloc's lock. A thread that
 * re-enters a table from a signal handler while it already holds a shard
 * skips the operation instead of deadlocking (lookups then miss), and the
 * numbers it touched are checked again afterwards (ns_fd_set_check).
 *
 * One table describes one process's descriptors. The LD_PRELOAD shim runs
 * inside that process and uses ns_fdtab_default through the ns_fd_*
 * wrappers; a front that watches other processes (the seccomp supervisor)
 * keeps one table per traced process.
 */
struct ns_fdtab;
extern struct ns_fdtab ns_fdtab_default;

/* A new empty table, or NULL (out of memory). Tables given back with
 * ns_fdtab_free are kept for reuse, never unmapped. Not for signal
 * handlers: these two take a mutex. */
struct ns_fdtab *ns_fdtab_new(void);
void ns_fdtab_free(struct ns_fdtab *t);

void ns_fdtab_put(struct ns_fdtab *t, int fd, const struct ns_fdinfo *info);
bool ns_fdtab_get(struct ns_fdtab *t, int fd, struct ns_fdinfo *out);
void ns_fdtab_set_state(struct ns_fdtab *t, int fd, uint32_t bits);
/* listen() succeeded with @backlog: NS_FD_LISTENING, and the backlog a
 * replacement listener gets (NETSHIM_MPTCP=fallback). */
void ns_fdtab_listen(struct ns_fdtab *t, int fd, int backlog);
/* Records a successful setsockopt; one too big, without a value or one
 * too many sets NS_FD_OPTS_LOST instead. */
void ns_fdtab_add_opt(struct ns_fdtab *t, int fd, int level, int name,
		      const void *val, unsigned len);
void ns_fdtab_del(struct ns_fdtab *t, int fd);
/* Entries for [first, last] go. */
void ns_fdtab_del_range(struct ns_fdtab *t, unsigned first, unsigned last);

/* False after ns_fd_keep(false): the calling process keeps no table, and
 * the wrappers below skip it without a call. */
extern bool ns_fd_on;

/* Whether this thread is inside an operation on the default table: a
 * signal handler interrupted it, and the table is out of its reach. */
bool ns_fd_busy(void);

/* Whether another descriptor of this process holds @fd's socket (the
 * program dup'ed it), from /proc/self/fd (fd_shared.c). */
bool ns_fd_shared(int fd);

/* The calling process's own table, for the shim. */
static inline void ns_fd_put(int fd, const struct ns_fdinfo *info)
{
	if (ns_fd_on)
		ns_fdtab_put(&ns_fdtab_default, fd, info);
}

static inline bool ns_fd_get(int fd, struct ns_fdinfo *out)
{
	return ns_fd_on && ns_fdtab_get(&ns_fdtab_default, fd, out);
}

static inline void ns_fd_set_state(int fd, uint32_t bits)
{
	ns_fdtab_set_state(&ns_fdtab_default, fd, bits);
}

static inline void ns_fd_listen(int fd, int backlog)
{
	ns_fdtab_listen(&ns_fdtab_default, fd, backlog);
}

static inline void ns_fd_add_opt(int fd, int level, int name,
				 const void *val, unsigned len)
{
	ns_fdtab_add_opt(&ns_fdtab_default, fd, level, name, val, len);
}

static inline void ns_fd_del(int fd)
{
	if (ns_fd_on)
		ns_fdtab_del(&ns_fdtab_default, fd);
}

static inline void ns_fd_del_range(unsigned first, unsigned last)
{
	ns_fdtab_del_range(&ns_fdtab_default, first, last);
}

/* With @keep false every operation on the default table is skipped and
 * lookups miss: for a process whose configuration needs no table (see
 * ns_policy_needs_table). Set once, before the hooks go live. */
void ns_fd_keep(bool keep);

/*
 * A handler's update of the default table that was skipped is put right
 * once its thread lets go of the table: the entries for the numbers it
 * touched are checked with @fn, which says whether @fd still is the kind
 * of socket @info describes (the shim asks the kernel), and dropped if
 * not, or if no @fn was set.
 */
void ns_fd_set_check(bool (*fn)(int fd, const struct ns_fdinfo *info));

/* Around fork(): the child gets a consistent default table and free
 * locks. */
void ns_fd_lock_all(void);
void ns_fd_unlock_all(void);
/* In the child of a fork: as ns_fd_unlock_all, and when the fork came from
 * a signal handler that interrupted this thread's table operation (no lock
 * could be taken), the shards other threads held then are emptied: their
 * threads are not in the child to finish what they were changing. */
void ns_fd_unlock_all_child(void);

#endif
