/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp user-notification front: the netshim process supervises the
 * socket system calls of a program LD_PRELOAD cannot reach (static, Go),
 * performs them on its behalf through the engine, and answers the kernel. */
#ifndef NS_SC_FRONT_H
#define NS_SC_FRONT_H

#include "../src/call.h"
#include "../src/compiler.h"
#include "../src/config.h"
#include "../src/event.h"
#include "../src/fdtable.h"
#include "../src/sink.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* ---- filter.c: the child's side ---- */

/*
 * Forks the program's process, installs the filter in it and execs @argv
 * there. Returns the child's pid with *@lfd the listener, or -errno when
 * no filter could be installed (the child is then gone and nothing ran):
 * -EBUSY under another notification supervisor, -ENOSYS or -EINVAL on a
 * kernel without user notification, -EACCES or -EPERM where forbidden.
 * *@killable tells whether SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV took.
 */
pid_t ns_sc_spawn(char *const argv[], int *lfd, bool *killable);

/* Makes the filter send @calls to netshim (and execve, execveat, setns,
 * unshare, which it learns from); without it, every call it can serve. */
void ns_sc_filter(ns_callmask calls);


/* The system calls the front serves, from the engine's table (calls.h). */
struct sc_served {
	int nr;
	enum ns_call call;
};
extern const struct sc_served sc_served[];

/* The system calls that change a thread's credentials (credentials(7),
 * capabilities(7); prctl for the bounding and ambient sets). */
#define SC_CREDS_CALLS							\
	__NR_setuid, __NR_setgid, __NR_setreuid, __NR_setregid,		\
	__NR_setresuid, __NR_setresgid, __NR_setfsuid, __NR_setfsgid,	\
	__NR_setgroups, __NR_capset, __NR_prctl
extern const unsigned sc_nserved;

/* ---- supervisor.c: the notification loop ---- */

/* Serves @lfd until no process of the program is left; returns @child's
 * wait status. */
int ns_sc_supervise(int lfd, pid_t child, bool killable,
		    const struct ns_config *cfg,
		    const struct ns_config_io *io);

/* ---- proc.c: what the supervisor knows of each traced process ---- */

struct sc_proc {
	int tgid;
	int pidfd;		/* pidfd_open(tgid): pidfd_getfd goes here */
	struct ns_fdtab *fdt;
	struct ns_sink sink;	/* NETSHIM_TRACE with %p: its own file */
	bool own_sink;
	bool stale;		/* exec'ed: prog and netns to learn again */
	bool other_netns;	/* sockets are made in its namespace */
	bool moved;		/* called setns or unshare: each thread's
				 * namespace is looked up at each socket */
	enum {
		SC_CREDS_UNKNOWN,	/* not looked at since it began */
		SC_CREDS_SAME,		/* netshim's own */
		SC_CREDS_DIFFER,	/* not: the kernel makes its calls */
		SC_CREDS_VOLATILE,	/* it changed some: a look per call */
	} creds;
	char prog[256];		/* basename of argv[0], as the shim shows */
	struct sc_proc *next;
};

void sc_procs_init(const struct ns_config *cfg,
		   const struct ns_config_io *io);
/* The process thread @tid belongs to, created on first sight; NULL when
 * it is gone. Serialised by the caller (the supervisor's lock). */
struct sc_proc *sc_proc_of(int tid);
/* A thread of @p called execve: learn the name and namespace again. */
void sc_proc_exec(struct sc_proc *p);
/* A thread of @p called setns or unshare: namespaces are per thread. */
void sc_proc_moved(struct sc_proc *p);
/* Makes a socket in the network namespace of thread @tid of @p, as
 * socket(2) there would. */
int sc_proc_socket(struct sc_proc *p, int tid, int family, int type,
		   int protocol);
/* A thread of @p called setuid, capset and the like: its credentials are
 * looked at each call from now on (creds.c). */
void sc_proc_creds_changed(struct sc_proc *p);
/* Writes one event line to the trace of @p. */
void sc_proc_write(struct sc_proc *p, const char *line, size_t n);

/* ---- one notification in flight (request.c) ---- */

struct sc_call {
	struct seccomp_notif req;
	int lfd;
	struct sc_proc *proc;
	int dup;		/* pidfd_getfd of the socket argument, or -1 */
	NS_CALL_REC(rec);	/* the engine's record: ev, note; kfd = dup */
	struct ns_sock sock;
	struct ns_fdinfo info;	/* what the socket argument is (sc_take_fd) */
	struct sockaddr_storage addr;	/* the address argument */
	unsigned char *data;	/* a send's bytes (malloc), or NULL */
	size_t dlen;
	bool answered;
	bool pending;		/* an answer waits for the event (sc_emit) */
	bool worker;		/* on a thread of its own (sc_detach) */
	socklen_t alen;		/* accept: the caller's address buffer */
	bool blocks;		/* accept: wait for a connection first */
	long pend_ret;
	int pend_err;
};

/* The seccomp front's operations for the engine (ops.c): the kernel
 * calls on our duplicates, ADDFD for the program's numbers, the
 * process's fd table. */
extern const struct ns_ops sc_ops;

extern const struct ns_config *sc_cfg;
/* The filter has WAIT_KILLABLE_RECV: once we received a call, only a
 * fatal signal ends the program's wait, so a descriptor installed before
 * the answer cannot be lost to a restarted call. */
extern bool sc_killable;

/* How a new descriptor goes in: ADDFD_FLAG_SEND, the number and the
 * answer in one step, costs one switch to the program instead of two and
 * cannot be lost to a signal. The loop serves one call at a time, so its
 * event is still written before the program's next call is served. A
 * worker's call is answered after its event (the loop may be serving
 * the same thread's next call meanwhile), when the filter is killable. */
static inline bool sc_addfd_sends(const struct sc_call *c)
{
	return !c->worker || !sc_killable;
}

/* The n-th argument as the C type the system call takes. */
static inline long sc_arg(const struct sc_call *c, int n)
{
	return (long)c->req.data.args[n];
}

static inline int sc_iarg(const struct sc_call *c, int n)
{
	return (int)c->req.data.args[n];
}

/* ---- notify.c: the kernel's side of a notification ---- */

/* Reads @n bytes at the program's @addr; -1 (EFAULT) unless all came. */
int sc_read(struct sc_call *c, uint64_t addr, void *buf, size_t n);
/* Writes into the program's memory; -1 unless all went. */
int sc_write(struct sc_call *c, uint64_t addr, const void *buf, size_t n);
/* The kernel still waits for this answer: the thread that asked is the
 * one whose memory was read (seccomp_unotify(2), ID_VALID). */
bool sc_valid(struct sc_call *c);

/* Answers: the call's result (or -err), the kernel's own handling
 * (untraced), or a descriptor of ours installed as the result. After
 * sc_begin, sc_reply's answer waits for sc_emit, so that each event is
 * written before the program goes on (and events stay in its order). */
void sc_reply(struct sc_call *c, long ret, int err);
void sc_continue(struct sc_call *c);
/* Installs @fd in the program (at @at, or the lowest free number when
 * -1) with O_CLOEXEC when @cloexec; with @send it is the call's result.
 * Returns the number or -errno. */
int sc_addfd(struct sc_call *c, int fd, bool cloexec, int at, bool send);
/* Sends an answer that waited for the event (sc_reply), if any. */
void sc_flush(struct sc_call *c);

/* ---- request.c: the call's socket, address, clock and event ---- */

/* Our copy of the program's descriptor @fd in c->dup; -errno on failure
 * (EBADF: not open). Fills c->sock from the fd table or the kernel. */
int sc_getfd(struct sc_call *c, int fd, struct ns_fdinfo *info);

/* Starts the clock and the event; the real call follows. */
void sc_begin(struct sc_call *c);
/* Records the real call's result: @ret, or -1 with @err. */
void sc_after(struct sc_call *c, long ret, int err);
/* Writes the event when the call is traced, then sends the answer. */
void sc_emit(struct sc_call *c);
/* Whether our duplicate is a blocking socket. */
bool sc_blocking(const struct sc_call *c);
/* The socket argument (args[0]) into c->dup and c->info; false when
 * the call was answered already: EBADF reported, or left to the kernel
 * untraced when the process cannot be reached. */
bool sc_take_fd(struct sc_call *c);
/* The address argument at @addr, @len bytes, into c->addr; false when
 * the call was left to the kernel untraced (a path name, or memory that
 * cannot be read: the kernel's own EFAULT). */
bool sc_take_addr(struct sc_call *c, uint64_t addr, socklen_t len);
/* Whether a sockaddr names a path in the file system (AF_UNIX, not
 * abstract): relative to the program's directory and root, with its
 * umask, so the kernel must see the program's own call. */
bool sc_unix_path(const struct sockaddr *sa, socklen_t len);

/* ---- creds.c: never a call with more privilege than the caller ---- */

/* Reads netshim's own credentials, once, at start. */
void sc_creds_init(void);
/* Whether the calling thread of @c has netshim's uids, gids, groups and
 * capabilities; where it has not, its call is left to the kernel. */
bool sc_creds_same(struct sc_call *c);

/* ---- pool.c: threads for calls that block ---- */

/* The socket blocks: the rest of the call runs on a thread of its own so
 * that the loop goes on serving the program's other threads. @fn owns
 * @c (a copy) and must answer it. Returns false if no thread could be
 * made (the caller then runs @fn itself). */
bool sc_detach(struct sc_call *c, void (*fn)(struct sc_call *c));
/* Whether a detached call is under way: a process's memory may be in use
 * then (proc.c does not sweep). */
bool sc_pool_busy(void);
/* Waits for the detached calls to end, @seconds at most. */
void sc_pool_drain(int seconds);

/* ---- the handlers: sys_socket.c, sys_connect.c, sys_sockopt.c ---- */

void sc_sys_socket(struct sc_call *c);
void sc_sys_socketpair(struct sc_call *c);
void sc_sys_bind(struct sc_call *c);
void sc_sys_listen(struct sc_call *c);
void sc_sys_accept(struct sc_call *c, bool four);
void sc_sys_connect(struct sc_call *c);
void sc_sys_sendto(struct sc_call *c);
void sc_sys_sendmsg(struct sc_call *c);
void sc_sys_setsockopt(struct sc_call *c);
void sc_sys_getsockopt(struct sc_call *c);

/* NETSHIM_FAIL (inject.c): whether some rule names the call; then, just
 * before the real call, the errno an injected failure puts in its place
 * (0: make the call), delays waited out, c->ev.injected set. The
 * engine asks (op_inject), the socket as c->info has it (op_lookup). */
bool sc_fault_on(const struct sc_call *c);
int sc_inject(struct sc_call *c, int family, int protocol,
	      const struct sockaddr *sa, socklen_t salen, int level,
	      int optname);

#endif
