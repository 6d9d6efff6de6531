/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy decisions: which family, protocol or option a call really gets.
 * Pure functions of the configuration and the call; fronts carry them out. */
#ifndef NS_POLICY_H
#define NS_POLICY_H

#include "config.h"
#include "fdtable.h"

#include <netinet/in.h>
#include <stdbool.h>

struct addrinfo;

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* What socket() should ask the kernel for. */
struct ns_socket_plan {
	int protocol;		/* the protocol to ask for */
	int deny;		/* an errno to fail with instead, or 0 */
	bool tcp_if_refused;	/* MPTCP asked: make TCP if the kernel
				 * has no MPTCP (ns_mptcp_refused) */
	const char *why;	/* the policy's words, or NULL */
};

void ns_plan_socket(const struct ns_config *c, int family, int type,
		    int protocol, struct ns_socket_plan *p);

/* socket(IPPROTO_MPTCP) failed with @err because the kernel has no MPTCP
 * (net.mptcp.enabled=0, not built): ENOPROTOOPT, EPROTONOSUPPORT, EINVAL. */
bool ns_mptcp_refused(int err);

/* getaddrinfo: the family to ask libc for, given the program's @family and
 * @node. Returns 0, or the EAI_* code to fail with, as glibc fails for a
 * name that has no address of the family (EAI_NONAME). */
int ns_plan_gai_family(const struct ns_config *c, int family,
		       const char *node, int *ask, const char **why);

/* gethostbyname2: false when the family is off (fail as HOST_NOT_FOUND). */
bool ns_plan_host_family(const struct ns_config *c, int family,
			 const char **why);

/* Moves the preferred family to the front of @res, keeping the order
 * within each family and the canonical name on the first entry. Returns
 * the policy's words when the order changed, else NULL. */
const char *ns_reorder_results(const struct ns_config *c,
			       struct addrinfo **res);

/*
 * NETSHIM_TFO's plan for a call: @drop, the option or MSG_FASTOPEN is kept
 * from the kernel (a send then connects and sends); @retry, a refusal by
 * the kernel is gone round the same way. Both only for a TCP socket (the
 * outcome layer asks, ns_info_is_tcp), and a send's only before it is
 * connected.
 */
struct ns_tfo_plan {
	bool drop;
	bool retry;
};

/* setsockopt(@level, @name) with an @len-byte value. */
void ns_plan_tfo_sockopt(const struct ns_config *c, int level, int name,
			 socklen_t len, struct ns_tfo_plan *p);

/* A send with @flags. */
void ns_plan_tfo_send(const struct ns_config *c, int flags,
		      struct ns_tfo_plan *p);

/*
 * NETSHIM_FAMILY=ipv6 and an IPv4-mapped IPv6 destination
 * (::ffff:a.b.c.d, RFC 4291 2.5.5.2), which an AF_INET6 socket reaches
 * over IPv4 (ipv6(7), IPV6_V6ONLY off): ENETUNREACH, what the kernel
 * gives when no route leads there, with the policy's words in *@why;
 * else 0.
 */
int ns_plan_destination(const struct ns_config *c, const struct sockaddr *sa,
			socklen_t len, const char **why);

/* TCP_FASTOPEN or TCP_FASTOPEN_CONNECT. */
bool ns_is_tfo_option(int level, int name);

/* The kernel refusing a TFO option or MSG_FASTOPEN: ENOPROTOOPT,
 * EOPNOTSUPP, EINVAL. */
bool ns_tfo_refused(int err);

/* An option failing on an MPTCP socket in a way a TCP socket would not:
 * ENOPROTOOPT, EOPNOTSUPP (NETSHIM_MPTCP=fallback). */
bool ns_mptcp_option_refused(int err);

/* Options whose value names another object (a BPF program's descriptor,
 * a filter in memory) mean nothing replayed later: not recorded. */
bool ns_sockopt_replayable(int level, int name);

/* Appends "@what" then " (ERRNO)" for a refusal @err when not 0, then
 * @tail, to the note in @note (@cap bytes, "; " between several notes,
 * cut to fit); returns @note, for an event's policy field. */
const char *ns_policy_note(char *note, size_t cap, const char *what, int err,
			   const char *tail);

/* NETSHIM_MPTCP=fallback replays a socket's history and the TFO policies
 * ask whether it is connected TCP: they follow sockets through their
 * options, connects and sends. */
static inline bool ns_policy_follows_sockets(const struct ns_config *c)
{
	return c->mptcp == NS_MPTCP_FALLBACK || c->tfo != NS_TFO_PASS;
}

/* Whether the fd table is worth its cost: events say what a descriptor
 * is, NETSHIM_MPTCP=fallback replays a socket's history, the TFO
 * policies ask whether a socket is connected TCP and fault rules select
 * by what a socket is. Family and protocol rewrites need none of it. */
bool ns_policy_needs_table(const struct ns_config *c);

/* The calls that tracing (NETSHIM_EVENTS), a policy or a fault rule acts
 * on. A front that learns what a descriptor is when it needs to (the
 * seccomp front's probe) lets the others go straight to the kernel. */
ns_callmask ns_policy_acts_on(const struct ns_config *c);

/* The same for a front that keeps the fd table right by seeing every
 * call while it is kept (the preload front): all of them then. */
ns_callmask ns_policy_calls(const struct ns_config *c);

/* Whether options set on a socket must be recorded for replay (only
 * NETSHIM_MPTCP=fallback replays them, see ns_can_replace). */
static inline bool ns_policy_records_options(const struct ns_config *c)
{
	return c->mptcp == NS_MPTCP_FALLBACK;
}

/* What NETSHIM_MPTCP=fallback may do with a socket whose option MPTCP
 * refused. */
enum ns_replace {
	NS_REPLACE_NO,		/* not MPTCP, not seen made, connected */
	NS_REPLACE_SOCKET,	/* a fresh socket: swapped for TCP */
	NS_REPLACE_LISTENER,	/* a listener that accepted nothing yet:
				 * swapped for a TCP listener */
	NS_REPLACE_SERVED,	/* a listener that accepted connections:
				 * kept, and the note says what to use */
};
enum ns_replace ns_plan_replace(const struct ns_config *c,
				const struct ns_fdinfo *in);

/* True when fallback may replace this socket: MPTCP, created under our
 * eyes, not yet connected or listening. */
bool ns_can_replace(const struct ns_config *c, const struct ns_fdinfo *in);

#endif
