/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's side of one caught call: the record every front fills, the
 * operations a front lends the engine, and the per-call entry points that
 * carry out what the policies decided once the kernel has answered. */
#ifndef NS_CALL_H
#define NS_CALL_H

#include "config.h"
#include "event.h"
#include "fdtable.h"

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

/*
 * The record of one call in flight, as a group of members (the kernel's
 * struct_group, include/uapi/linux/stddef.h): a front's own per-call
 * struct writes NS_CALL_REC(rec) among its members, names them as its
 * own (cx.ev, c->note) and hands &x->rec to the engine.
 */
#define NS_CALL_REC_MEMBERS						\
	struct ns_event ev;						\
	struct timespec t0;	/* CLOCK_MONOTONIC at the real call */	\
	const struct ns_config *cfg;					\
	int kfd;		/* the descriptor kernel calls act on: the \
				 * program's own, or the front's copy */ \
	bool trace;		/* an event will be written */		\
	bool rescued;		/* a policy turned a failure into	\
				 * success: errno as the program left it */ \
	char note[224];		/* what policies did, for ev.policy */	\
	unsigned char optval[NS_OPTVAL_MAX]; /* getsockopt's value, as	\
				 * the event shows it */
struct ns_call_rec {
	NS_CALL_REC_MEMBERS
};
#define NS_CALL_REC(name)						\
	union {								\
		struct { NS_CALL_REC_MEMBERS };				\
		struct ns_call_rec name;				\
	}

/*
 * What a front lends the engine. The kernel calls take the front's own
 * descriptors (r->kfd for the call's socket) and return the result or
 * -errno, never errno; the fd table calls take the program's numbers.
 * The engine calls nothing else but the raw system calls of sys.h and
 * clock_gettime(2) (async-signal-safe): every entry point below may run
 * in a signal handler of the program, allocates nothing, and uses less
 * than 2 KiB of stack (an option's value and a socket's description).
 */
struct ns_ops {
	/* socket(2), in the program's network namespace; a front whose
	 * sockets are copies makes its own copy close-on-exec. */
	int (*socket)(struct ns_call_rec *r, int family, int type,
		      int protocol);
	int (*connect)(struct ns_call_rec *r, int lfd,
		       const struct sockaddr *sa, socklen_t len);
	ssize_t (*sendmsg)(struct ns_call_rec *r, int lfd,
			   const struct msghdr *msg, int flags);
	int (*setsockopt)(struct ns_call_rec *r, int lfd, int level, int name,
			  const void *val, socklen_t len);
	/* socketpair(2): the front's two sockets in @sv. */
	int (*socketpair)(struct ns_call_rec *r, int family, int type,
			  int protocol, int sv[2]);
	int (*bind)(struct ns_call_rec *r, int lfd, const struct sockaddr *sa,
		    socklen_t len);
	int (*listen)(struct ns_call_rec *r, int lfd, int backlog);
	/* accept(2), or accept4(2) when r->ev.call says so: the front's
	 * new socket. */
	int (*accept)(struct ns_call_rec *r, int lfd, struct sockaddr *sa,
		      socklen_t *lenp, int flags);
	int (*getsockopt)(struct ns_call_rec *r, int lfd, int level, int name,
			  void *val, socklen_t *lenp);
	int (*shutdown)(struct ns_call_rec *r, int lfd, int how);
	int (*fcntl)(struct ns_call_rec *r, int lfd, int cmd, int arg);
	/* The front's copy; the program's own close(2) when r->ev.call is
	 * close (ns_do_close). */
	int (*close)(struct ns_call_rec *r, int lfd);
	/* The program's dup(2), dup2(2), dup3(2) (@flags) or fcntl(2)'s
	 * F_DUPFD and F_DUPFD_CLOEXEC (@flags the command, @newfd the
	 * lowest number), as r->ev.call says: the new number. */
	int (*dup)(struct ns_call_rec *r, int lfd, int newfd, int flags);
	int (*close_range)(struct ns_call_rec *r, unsigned first,
			   unsigned last, int flags);
	/* Puts the front's socket @lfd at the program's number @fd (dup3),
	 * keeping the number's close-on-exec flag; the number, or -errno.
	 * With @fd -1, the lowest free number (socket(2)'s result). */
	int (*install)(struct ns_call_rec *r, int lfd, int fd, bool cloexec);
	/* Whether another number of the program holds @fd's socket. */
	bool (*shared)(struct ns_call_rec *r, int fd);
	/* What @fd is: the table, else the kernel (then NS_FD_PROBED). */
	bool (*lookup)(struct ns_call_rec *r, int fd, struct ns_fdinfo *info);
	/* The table: @lfd is the socket behind @fd, for its inode. */
	void (*put)(struct ns_call_rec *r, int fd, int lfd,
		    const struct ns_fdinfo *info);
	void (*set_state)(struct ns_call_rec *r, int fd, uint32_t bits);
	/* listen(2) succeeded with @backlog (ns_fdtab_listen). */
	void (*listening)(struct ns_call_rec *r, int fd, int backlog);
	/* The table forgets @fd, or [@first, @last]. */
	void (*del)(struct ns_call_rec *r, int fd);
	void (*del_range)(struct ns_call_rec *r, unsigned first,
			  unsigned last);
	void (*add_opt)(struct ns_call_rec *r, int fd, int level, int name,
			const void *val, unsigned len);
	/* NETSHIM_FAIL, asked only when some rule names the call: delays
	 * waited out, r->ev.injected set; the errno to fail with, or 0. */
	int (*inject)(struct ns_call_rec *r, const struct ns_fault_call *fc);
};

/* The default table's operations (table_ops.c), for a front whose
 * descriptors are the program's own (the library, the blob). */
int ns_tab_install(struct ns_call_rec *r, int lfd, int fd, bool cloexec);
bool ns_tab_shared(struct ns_call_rec *r, int fd);
void ns_tab_put(struct ns_call_rec *r, int fd, int lfd,
		const struct ns_fdinfo *info);
void ns_tab_set_state(struct ns_call_rec *r, int fd, uint32_t bits);
void ns_tab_listening(struct ns_call_rec *r, int fd, int backlog);
void ns_tab_del(struct ns_call_rec *r, int fd);
void ns_tab_del_range(struct ns_call_rec *r, unsigned first, unsigned last);
void ns_tab_add_opt(struct ns_call_rec *r, int fd, int level, int name,
		    const void *val, unsigned len);

/* Bytes a message carries; read only once the kernel accepted the
 * iovec, and bounded by IOV_MAX as the kernel bounds it (call_send.c). */
size_t ns_iov_bytes(const struct msghdr *msg);

/* ---- the record ---- */

/* Starts @r for @call on @fd: the clock only when the call is traced
 * (inline: every hooked call of the preload front starts here). A call
 * served by the trap front's handler is marked raw. */
static inline void ns_rec_begin(struct ns_call_rec *r,
				const struct ns_config *cfg, enum ns_call call,
				int fd)
{
	r->cfg = cfg;
	r->kfd = fd;
	r->trace = cfg->trace != NS_TRACE_OFF &&
		   (cfg->events & NS_CALLBIT(call));
	r->rescued = false;
	r->note[0] = '\0';
	r->ev.call = call;
	r->ev.pid = 0;
	r->ev.fd = fd;
	r->ev.sock = NULL;
	r->ev.policy = NULL;
	r->ev.injected = NULL;
	r->ev.raw = ns_event_raw;
	r->ev.nbt = 0;
	if (r->trace) {
		clock_gettime(CLOCK_REALTIME, &r->ev.ts);
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
	}
}

/* Right after the real call: the result, or -1 with @err; the clock
 * stops. */
static inline void ns_rec_after(struct ns_call_rec *r, long ret, int err)
{
	struct timespec t1;

	r->ev.ret = err ? -1 : ret;
	r->ev.err = err;
	if (r->trace) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->ev.dur_ns = (uint64_t)(t1.tv_sec - r->t0.tv_sec) *
				       1000000000u +
			       (uint64_t)t1.tv_nsec - (uint64_t)r->t0.tv_nsec;
	}
}

/* A policy acted: "@what" then " (ERRNO)" for a kernel's refusal @err
 * when not 0, then @tail; several notes in one call are joined by "; ".
 * Kept only when the call is traced: only events show notes. */
void ns_rec_note(struct ns_call_rec *r, const char *what, int err,
		 const char *tail);

/* Fails with @err without calling the kernel, with the policy's words. */
void ns_rec_deny(struct ns_call_rec *r, int err, const char *why);

/* ---- what a descriptor is ---- */

/* SO_DOMAIN, SO_TYPE and SO_PROTOCOL of the front's @lfd (socket(7)),
 * marked NS_FD_PROBED; false when it is no socket. */
bool ns_probe_fd(int lfd, struct ns_fdinfo *info);

/* An IPv4 or IPv6 stream socket, TCP or MPTCP: where TCP Fast Open
 * applies. */
bool ns_info_is_tcp(const struct ns_fdinfo *info);

/* ---- the calls ---- */

/* NETSHIM_FAIL's rules for the call in @r on @fd (r->ev.call), with the
 * address or option it names (else NULL, 0 and -1, -1); asked only when
 * some rule names the call (ns_fault_wants): the errno, or 0. */
int ns_rules_fd(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		const struct sockaddr *sa, socklen_t salen, int level, int name);

/* socket(2) as the policies want it (NETSHIM_FAMILY, NETSHIM_MPTCP and
 * its TCP retry), installed and remembered: the program's number, or -1
 * with r->ev.err. Fills r->ev.u.sock. */
int ns_do_socket(const struct ns_ops *o, struct ns_call_rec *r, int family,
		 int type, int protocol);

/* connect(2) on @fd (r->kfd): a v4-mapped address under
 * NETSHIM_FAMILY=ipv6 is refused (ns_plan_destination), NETSHIM_FAIL's
 * rules asked, the socket's state remembered. */
int ns_do_connect(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		  const struct sockaddr *sa, socklen_t len);

/* sendto(2) and sendmsg(2) as one message, with a destination or
 * MSG_FASTOPEN: NETSHIM_FAMILY's v4-mapped refusal and NETSHIM_TFO. */
ssize_t ns_do_send(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   const struct msghdr *msg, int flags);

/* setsockopt(2): NETSHIM_TFO's drop and retry, NETSHIM_MPTCP=fallback's
 * swap to TCP, the options remembered for a swap. */
int ns_do_setsockopt(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		     int level, int name, const void *val, socklen_t len);

/*
 * The calls below fill the event's own fields (r->ev.u) as the shim has
 * always shown them; a front only begins the record, reads and writes
 * the program's memory, and writes the event.
 */

/* socketpair(2): both sockets installed (@sv gets the program's
 * numbers) and remembered as connected. 0, or -1 with r->ev.err. */
int ns_do_socketpair(const struct ns_ops *o, struct ns_call_rec *r,
		     int family, int type, int protocol, int sv[2]);

/* bind(2) on @fd (r->kfd): NETSHIM_FAIL's rules, NS_FD_BOUND. */
int ns_do_bind(const struct ns_ops *o, struct ns_call_rec *r, int fd,
	       const struct sockaddr *sa, socklen_t len);

/* listen(2): NETSHIM_FAIL's rules, NS_FD_LISTENING and the backlog a
 * replacement listener gets. */
int ns_do_listen(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		 int backlog);

/* accept(2) and accept4(2) (r->ev.call; @flags only for accept4): the
 * new socket installed and remembered as the listener's kind, the
 * listener marked NS_FD_SERVED. The event shows no more of @sa than the
 * kernel wrote: the smaller of *@lenp before and after. The program's
 * number, or -1 with r->ev.err. */
int ns_do_accept(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		 struct sockaddr *sa, socklen_t *lenp, int flags);

/* getsockopt(2): NETSHIM_FAIL's rules; the event shows the value the
 * kernel wrote (a copy in r->optval), only after a success. */
int ns_do_getsockopt(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		     int level, int name, void *val, socklen_t *lenp);

/* shutdown(2): no rule names it, no state changes. */
int ns_do_shutdown(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   int how);

/* ---- descriptor lifetime: what the table must learn of it ---- */

/* The program's close(2) of @fd, a socket the table knows (the front
 * began @r with r->ev.sock): forgotten before the close, since once
 * closed the number may go to another thread's new socket, and Linux
 * frees it even when close fails (close(2)). An EBADF shows the entry
 * was stale. */
int ns_do_close(const struct ns_ops *o, struct ns_call_rec *r, int fd);

/* close_range(2): the range forgotten first, when the kernel takes the
 * arguments and does close it (not CLOSE_RANGE_CLOEXEC). */
int ns_do_close_range(const struct ns_ops *o, struct ns_call_rec *r,
		      unsigned first, unsigned last, int flags);

/* dup(2), dup2(2), dup3(2), fcntl(2) F_DUPFD* (r->ev.call; see
 * ns_ops.dup for @newfd and @flags) of @fd: the new number is what
 * @info says @fd is, or forgotten when @info is NULL (not a socket the
 * table knows: a front then writes no event). An EBADF for a number
 * that is not open drops its stale entry. */
int ns_do_dup(const struct ns_ops *o, struct ns_call_rec *r, int fd,
	      int newfd, int flags, const struct ns_fdinfo *info);

/* Copies an option's value for an event or the table: no more than the
 * kernel reads of it (ns_sockopt_read_len), a name up to its NUL, so a
 * program's short buffer is never read past; 0 when over NS_OPTVAL_MAX. */
size_t ns_opt_copy(unsigned char *dst, int level, int name, const void *val,
		   size_t n);

#endif
