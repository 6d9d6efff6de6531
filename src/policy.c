// SPDX-License-Identifier: LGPL-2.1-or-later
/* Policy decisions for NETSHIM_FAMILY, NETSHIM_PREFER, NETSHIM_MPTCP and
 * NETSHIM_TFO. */
#include "policy.h"
#include "buf.h"
#include "names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static bool family_off(const struct ns_config *c, int family)
{
	return (c->family == NS_FAMILY_IPV4 && family == AF_INET6) ||
	       (c->family == NS_FAMILY_IPV6 && family == AF_INET);
}

void ns_plan_socket(const struct ns_config *c, int family, int type,
		    int protocol, struct ns_socket_plan *p)
{
	bool inet = family == AF_INET || family == AF_INET6;
	bool stream = (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM;

	p->protocol = protocol;
	p->deny = 0;
	p->tcp_if_refused = false;
	p->why = NULL;
	if (family_off(c, family)) {
		/* As on a host without that family, so programs fall back. */
		p->deny = EAFNOSUPPORT;
		p->why = family == AF_INET6 ? "family=ipv4: no AF_INET6 socket"
					    : "family=ipv6: no AF_INET socket";
		return;
	}
	if (!inet || !stream)
		return;
	switch (c->mptcp) {
	case NS_MPTCP_STRIP:
		if (protocol == IPPROTO_MPTCP) {
			p->protocol = IPPROTO_TCP;
			p->why = "mptcp=strip: IPPROTO_MPTCP made IPPROTO_TCP";
		}
		break;
	case NS_MPTCP_FORCE:
		if (protocol == 0 || protocol == IPPROTO_TCP) {
			p->protocol = IPPROTO_MPTCP;
			p->tcp_if_refused = true;
			p->why = "mptcp=force: made IPPROTO_MPTCP";
		}
		break;
	case NS_MPTCP_FALLBACK:
		p->tcp_if_refused = protocol == IPPROTO_MPTCP;
		break;
	case NS_MPTCP_PASS:
		break;
	}
}

bool ns_mptcp_refused(int err)
{
	return err == ENOPROTOOPT || err == EPROTONOSUPPORT || err == EINVAL;
}

static bool numeric(int family, const char *node)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char tmp[INET6_ADDRSTRLEN + 16];
	size_t i;

	if (!node)
		return false;
	/* Drop a scope ("fe80::1%eth0") before asking inet_pton. */
	for (i = 0; node[i] && node[i] != '%' && i < sizeof(tmp) - 1; i++)
		tmp[i] = node[i];
	tmp[i] = '\0';
	return inet_pton(family, tmp, buf) == 1;
}

int ns_plan_gai_family(const struct ns_config *c, int family,
		       const char *node, int *ask, const char **why)
{
	*ask = family;
	*why = NULL;
	if (c->family == NS_FAMILY_ANY)
		return 0;
	if (family_off(c, family) ||
	    (c->family == NS_FAMILY_IPV4 && numeric(AF_INET6, node)) ||
	    (c->family == NS_FAMILY_IPV6 && numeric(AF_INET, node))) {
		*why = c->family == NS_FAMILY_IPV4
			       ? "family=ipv4: no IPv6 addresses"
			       : "family=ipv6: no IPv4 addresses";
		return EAI_NONAME;
	}
	if (family == AF_UNSPEC) {
		/* Only one family is asked for, so no query for the other
		 * goes out at all. */
		*ask = c->family == NS_FAMILY_IPV4 ? AF_INET : AF_INET6;
		*why = c->family == NS_FAMILY_IPV4
			       ? "family=ipv4: asked for AF_INET only"
			       : "family=ipv6: asked for AF_INET6 only";
	}
	return 0;
}

bool ns_plan_host_family(const struct ns_config *c, int family,
			 const char **why)
{
	*why = NULL;
	if (!family_off(c, family))
		return true;
	*why = family == AF_INET6 ? "family=ipv4: no IPv6 addresses"
				  : "family=ipv6: no IPv4 addresses";
	return false;
}

const char *ns_reorder_results(const struct ns_config *c,
			       struct addrinfo **res)
{
	struct addrinfo *first = NULL, **ftail = &first;
	struct addrinfo *rest = NULL, **rtail = &rest;
	struct addrinfo *head, *ai;
	bool changed = false, seen_other = false;
	int want;
	char *canon;

	if (c->prefer == NS_PREFER_NONE || !res || !*res)
		return NULL;
	want = c->prefer == NS_PREFER_IPV4 ? AF_INET : AF_INET6;
	head = *res;
	/* A stable partition: preferred entries first, each side in the
	 * order libc (RFC 6724) gave. */
	for (ai = head; ai; ai = ai->ai_next) {
		if (ai->ai_family == want) {
			changed |= seen_other;
			*ftail = ai;
			ftail = &ai->ai_next;
		} else {
			seen_other = true;
			*rtail = ai;
			rtail = &ai->ai_next;
		}
	}
	*rtail = NULL;
	*ftail = rest;
	*res = first;
	if (!changed)
		return NULL;
	if (first == head)
		goto out;
	/* getaddrinfo(3) puts the canonical name on the first entry only;
	 * freeaddrinfo frees it wherever it is. */
	canon = head->ai_canonname;
	head->ai_canonname = NULL;
	first->ai_canonname = canon;
out:
	return want == AF_INET ? "prefer=ipv4: IPv4 addresses first"
			       : "prefer=ipv6: IPv6 addresses first";
}

bool ns_is_tfo_option(int level, int name)
{
	return level == IPPROTO_TCP &&
	       (name == TCP_FASTOPEN || name == TCP_FASTOPEN_CONNECT);
}

void ns_plan_tfo_sockopt(const struct ns_config *c, int level, int name,
			 socklen_t len, struct ns_tfo_plan *p)
{
	bool tfo = c->tfo != NS_TFO_PASS && ns_is_tfo_option(level, name);

	/* Only an int: any other length is the kernel's EINVAL to give. */
	p->drop = tfo && c->tfo == NS_TFO_DROP && len == sizeof(int);
	p->retry = tfo && c->tfo == NS_TFO_RETRY;
}

void ns_plan_tfo_send(const struct ns_config *c, int flags,
		      struct ns_tfo_plan *p)
{
	bool tfo = (flags & MSG_FASTOPEN) && c->tfo != NS_TFO_PASS;

	p->drop = tfo && c->tfo == NS_TFO_DROP;
	p->retry = tfo && c->tfo == NS_TFO_RETRY;
}

int ns_plan_destination(const struct ns_config *c, const struct sockaddr *sa,
			socklen_t len, const char **why)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	*why = NULL;
	if (c->family != NS_FAMILY_IPV6 || !sa || len < sizeof(*s6) ||
	    sa->sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return 0;
	*why = "family=ipv6: an IPv4-mapped address is IPv4";
	return ENETUNREACH;
}

bool ns_tfo_refused(int err)
{
	return err == ENOPROTOOPT || err == EOPNOTSUPP || err == EINVAL;
}

bool ns_mptcp_option_refused(int err)
{
	return err == ENOPROTOOPT || err == EOPNOTSUPP;
}

bool ns_sockopt_replayable(int level, int name)
{
	return level != SOL_SOCKET ||
	       (name != SO_ATTACH_FILTER && name != SO_ATTACH_BPF &&
		name != SO_ATTACH_REUSEPORT_CBPF &&
		name != SO_ATTACH_REUSEPORT_EBPF);
}

const char *ns_policy_note(char *note, size_t cap, const char *what, int err,
			   const char *tail)
{
	size_t len = strlen(note);
	const char *name;
	struct ns_buf b;

	ns_buf_init(&b, note + len, cap - 1 - len);
	if (len)
		ns_buf_str(&b, "; ");
	ns_buf_str(&b, what);
	if (err) {
		name = ns_name_errno(err);
		ns_buf_str(&b, " (");
		if (name)
			ns_buf_str(&b, name);
		else
			ns_buf_i64(&b, err);
		ns_buf_putc(&b, ')');
	}
	if (tail)
		ns_buf_str(&b, tail);
	note[len + b.len] = '\0';
	return note;
}

bool ns_policy_needs_table(const struct ns_config *c)
{
	return c->events || ns_policy_follows_sockets(c) || c->fault.n > 0;
}

ns_callmask ns_policy_acts_on(const struct ns_config *c)
{
	ns_callmask m = c->fault.calls;

	if (c->trace != NS_TRACE_OFF)
		m |= c->events;
	if (ns_policy_follows_sockets(c))
		return ~(ns_callmask)0;
	if (c->family != NS_FAMILY_ANY)
		m |= NS_CALLBIT(NS_CALL_socket) |
		     NS_CALLBIT(NS_CALL_getaddrinfo) |
		     NS_CALLBIT(NS_CALL_gethostbyname) |
		     NS_CALLBIT(NS_CALL_gethostbyname2);
	/* An AF_INET6 socket reaches IPv4 through a v4-mapped address
	 * (ns_plan_destination). */
	if (c->family == NS_FAMILY_IPV6)
		m |= NS_CALLBIT(NS_CALL_connect) | NS_CALLBIT(NS_CALL_sendto) |
		     NS_CALLBIT(NS_CALL_sendmsg);
	if (c->prefer != NS_PREFER_NONE)
		m |= NS_CALLBIT(NS_CALL_getaddrinfo);
	if (c->mptcp != NS_MPTCP_PASS)
		m |= NS_CALLBIT(NS_CALL_socket);
	return m;
}

ns_callmask ns_policy_calls(const struct ns_config *c)
{
	/* The table is kept right by seeing every call. */
	if (ns_policy_needs_table(c))
		return ~(ns_callmask)0;
	return ns_policy_acts_on(c);
}

enum ns_replace ns_plan_replace(const struct ns_config *c,
				const struct ns_fdinfo *in)
{
	/* A socket learnt by probing has a history we did not see. */
	if (c->mptcp != NS_MPTCP_FALLBACK || in->protocol != IPPROTO_MPTCP ||
	    (in->state & (NS_FD_CONNECTED | NS_FD_PROBED)))
		return NS_REPLACE_NO;
	if (!(in->state & NS_FD_LISTENING))
		return NS_REPLACE_SOCKET;
	return in->state & NS_FD_SERVED ? NS_REPLACE_SERVED
					: NS_REPLACE_LISTENER;
}

bool ns_can_replace(const struct ns_config *c, const struct ns_fdinfo *in)
{
	return ns_plan_replace(c, in) == NS_REPLACE_SOCKET;
}
