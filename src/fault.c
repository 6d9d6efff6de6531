// SPDX-License-Identifier: LGPL-2.1-or-later
/* Deciding whether a call fails, waits or loses answers under the
 * NETSHIM_FAIL rules: selectors, the seeded draws, the counts. */
#include "fault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", 2014): the n-th draw is a pure function of the seed and n,
 * so one atomic increment is all threads and signal handlers share. */
static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

static bool draw(const struct ns_faults *f, struct ns_fault_state *st,
		 const struct ns_fault_rule *r)
{
	uint64_t n;

	if (r->per10k >= 10000)
		return true;
	n = __atomic_fetch_add(&st->draws, 1, __ATOMIC_RELAXED);
	return splitmix64(f->seed + n * 0x9e3779b97f4a7c15u) % 10000 <
	       r->per10k;
}

/* Takes one of the rule's #COUNT; false when none is left. */
static bool take(const struct ns_fault_rule *r, uint32_t *fired)
{
	uint32_t v = __atomic_load_n(fired, __ATOMIC_RELAXED);

	if (!r->count)
		return true;
	do {
		if (v >= r->count)
			return false;
	} while (!__atomic_compare_exchange_n(fired, &v, v + 1, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* The address's family as it goes on the wire: an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) is IPv4. 0 when there is none. */
static int wire_family(const struct sockaddr *sa, socklen_t len,
		       const uint8_t **addr, uint16_t *port)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;

	if (!sa || len < sizeof(sa_family_t))
		return 0;
	if (sa->sa_family == AF_INET && len >= sizeof(*s4)) {
		*addr = (const uint8_t *)&s4->sin_addr;
		*port = ntohs(s4->sin_port);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(*s6)) {
		*port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			*addr = (const uint8_t *)&s6->sin6_addr + 12;
			return AF_INET;
		}
		*addr = (const uint8_t *)&s6->sin6_addr;
		return AF_INET6;
	}
	return sa->sa_family == AF_UNIX ? AF_UNIX : 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	return !rest || ((a[whole] ^ b[whole]) & (0xff00u >> rest)) == 0;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* @name (a trailing dot ignored) against @pat; "*.x" is any name under x. */
static bool host_match(const char *pat, const char *name)
{
	size_t n = strlen(name), m;

	if (n && name[n - 1] == '.')
		n--;
	if (pat[0] == '*') {
		pat++;		/* ".x": a suffix after at least one label */
		m = strlen(pat);
		if (n <= m)
			return false;
		name += n - m;
		n = m;
	}
	for (m = 0; m < n && pat[m] && lower(name[m]) == pat[m]; m++)
		;
	return m == n && !pat[m];
}

static bool numeric(const char *node)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char tmp[INET6_ADDRSTRLEN + 16];
	size_t i;

	for (i = 0; node[i] && node[i] != '%' && i < sizeof(tmp) - 1; i++)
		tmp[i] = node[i];
	tmp[i] = '\0';
	return inet_pton(AF_INET, tmp, buf) == 1 ||
	       inet_pton(AF_INET6, tmp, buf) == 1;
}

/* Lookups: a rule that names a family takes that family's answers away;
 * one that names neither a family nor a host leaves alone what no resolver
 * is asked for (a numeric address, a NULL node). Returns whether the rule
 * applies; @drop gets the family to take out of a getaddrinfo that asked
 * for more than it (gethostbyname* ask for one family). */
static bool gai_match(const struct ns_fault_rule *r,
		      const struct ns_fault_call *c, int *drop)
{
	*drop = 0;
	if (r->host[0] && (!c->host || !host_match(r->host, c->host)))
		return false;
	if (!r->family)
		return r->host[0] || (c->host && !numeric(c->host));
	if (c->family == r->family)
		return true;
	if (c->family != AF_UNSPEC)
		return false;
	*drop = r->family;
	return true;
}

static bool lookup(enum ns_call call)
{
	return call == NS_CALL_getaddrinfo || call == NS_CALL_gethostbyname ||
	       call == NS_CALL_gethostbyname2;
}

static bool selectors_match(const struct ns_fault_rule *r,
			    const struct ns_fault_call *c)
{
	const uint8_t *addr = NULL;
	uint16_t port = 0;
	int fam = c->family;

	if (r->protocol && r->protocol != c->protocol)
		return false;
	if (r->level >= 0 && r->level != c->level)
		return false;
	if (r->optname >= 0 && r->optname != c->optname)
		return false;
	if (c->sa) {
		/* connect(ipv6): where the packets go, not what the socket
		 * is; a dual-stack socket reaches IPv4 by a mapped address. */
		fam = wire_family(c->sa, c->salen, &addr, &port);
	}
	if (r->family && r->family != fam)
		return false;
	if (!r->has_addr)
		return true;
	if (!addr || (r->port && r->port != port))
		return false;
	return r->any_addr || (r->addr_family == fam &&
			       prefix_match(r->addr, addr, r->prefix));
}

bool ns_fault_match(const struct ns_faults *f, struct ns_fault_state *st,
		    const struct ns_fault_call *c, struct ns_fault_hit *hit)
{
	bool any = false;
	int drop = 0;

	memset(hit, 0, sizeof(*hit));
	for (int i = 0; i < f->n && !hit->fail; i++) {
		const struct ns_fault_rule *r = &f->rule[i];

		if (r->call != c->call)
			continue;
		if (lookup(c->call) ? !gai_match(r, c, &drop)
				    : !selectors_match(r, c))
			continue;
		if (!draw(f, st, r) || !take(r, &st->fired[i]))
			continue;
		any = true;
		if (r->kind == NS_FAULT_DELAY) {
			if (!hit->delay_rule)
				hit->delay_rule = r->text;
			hit->delay_ms += r->delay_ms;
			if (hit->delay_ms > NS_FAULT_DELAY_MAX)
				hit->delay_ms = NS_FAULT_DELAY_MAX;
			continue;
		}
		hit->fail = true;
		hit->kind = r->kind;
		hit->value = r->value;
		hit->drop_family = drop;
		hit->rule = r->text;
	}
	if (!hit->rule)
		hit->rule = hit->delay_rule;
	return any;
}

void ns_fault_sleep(uint32_t ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };

	/* clock_nanosleep returns the error, and errno is left alone. */
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR)
		;
}

#ifndef NS_FREESTANDING
/* getaddrinfo's results are libc's: the freestanding engine serves system
 * calls only. */
bool ns_fault_filter(struct addrinfo **res, int family,
		     void (*free_one)(struct addrinfo *))
{
	struct addrinfo **pp = res, *ai;
	char *canon = *res ? (*res)->ai_canonname : NULL;

	if (*res)
		(*res)->ai_canonname = NULL;
	while ((ai = *pp)) {
		if (ai->ai_family != family) {
			pp = &ai->ai_next;
			continue;
		}
		*pp = ai->ai_next;
		ai->ai_next = NULL;
		free_one(ai);
	}
	/* getaddrinfo(3): the canonical name is on the first entry. */
	if (*res)
		(*res)->ai_canonname = canon;
	else
		free(canon);
	return *res != NULL;
}
#endif
