/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event model: one record per intercepted call, filled by a front
 * (call.h) and rendered by format.c. Fronts own the memory the
 * pointers refer to for as long as the event is being formatted. */
#ifndef NS_EVENT_H
#define NS_EVENT_H

#include "calls.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct addrinfo;
struct hostent;

/* Every call netshim knows (calls.h), in the order of the man page. */
enum ns_call {
#define NS_X(name, ...) NS_CALL_##name,
	NS_CALL_TABLE(NS_X)
#undef NS_X
	NS_CALL_COUNT
};

typedef uint32_t ns_callmask;
#define NS_CALLBIT(c) ((ns_callmask)1 << (c))

const char *ns_call_name(enum ns_call c);
bool ns_call_by_name(const char *name, enum ns_call *c);

/* The calls of the NETSHIM_EVENTS groups in @groups (NS_GROUP_*). */
ns_callmask ns_calls_in_group(unsigned groups);
/* The calls a NETSHIM_FAIL rule may name selecting on one of @rules
 * (NS_RULES_*). */
ns_callmask ns_calls_with_rules(unsigned rules);

#ifdef NS_FREESTANDING
/* The freestanding engine serves only the trap front's blob, where every
 * call it sees bypassed libc: always raw, and no TLS to keep it in. */
#define ns_event_raw true
#else
/* Set by a front while it serves a system call that bypassed libc through
 * the libc-level code path: the events built meanwhile carry it (raw). */
extern __thread bool ns_event_raw __attribute__((tls_model("initial-exec")));
#endif

/* Most bytes of an option value an event carries (struct timeval). */
#define NS_OPTVAL_MAX 16

struct ns_sock {
	int family;
	int type;
	int protocol;
};

struct ns_event {
	enum ns_call call;
	struct timespec ts;	/* CLOCK_REALTIME at the call */
	uint64_t dur_ns;	/* time spent in the real call */
	int pid;
	int tid;
	const char *prog;

	long ret;
	int err;		/* errno when the call failed, else 0 */

	int fd;			/* the socket the call acts on, or -1 */
	const struct ns_sock *sock;	/* what fd is; NULL when unknown */

	union {
		struct {	/* socket, socketpair */
			int family, type, protocol;
			int sv[2];
		} sock;
		struct {	/* connect, bind, accept, accept4 */
			const struct sockaddr *sa;
			socklen_t len;
			int flags;	/* accept4 */
		} addr;
		struct {	/* listen backlog, shutdown how */
			int n;
		} num;
		struct {	/* setsockopt, getsockopt */
			int level, name;
			socklen_t len;		/* optlen */
			const void *val;	/* a copy the front made */
			size_t vlen;		/* bytes of it that are valid */
		} opt;
		struct {	/* sendto, sendmsg */
			size_t len;
			int flags;
			const struct sockaddr *sa;
			socklen_t salen;
		} send;
		struct {	/* getaddrinfo, freeaddrinfo */
			const char *node, *service;
			const struct addrinfo *hints, *res;
		} gai;
		struct {	/* gethostbyname, gethostbyname2 */
			const char *name;
			int family;
			const struct hostent *he;
			int herr;
		} ghbn;
		struct {	/* getnameinfo */
			const struct sockaddr *sa;
			socklen_t salen;
			const char *host, *serv;
			int flags;
		} gni;
		struct {	/* close..fcntl: the other numbers */
			long a, b, c;
		} fds;
	} u;

	const char *policy;	/* what a policy did, or NULL */
	const char *injected;	/* the NETSHIM_FAIL rule that acted, or NULL */
	bool raw;		/* a system call that bypassed libc (trap/) */
	const char *const *bt;	/* backtrace frames, innermost first */
	int nbt;
};

#endif
