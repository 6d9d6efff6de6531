// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks for name lookups: getaddrinfo, freeaddrinfo, gethostbyname,
 * gethostbyname2, getnameinfo. The guard is held across the real call, so
 * sockets NSS modules open inside it are theirs, not the program's. */
#include "shim.h"
#include "../src/policy.h"

#include <netdb.h>

/*
 * NETSHIM_FAMILY: the program's hints with the family we ask for. A NULL
 * hints means AF_UNSPEC with AI_V4MAPPED | AI_ADDRCONFIG (getaddrinfo(3)).
 * Under ipv6, IPv4-mapped results (::ffff:127.0.0.1) would still be IPv4
 * on the wire, so AI_V4MAPPED goes.
 */
static const struct addrinfo *family_hints(const struct addrinfo *hints,
					   int family, struct addrinfo *copy)
{
	int drop = shim_cfg->family == NS_FAMILY_IPV6 ? AI_V4MAPPED | AI_ALL : 0;

	if (hints) {
		if (hints->ai_family == family && !(hints->ai_flags & drop))
			return hints;
		*copy = *hints;
	} else {
		*copy = (struct addrinfo){ .ai_flags = AI_V4MAPPED |
						       AI_ADDRCONFIG };
	}
	copy->ai_family = family;
	copy->ai_flags &= ~drop;
	return copy;
}

static bool has_family(const struct addrinfo *ai, int family)
{
	for (; ai; ai = ai->ai_next)
		if (ai->ai_family == family)
			return true;
	return false;
}

static void free_one(struct addrinfo *ai)
{
	SHIM_REAL(freeaddrinfo)(ai);
}

/*
 * The real getaddrinfo, or what a NETSHIM_FAIL rule makes of it: an EAI_*
 * code (an errno name is EAI_SYSTEM with that errno) instead of the call,
 * or the answers of one family taken out, failing with the rule's code
 * when none are left (what glibc says when no address is found).
 */
static int real_getaddrinfo(struct shim_cx *cx, const char *node,
			    const char *service, const struct addrinfo *hints,
			    struct addrinfo **res)
{
	struct ns_fault_call fc = {
		.call = NS_CALL_getaddrinfo,
		.family = hints ? hints->ai_family : AF_UNSPEC,
		.host = node,
	};
	struct ns_fault_hit hit = { 0 };
	int ret;

	if (shim_fault_on(NS_CALL_getaddrinfo) && shim_inject(cx, &fc, &hit))
		return hit.kind == NS_FAULT_EAI ? hit.value : EAI_SYSTEM;
	shim_guard++;
	ret = SHIM_REAL(getaddrinfo)(node, service, hints, res);
	shim_guard--;
	if (!hit.drop_family)
		return ret;
	/* The rule only acted if it had answers to take away. */
	if (ret != 0 || !res || !has_family(*res, hit.drop_family)) {
		cx->ev.injected = hit.delay_rule;
		return ret;
	}
	if (!ns_fault_filter(res, hit.drop_family, free_one)) {
		if (hit.kind != NS_FAULT_EAI)
			errno = hit.value;
		return hit.kind == NS_FAULT_EAI ? hit.value : EAI_SYSTEM;
	}
	return ret;
}

static NS_NOINLINE int getaddrinfo_on(const char *node, const char *service,
				      const struct addrinfo *hints,
				      struct addrinfo **res)
{
	struct addrinfo copy;
	const char *why;
	struct shim_cx cx;
	int ret, ask;

	shim_begin(&cx, NS_CALL_getaddrinfo, -1);
	ret = ns_plan_gai_family(shim_cfg, hints ? hints->ai_family : AF_UNSPEC,
				 node, &ask, &why);
	if (ret == 0)
		ret = real_getaddrinfo(&cx, node, service,
				       family_hints(hints, ask, &copy), res);
	shim_after(&cx, ret);
	if (why)
		shim_note(&cx, why, 0, NULL);
	if (ret == 0 && (why = ns_reorder_results(shim_cfg, res)))
		shim_note(&cx, why, 0, NULL);
	/* errno only means something with EAI_SYSTEM (getaddrinfo(3)). */
	cx.ev.err = ret == EAI_SYSTEM ? cx.saved_errno : 0;
	cx.ev.u.gai.node = node;
	cx.ev.u.gai.service = service;
	cx.ev.u.gai.hints = hints;
	cx.ev.u.gai.res = ret == 0 && res ? *res : NULL;
	shim_finish(&cx);
	return ret;
}

static inline int shim_getaddrinfo(const char *node, const char *service,
				 const struct addrinfo *hints,
				 struct addrinfo **res)
{
	if (!shim_enabled(NS_CALL_getaddrinfo))
		return SHIM_REAL(getaddrinfo)(node, service, hints, res);
	return getaddrinfo_on(node, service, hints, res);
}

static void shim_freeaddrinfo(struct addrinfo *res)
{
	struct shim_cx cx;

	if (!shim_enabled(NS_CALL_freeaddrinfo)) {
		SHIM_REAL(freeaddrinfo)(res);
		return;
	}
	shim_begin(&cx, NS_CALL_freeaddrinfo, -1);
	SHIM_REAL(freeaddrinfo)(res);
	shim_after(&cx, 0);
	shim_finish(&cx);
}

/* A NETSHIM_FAIL rule for gethostbyname*: true when the lookup fails
 * instead, with the rule's h_errno in @herr. */
static bool injected_host(struct shim_cx *cx, const char *name, int family,
			  int *herr)
{
	struct ns_fault_call fc = {
		.call = cx->ev.call,
		.family = family,
		.host = name,
	};
	struct ns_fault_hit hit;

	if (!shim_inject(cx, &fc, &hit))
		return false;
	*herr = hit.value;
	return true;
}

static NS_NOINLINE struct hostent * gethostbyname_common_on(enum ns_call call,
							    const char *name,
							    int family)
{
	struct hostent *he = NULL;
	const char *why;
	struct shim_cx cx;
	int herr = HOST_NOT_FOUND;

	shim_begin(&cx, call, -1);
	/* A family the policy turned off has no addresses, as glibc says
	 * for a name without them: HOST_NOT_FOUND. */
	if (!ns_plan_host_family(shim_cfg, family, &why)) {
		;
	} else if (shim_fault_on(call) && injected_host(&cx, name, family,
						      &herr)) {
		;	/* nothing asked: the rule's h_errno */
	} else {
		shim_guard++;
		he = call == NS_CALL_gethostbyname
			     ? SHIM_REAL(gethostbyname)(name)
			     : SHIM_REAL(gethostbyname2)(name, family);
		shim_guard--;
		herr = h_errno;
	}
	shim_after(&cx, he ? 0 : -1);
	if (why)
		shim_note(&cx, why, 0, NULL);
	cx.ev.err = 0;	/* failures are told by h_errno */
	cx.ev.u.ghbn.name = name;
	cx.ev.u.ghbn.family = family;
	cx.ev.u.ghbn.he = he;
	cx.ev.u.ghbn.herr = herr;
	shim_finish(&cx);
	h_errno = herr;
	return he;
}

static inline struct hostent * shim_gethostbyname_common(enum ns_call call,
						       const char *name,
						       int family)
{
	if (!shim_enabled(call))
		return call == NS_CALL_gethostbyname
			       ? SHIM_REAL(gethostbyname)(name)
			       : SHIM_REAL(gethostbyname2)(name, family);
	return gethostbyname_common_on(call, name, family);
}

static NS_NOINLINE int getnameinfo_on(const struct sockaddr *sa,
				      socklen_t salen, char *host,
				      socklen_t hostlen, char *serv,
				      socklen_t servlen, int flags)
{
	struct shim_cx cx;
	int ret;

	shim_begin(&cx, NS_CALL_getnameinfo, -1);
	shim_guard++;
	ret = SHIM_REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen,
				   flags);
	shim_guard--;
	shim_after(&cx, ret);
	cx.ev.err = ret == EAI_SYSTEM ? cx.saved_errno : 0;
	cx.ev.u.gni.sa = sa;
	cx.ev.u.gni.salen = salen;
	cx.ev.u.gni.host = host && hostlen ? host : NULL;
	cx.ev.u.gni.serv = serv && servlen ? serv : NULL;
	cx.ev.u.gni.flags = flags;
	shim_finish(&cx);
	return ret;
}

static inline int shim_getnameinfo(const struct sockaddr *sa, socklen_t salen,
				 char *host, socklen_t hostlen, char *serv,
				 socklen_t servlen, int flags)
{
	if (!shim_enabled(NS_CALL_getnameinfo))
		return SHIM_REAL(getnameinfo)(sa, salen, host, hostlen, serv,
					    servlen, flags);
	return getnameinfo_on(sa, salen, host, hostlen, serv, servlen, flags);
}

NS_EXPORT int getaddrinfo(const char *node, const char *service,
			  const struct addrinfo *hints, struct addrinfo **res)
{
	return shim_getaddrinfo(node, service, hints, res);
}

NS_EXPORT void freeaddrinfo(struct addrinfo *res)
{
	shim_freeaddrinfo(res);
}

NS_EXPORT struct hostent *gethostbyname(const char *name)
{
	return shim_gethostbyname_common(NS_CALL_gethostbyname, name, AF_INET);
}

NS_EXPORT struct hostent *gethostbyname2(const char *name, int family)
{
	return shim_gethostbyname_common(NS_CALL_gethostbyname2, name, family);
}

NS_EXPORT int getnameinfo(const struct sockaddr *sa, socklen_t salen,
			  char *host, socklen_t hostlen, char *serv,
			  socklen_t servlen, int flags)
{
	return shim_getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
}
