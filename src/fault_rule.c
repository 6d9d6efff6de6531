// SPDX-License-Identifier: LGPL-2.1-or-later
/* The syntax of one NETSHIM_FAIL rule,
 * CALL[(SELECTOR,...)]=ACTION[@PERCENT%][#COUNT]: calls, selectors,
 * actions, percentages and counts. */
#include "fault.h"
#include "fault_span.h"
#include "compiler.h"
#include "names.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* The calls a rule may name, and what it may select on (calls.h). */
#define FAULT_CALLS ns_calls_with_rules(NS_RULES_any)
#define ADDR_CALLS ns_calls_with_rules(NS_RULES_addr)
#define OPT_CALLS ns_calls_with_rules(NS_RULES_opt)
#define HOST_CALLS ns_calls_with_rules(NS_RULES_host)
#define LOOKUP_CALLS ns_calls_with_rules(NS_RULES_gai | NS_RULES_host)

static const char want_call[] =
	"a call: socket, connect, bind, listen, accept, accept4, setsockopt, "
	"getsockopt, sendto, sendmsg, getaddrinfo, gethostbyname or "
	"gethostbyname2";

/* What each call's selectors may be, for the message. */
static const char *want_selector(enum ns_call call)
{
	ns_callmask m = NS_CALLBIT(call);

	if (m & LOOKUP_CALLS)
		return "a family (ipv4, ipv6) or a host name";
	if (m & OPT_CALLS)
		return "a family (ipv4, ipv6, unix), a protocol (tcp, udp, "
		       "mptcp) or an option name such as TCP_FASTOPEN";
	if (m & ADDR_CALLS)
		return "a family (ipv4, ipv6, unix), a protocol (tcp, udp, "
		       "mptcp) or an address such as 127.0.0.1:8080, "
		       "[::1]:8080, 10.0.0.0/8 or :8080";
	return "a family (ipv4, ipv6, unix) or a protocol (tcp, udp, mptcp)";
}

static bool parse_port(const char *p, const char *e, uint16_t *port)
{
	uint64_t v;

	if (!number(&p, e, 65535, &v) || p != e || v == 0)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* ADDR[/N] into the rule, with inet_pton's syntax. */
static bool parse_prefix(struct ns_fault_rule *r, int family, const char *p,
			 const char *e)
{
	const char *slash = memchr(p, '/', (size_t)(e - p));
	unsigned max = family == AF_INET ? 32 : 128;
	char tmp[INET6_ADDRSTRLEN];
	uint64_t n = max;

	if (slash) {
		const char *q = slash + 1;

		if (!number(&q, e, max, &n) || q != e)
			return false;
		e = slash;
	}
	if (!copy(tmp, sizeof(tmp), p, e) ||
	    inet_pton(family, tmp, r->addr) != 1)
		return false;
	r->has_addr = true;
	r->addr_family = family;
	r->prefix = (uint8_t)n;
	return true;
}

/* 127.0.0.1:8080, 10.0.0.0/8, [::1]:8080, [2001:db8::/32], ::1, :8080. */
static bool parse_addr(struct ns_fault_rule *r, const char *p, const char *e)
{
	const char *colon;

	if (*p == ':' && p + 1 < e && p[1] != ':') {
		r->has_addr = r->any_addr = true;
		return parse_port(p + 1, e, &r->port);
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(e - p));

		if (!close || !parse_prefix(r, AF_INET6, p + 1, close))
			return false;
		if (close + 1 == e)
			return true;
		return close[1] == ':' && parse_port(close + 2, e, &r->port);
	}
	colon = memchr(p, ':', (size_t)(e - p));
	if (colon && memchr(colon + 1, ':', (size_t)(e - colon - 1)))
		return parse_prefix(r, AF_INET6, p, e);
	if (!parse_prefix(r, AF_INET, p, colon ? colon : e))
		return false;
	return !colon || parse_port(colon + 1, e, &r->port);
}

/* A host name for getaddrinfo, stored in lower case; "*.x" for names
 * under x. */
static bool parse_host(struct ns_fault_rule *r, const char *p, const char *e)
{
	size_t n = 0;

	if (e - p >= 2 && p[0] == '*' && p[1] == '.')
		r->host[n++] = *p++;
	if (p == e || (size_t)(e - p) + n >= sizeof(r->host))
		return false;
	for (; p < e; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '.' || c == '-' || c == '_'))
			return false;
		r->host[n++] = c;
	}
	r->host[n] = '\0';
	return true;
}

/* One selector [p, e); NULL or what was expected instead. */
static const char *parse_selector(struct ns_fault_rule *r, const char *p,
				  const char *e)
{
	static const struct {
		const char *word;
		int family, protocol;
	} words[] = {
		{ "ipv4", AF_INET, 0 },	  { "ipv6", AF_INET6, 0 },
		{ "unix", AF_UNIX, 0 },	  { "tcp", 0, IPPROTO_TCP },
		{ "udp", 0, IPPROTO_UDP }, { "mptcp", 0, IPPROTO_MPTCP },
	};
	ns_callmask m = NS_CALLBIT(r->call);
	bool is_word = false;
	char name[40];
	int level, opt;

	for (size_t i = 0; i < NS_ARRAY_SIZE(words); i++) {
		if (!is(p, e, words[i].word))
			continue;
		is_word = true;
		if (words[i].family) {
			if ((m & LOOKUP_CALLS) && words[i].family == AF_UNIX)
				break;
			if (r->family)
				return "one family only";
			r->family = words[i].family;
			return NULL;
		}
		if (m & LOOKUP_CALLS)
			break;
		if (r->protocol)
			return "one protocol only";
		r->protocol = words[i].protocol;
		return NULL;
	}
	if ((m & OPT_CALLS) && *p >= 'A' && *p <= 'Z' &&
	    copy(name, sizeof(name), p, e)) {
		if (ns_sym_value(&ns_levels, name, &level)) {
			if (r->level >= 0)
				return "one option level or name only";
			r->level = level;
			return NULL;
		}
		if (ns_sockopt_value(name, &level, &opt)) {
			if (r->optname >= 0)
				return "one option name only";
			if (r->level >= 0 && r->level != level)
				return "an option of the level named before";
			r->level = level;
			r->optname = opt;
			return NULL;
		}
	}
	if ((m & ADDR_CALLS) && !r->has_addr && parse_addr(r, p, e))
		return NULL;
	/* "tcp" or "unix" names no host: a mistake, not a host called so. */
	if ((m & LOOKUP_CALLS) && !r->host[0] && !is_word &&
	    parse_host(r, p, e))
		return NULL;
	return want_selector(r->call);
}

/* delay(1500ms), delay(2s), delay(0.5s). */
static bool parse_delay(struct ns_fault_rule *r, const char **pp,
			const char *e)
{
	const char *p = *pp;
	uint64_t whole, frac = 0, scale = 1, ms;

	if (!number(&p, e, NS_FAULT_DELAY_MAX, &whole))
		return false;
	if (p < e && *p == '.') {
		const char *f = ++p;

		if (!number(&p, e, 999, &frac) || p - f > 3)
			return false;
		for (long i = p - f; i < 3; i++)
			scale *= 10;
		frac *= scale;
		if (e - p < 2 || memcmp(p, "s)", 2) != 0)
			return false;	/* fractions of seconds only */
	}
	if (e - p >= 3 && memcmp(p, "ms)", 3) == 0) {
		ms = whole;
		p += 3;
	} else if (e - p >= 2 && memcmp(p, "s)", 2) == 0) {
		ms = whole * 1000 + frac;
		p += 2;
	} else {
		return false;
	}
	if (ms > NS_FAULT_DELAY_MAX)
		return false;
	r->kind = NS_FAULT_DELAY;
	r->delay_ms = (uint32_t)ms;
	*pp = p;
	return true;
}

static const char *parse_action(struct ns_fault_rule *r, const char **pp,
				const char *e)
{
	const char *p = *pp, *s = p;
	bool gai = r->call == NS_CALL_getaddrinfo;
	bool ghbn = NS_CALLBIT(r->call) & HOST_CALLS;
	char name[32];

	if (e - p >= 6 && memcmp(p, "delay(", 6) == 0) {
		*pp = p + 6;
		if (!parse_delay(r, pp, e))
			return "a duration such as 1500ms or 2s, at most "
			       "3600s, then ')'";
		return NULL;
	}
	while (p < e && ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			 *p == '_'))
		p++;
	if (copy(name, sizeof(name), s, p)) {
		/* gethostbyname* say why in h_errno; NETDB_INTERNAL (see
		 * errno) is not one a rule can give. */
		if (ghbn) {
			if (!ns_sym_value(&ns_herrno_codes, name, &r->value) ||
			    r->value == NETDB_INTERNAL)
				goto bad;
			r->kind = NS_FAULT_HERRNO;
			*pp = p;
			return NULL;
		}
		if (gai && ns_sym_value(&ns_eai_codes, name, &r->value)) {
			r->kind = NS_FAULT_EAI;
			*pp = p;
			return NULL;
		}
		if (strncmp(name, "EAI_", 4) != 0 &&
		    ns_errno_value(name, &r->value)) {
			r->kind = NS_FAULT_ERRNO;
			*pp = p;
			return NULL;
		}
	}
bad:
	if (ghbn)
		return "an h_errno name (HOST_NOT_FOUND, TRY_AGAIN, "
		       "NO_RECOVERY, NO_DATA) or delay(DURATION)";
	return gai ? "an EAI_* name (EAI_AGAIN), an errno name (for "
		     "EAI_SYSTEM) or delay(DURATION)"
		   : "an errno name such as ECONNREFUSED, or delay(DURATION)";
}

/* @PERCENT% (two decimals at most) and #COUNT, in either order. */
static const char *parse_suffix(struct ns_fault_rule *r, const char **pp,
				const char *e)
{
	static const char want[] =
		"'@PERCENT%', '#COUNT' or the end of the rule";
	const char *p = *pp;
	bool pct = false, cnt = false;
	uint64_t v, frac;

	while (p < e) {
		*pp = p;
		if (*p == '@' && !pct) {
			p++;
			frac = 0;
			if (!number(&p, e, 100, &v))
				return "a percentage from 0 to 100, then '%'";
			v *= 100;
			if (p < e && *p == '.') {
				const char *f = ++p;

				if (!number(&p, e, 99, &frac) || p - f > 2)
					return "at most two decimals, then '%'";
				frac *= p - f == 1 ? 10 : 1;
			}
			if (p == e || *p != '%' || v + frac > 10000)
				return "a percentage from 0 to 100, then '%'";
			p++;
			r->per10k = (uint16_t)(v + frac);
			pct = true;
		} else if (*p == '#' && !cnt) {
			p++;
			if (!number(&p, e, 1000000000, &v) || v == 0)
				return "a count from 1 to 1000000000";
			r->count = (uint32_t)v;
			cnt = true;
		} else {
			return want;
		}
	}
	*pp = p;
	return NULL;
}

const char *ns_fault_parse_rule(struct ns_fault_rule *r, const char *b,
				const char *e, const char **at)
{
	const char *p = b, *s, *se, *err;
	char name[16];

	memset(r, 0, sizeof(*r));
	r->level = r->optname = -1;
	r->per10k = 10000;
	while (p < e && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
		p++;
	*at = b;
	if (!copy(name, sizeof(name), b, p) ||
	    !ns_call_by_name(name, &r->call) ||
	    !(NS_CALLBIT(r->call) & FAULT_CALLS))
		return want_call;
	if (p < e && *p == '(') {
		do {
			for (s = ++p; p < e && *p != ',' && *p != ')'; p++)
				;
			while (s < p && *s == ' ')
				s++;
			for (se = p; se > s && se[-1] == ' '; se--)
				;
			*at = s;
			if (s == se)
				return want_selector(r->call);
			err = parse_selector(r, s, se);
			if (err)
				return err;
		} while (p < e && *p == ',');
		*at = p;
		if (p == e)
			return "',' or ')'";
		p++;
	}
	*at = p;
	if (p == e || *p != '=')
		return p == b + strlen(name) ? "'(' and selectors, or '=' "
					       "then an action"
					     : "'=' then an action";
	p++;
	err = parse_action(r, &p, e);
	*at = p;
	if (err)
		return err;
	err = parse_suffix(r, &p, e);
	*at = p;
	return err;
}
