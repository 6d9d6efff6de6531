/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection: NETSHIM_FAIL rules, NETSHIM_SCENARIO rule sets and the
 * decision whether a call fails, waits or loses answers. Pure: a front
 * describes the call, the engine answers; the front carries it out. */
#ifndef NS_FAULT_H
#define NS_FAULT_H

#include "event.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct addrinfo;
struct ns_config_io;

#define NS_FAULT_MAX 32		/* rules, NETSHIM_FAIL and scenarios */
#define NS_FAULT_TEXT 96	/* a rule's own text, for events */
#define NS_FAULT_HOST 64	/* a host name selector */
#define NS_FAULT_DELAY_MAX 3600000u	/* ms: an hour */

enum ns_fault_kind {
	NS_FAULT_ERRNO,		/* fail with errno (getaddrinfo: EAI_SYSTEM) */
	NS_FAULT_EAI,		/* getaddrinfo returns this EAI_* code */
	NS_FAULT_HERRNO,	/* gethostbyname* fail with this h_errno */
	NS_FAULT_DELAY,		/* wait, then the real call */
};

struct ns_fault_rule {
	enum ns_call call;
	enum ns_fault_kind kind;
	int value;		/* errno, EAI_* or h_errno code */
	uint32_t delay_ms;
	uint16_t per10k;	/* chance in 1/10000, 10000 always */
	uint32_t count;		/* fires at most this often, 0: no limit */
	int family;		/* AF_INET, AF_INET6, AF_UNIX or 0: any */
	int protocol;		/* IPPROTO_TCP, _UDP, _MPTCP or 0: any */
	int level, optname;	/* -1: any */
	bool has_addr;
	int addr_family;	/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix;		/* bits that must match */
	uint16_t port;		/* 0: any */
	bool any_addr;		/* ":PORT" alone: any address, that port */
	char host[NS_FAULT_HOST];	/* "" any; "*.x" any name under x */
	char text[NS_FAULT_TEXT];	/* as written, for the event */
};

struct ns_faults {
	int n;
	ns_callmask calls;	/* calls some rule names: the hooks' test */
	bool random;		/* some rule has a percentage */
	bool seeded;		/* NETSHIM_SEED was given */
	uint64_t seed;
	struct ns_fault_rule rule[NS_FAULT_MAX];
};

/* What a front keeps between calls: how often each rule fired and how many
 * draws were made. Zeroed at start; atomics only, so threads and signal
 * handlers share it without a lock. */
struct ns_fault_state {
	uint32_t fired[NS_FAULT_MAX];
	uint64_t draws;
};

/* The call, as the front knows it; 0 or NULL for what it does not. */
struct ns_fault_call {
	enum ns_call call;
	int family;		/* the socket's, getaddrinfo's hints',
				 * gethostbyname2's */
	int protocol;		/* as the kernel has it (TCP, not 0) */
	int level, optname;	/* setsockopt, getsockopt */
	const struct sockaddr *sa;	/* connect, bind, sendto's address */
	socklen_t salen;
	const char *host;	/* the name looked up */
};

/* What to do: wait @delay_ms first (all delay rules that fired), then, if
 * @fail, fail with @value (errno or EAI_* code) instead of the real call;
 * for a getaddrinfo that asked for more than one family, @drop_family's
 * answers go instead, and @value only when none are left. */
struct ns_fault_hit {
	uint32_t delay_ms;
	bool fail;
	enum ns_fault_kind kind;
	int value;
	int drop_family;
	const char *rule;	/* the rule that decided, for the event */
	const char *delay_rule;	/* the first delay rule that fired */
};

/* Reads NETSHIM_FAIL, NETSHIM_SCENARIO and NETSHIM_SEED through @io into
 * @f. A rule that does not parse is reported in one line and left out; the
 * others apply. Returns the number of complaints. */
int ns_fault_parse(struct ns_faults *f, const struct ns_config_io *io);

/* Whether some rule acts on @call. */
static inline bool ns_fault_wants(const struct ns_faults *f, enum ns_call c)
{
	return f->calls & NS_CALLBIT(c);
}

/* Decides for one call. Rules go in order (NETSHIM_FAIL, then the
 * scenarios): every delay rule that fires adds its delay, the first
 * failure rule that fires decides. True when anything fired. */
bool ns_fault_match(const struct ns_faults *f, struct ns_fault_state *st,
		    const struct ns_fault_call *c, struct ns_fault_hit *hit);

/* Sleeps @ms, again for the rest after a signal (async-signal-safe). */
void ns_fault_sleep(uint32_t ms);

/* Takes the entries of @family out of @res, freeing each with @free_one
 * (called on a one-entry list), the canonical name kept on the first.
 * True when some entry is left. */
bool ns_fault_filter(struct addrinfo **res, int family,
		     void (*free_one)(struct addrinfo *));

/* The scenarios, for `netshim run --list-scenarios`. */
struct ns_scenario {
	const char *name;
	const char *what;	/* one line */
	const char *rules;	/* NETSHIM_FAIL syntax */
};
extern const struct ns_scenario ns_scenarios[];
extern const unsigned ns_scenario_count;

#endif
