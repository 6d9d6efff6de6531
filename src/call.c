// SPDX-License-Identifier: LGPL-2.1-or-later
/* The outcome layer's record of a call, what a descriptor is, and the
 * socket and connect calls as the policies want them, for every front. */
#include "call.h"
#include "compiler.h"
#include "names.h"
#include "policy.h"
#include "sys.h"

#include <errno.h>
#include <netinet/in.h>

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

void ns_rec_note(struct ns_call_rec *r, const char *what, int err,
		 const char *tail)
{
	if (!r->trace)
		return;
	r->ev.policy = ns_policy_note(r->note, sizeof(r->note), what, err,
				      tail);
}

void ns_rec_deny(struct ns_call_rec *r, int err, const char *why)
{
	ns_rec_after(r, -1, err);
	ns_rec_note(r, why, 0, NULL);
}

bool ns_probe_fd(int lfd, struct ns_fdinfo *info)
{
	socklen_t len = sizeof(int);

	if (ns_sys_getsockopt(lfd, SOL_SOCKET, SO_DOMAIN, &info->family,
			      &len) != 0)
		return false;
	len = sizeof(int);
	if (ns_sys_getsockopt(lfd, SOL_SOCKET, SO_TYPE, &info->type, &len) != 0)
		return false;
	len = sizeof(int);
	if (ns_sys_getsockopt(lfd, SOL_SOCKET, SO_PROTOCOL, &info->protocol,
			      &len) != 0)
		info->protocol = 0;
	info->state = NS_FD_PROBED;
	info->nopts = 0;
	return true;
}

bool ns_info_is_tcp(const struct ns_fdinfo *i)
{
	return i->type == SOCK_STREAM &&
	       (i->family == AF_INET || i->family == AF_INET6) &&
	       (i->protocol == IPPROTO_TCP || i->protocol == IPPROTO_MPTCP);
}

/*
 * The kernel's socket(), or the failure a NETSHIM_FAIL rule puts in its
 * place: what a policy asks for (mptcp=force's IPPROTO_MPTCP, its TCP
 * retry) is what the rules see, so an injected refusal drives the same
 * fallback as a real one.
 */
static inline __attribute__((always_inline)) int
make_socket(const struct ns_ops *o, struct ns_call_rec *r, int family,
	    int type, int protocol)
{
	if (unlikely(ns_fault_wants(&r->cfg->fault, NS_CALL_socket))) {
		struct ns_fault_call fc = {
			.call = NS_CALL_socket,
			.family = family,
			.protocol = ns_effective_protocol(family, type,
							  protocol),
		};
		int err = o->inject(r, &fc);

		if (err)
			return -err;
	}
	return o->socket(r, family, type, protocol);
}

int ns_do_socket(const struct ns_ops *o, struct ns_call_rec *r, int family,
		 int type, int protocol)
{
	static const char force[] = "mptcp=force: kernel refused IPPROTO_MPTCP";
	static const char fallback[] =
		"mptcp=fallback: kernel refused IPPROTO_MPTCP";
	struct ns_socket_plan plan;
	struct ns_fdinfo info;
	int lfd, fd;

	r->ev.u.sock.family = family;
	r->ev.u.sock.type = type;
	r->ev.u.sock.protocol = protocol;
	ns_plan_socket(r->cfg, family, type, protocol, &plan);
	if (plan.deny) {
		ns_rec_deny(r, plan.deny, plan.why);
		return -1;
	}
	lfd = make_socket(o, r, family, type, plan.protocol);
	if (lfd < 0 && plan.tcp_if_refused && ns_mptcp_refused(-lfd)) {
		/* The kernel has no MPTCP: what mptcpize would let fail. */
		ns_rec_note(r, r->cfg->mptcp == NS_MPTCP_FORCE ? force
							       : fallback,
			    -lfd, ", made IPPROTO_TCP");
		plan.protocol = IPPROTO_TCP;
		lfd = make_socket(o, r, family, type, IPPROTO_TCP);
		r->rescued = lfd >= 0;
	} else if (plan.why) {
		ns_rec_note(r, plan.why, 0, NULL);
	}
	fd = lfd < 0 ? lfd : o->install(r, lfd, -1, type & SOCK_CLOEXEC);
	ns_rec_after(r, fd, fd < 0 ? -fd : 0);
	if (fd >= 0) {
		/* A number libc closed behind our back comes back here,
		 * and the table's entry replaces whatever was stale. */
		/* Only what is read: no option is recorded yet. */
		info.family = family;
		info.type = type & ~SOCK_FLAGS;
		info.protocol = ns_effective_protocol(family, type,
						      plan.protocol);
		info.state = 0;
		info.ino = 0;
		info.nopts = 0;
		o->put(r, fd, lfd, &info);
	}
	if (lfd >= 0 && lfd != fd)
		o->close(r, lfd);
	return fd < 0 ? -1 : fd;
}

int ns_rules_fd(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		const struct sockaddr *sa, socklen_t salen, int level, int name)
{
	struct ns_fault_call fc = { .call = r->ev.call, .sa = sa,
				    .salen = salen, .level = level,
				    .optname = name };
	struct ns_fdinfo info;

	/* The selectors need what the socket is: the table knows, or the
	 * kernel is asked once (a socket made before we were loaded). */
	if (o->lookup(r, fd, &info)) {
		fc.family = info.family;
		fc.protocol = info.protocol;
	}
	return o->inject(r, &fc);
}

int ns_do_connect(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		  const struct sockaddr *sa, socklen_t len)
{
	const char *why;
	int ret, err;

	if (unlikely(err = ns_plan_destination(r->cfg, sa, len, &why))) {
		ns_rec_deny(r, err, why);
		return -1;
	}

	/* An injected failure comes from connect itself, also on a
	 * non-blocking socket, as the kernel's ENETUNREACH does. */
	if (unlikely(ns_fault_wants(&r->cfg->fault, r->ev.call)))
		err = ns_rules_fd(o, r, fd, sa, len, -1, -1);
	ret = err ? -err : o->connect(r, r->kfd, sa, len);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	if (ret == 0 || ret == -EINPROGRESS)
		o->set_state(r, fd, NS_FD_CONNECTED);
	return ret < 0 ? -1 : ret;
}
