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
	uint8_t nopts;
	struct ns_fdopt opts[NS_FD_MAXOPTS];
};

/*
 * The table is sharded by descriptor number, each shard a uthash table under
 * its own spinlock, and never calls malloc: hooks run from signal handlers,
 * in vfork children and while the program holds malloc's lock. A thread that
 * re-enters the table from a signal handler while it already holds a shard
 * skips the operation instead of deadlocking (lookups then miss), and the
 * numbers it touched are checked again afterwards (ns_fd_set_check).
 */
void ns_fd_put(int fd, const struct ns_fdinfo *info);
bool ns_fd_get(int fd, struct ns_fdinfo *out);
void ns_fd_set_state(int fd, uint32_t bits);
/* Records a successful setsockopt; one too big, without a value or one
 * too many sets NS_FD_OPTS_LOST instead. */
void ns_fd_add_opt(int fd, int level, int name, const void *val,
		   unsigned len);
void ns_fd_del(int fd);
/* Entries for [first, last] go. */
void ns_fd_del_range(unsigned first, unsigned last);

/* With @keep false every operation is skipped and lookups miss: for a
 * process whose configuration needs no table (see ns_policy_needs_table).
 * Set once, before the hooks go live. */
void ns_fd_keep(bool keep);

/*
 * A handler's update that was skipped is put right once its thread lets go
 * of the table: the entries for the numbers it touched are checked with
 * @fn, which says whether @fd still is the kind of socket @info describes
 * (the shim asks the kernel), and dropped if not, or if no @fn was set.
 */
void ns_fd_set_check(bool (*fn)(int fd, const struct ns_fdinfo *info));

/* Around fork(): the child gets a consistent table and free locks. */
void ns_fd_lock_all(void);
void ns_fd_unlock_all(void);

#endif
