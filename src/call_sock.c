// SPDX-License-Identifier: LGPL-2.1-or-later
/* socketpair, bind, listen, accept, accept4, getsockopt and shutdown as the
 * engine carries them out for every front: NETSHIM_FAIL's rules, the fd
 * table, and what the event shows. */
#include "call.h"
#include "compiler.h"
#include "names.h"

#include <errno.h>

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

/* NETSHIM_FAIL's rules for the call on @fd, asked only when some rule
 * names it: the errno an injected failure puts in the call's place, or
 * 0. */
static inline __attribute__((always_inline)) int
rules(const struct ns_ops *o, struct ns_call_rec *r, int fd,
      const struct sockaddr *sa, socklen_t salen, int level, int name)
{
	if (likely(!ns_fault_wants(&r->cfg->fault, r->ev.call)))
		return 0;
	return ns_rules_fd(o, r, fd, sa, salen, level, name);
}

/* What a new socket is, for the table: the kernel's protocol for 0. */
static void describe(struct ns_fdinfo *info, int family, int type,
		     int protocol, uint32_t state)
{
	info->family = family;
	info->type = type & ~SOCK_FLAGS;
	info->protocol = ns_effective_protocol(family, type, protocol);
	info->state = state;
	info->ino = 0;
	info->backlog = 0;
	info->nopts = 0;
}

int ns_do_socketpair(const struct ns_ops *o, struct ns_call_rec *r,
		     int family, int type, int protocol, int sv[2])
{
	bool cloexec = type & SOCK_CLOEXEC;
	int lsv[2] = { -1, -1 }, nsv[2] = { -1, -1 }, ret;
	struct ns_fdinfo info;

	r->ev.u.sock.family = family;
	r->ev.u.sock.type = type;
	r->ev.u.sock.protocol = protocol;
	/* The kernel writes the program's array itself where the front's
	 * sockets are the program's: an array it cannot write is its
	 * EFAULT, as without netshim. */
	ret = o->socketpair(r, family, type, protocol, sv);
	if (ret == 0) {
		lsv[0] = sv[0];
		lsv[1] = sv[1];
		/* Both numbers go in before the result. */
		nsv[0] = o->install(r, lsv[0], -1, cloexec);
		if (nsv[0] >= 0)
			nsv[1] = o->install(r, lsv[1], -1, cloexec);
		ret = nsv[0] < 0 ? nsv[0] : nsv[1] < 0 ? nsv[1] : 0;
	}
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	if (ret == 0) {
		/* Each end is the other's peer: connected from the start. */
		describe(&info, family, type, protocol, NS_FD_CONNECTED);
		o->put(r, nsv[0], lsv[0], &info);
		o->put(r, nsv[1], lsv[1], &info);
		sv[0] = nsv[0];
		sv[1] = nsv[1];
		r->ev.u.sock.sv[0] = nsv[0];
		r->ev.u.sock.sv[1] = nsv[1];
	}
	for (int i = 0; i < 2; i++)
		if (lsv[i] >= 0 && lsv[i] != nsv[i])
			o->close(r, lsv[i]);
	return ret < 0 ? -1 : 0;
}

int ns_do_bind(const struct ns_ops *o, struct ns_call_rec *r, int fd,
	       const struct sockaddr *sa, socklen_t len)
{
	int ret = -rules(o, r, fd, sa, len, -1, -1);

	if (ret == 0)
		ret = o->bind(r, r->kfd, sa, len);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	if (ret == 0)
		o->set_state(r, fd, NS_FD_BOUND);
	r->ev.u.addr.sa = sa;
	r->ev.u.addr.len = len;
	return ret < 0 ? -1 : 0;
}

int ns_do_listen(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		 int backlog)
{
	int ret = -rules(o, r, fd, NULL, 0, -1, -1);

	if (ret == 0)
		ret = o->listen(r, r->kfd, backlog);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	if (ret == 0)
		o->listening(r, fd, backlog);
	r->ev.u.num.n = backlog;
	return ret < 0 ? -1 : 0;
}

int ns_do_accept(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		 struct sockaddr *sa, socklen_t *lenp, int flags)
{
	struct ns_fdinfo info;
	socklen_t inlen = 0;
	int lfd, nfd;

	/* The caller's buffer size; the kernel writes back the full length
	 * of the peer address, which may be more than fits (accept(2)). */
	if (sa && lenp)
		inlen = *lenp;
	/* The rules see the call when it starts, not when a connection
	 * comes. */
	lfd = -rules(o, r, fd, NULL, 0, -1, -1);
	if (lfd == 0)
		lfd = o->accept(r, r->kfd, sa, lenp, flags);
	nfd = lfd < 0 ? lfd : o->install(r, lfd, -1, flags & SOCK_CLOEXEC);
	ns_rec_after(r, nfd, nfd < 0 ? -nfd : 0);
	if (nfd >= 0) {
		/* A listener that accepted is never replaced (fallback). */
		o->set_state(r, fd, NS_FD_SERVED);
		/* The new socket is what the listener is. */
		if (o->lookup(r, fd, &info)) {
			describe(&info, info.family, info.type, info.protocol,
				 NS_FD_ACCEPTED | NS_FD_CONNECTED);
			o->put(r, nfd, lfd, &info);
		} else {
			o->del(r, nfd);
		}
	}
	if (lfd >= 0 && lfd != nfd)
		o->close(r, lfd);
	/* On success lenp holds the peer's full length; no more than the
	 * caller's buffer was written. */
	r->ev.u.addr.sa = nfd >= 0 && lenp ? sa : NULL;
	r->ev.u.addr.len = nfd >= 0 && lenp && *lenp < inlen ? *lenp : inlen;
	r->ev.u.addr.flags = flags;
	return nfd < 0 ? -1 : nfd;
}

int ns_do_getsockopt(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		     int level, int name, void *val, socklen_t *lenp)
{
	int ret = -rules(o, r, fd, NULL, 0, level, name);
	socklen_t len;

	if (ret == 0)
		ret = o->getsockopt(r, r->kfd, level, name, val, lenp);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	/* The value and its length exist only once the call succeeded; on
	 * failure lenp may be the very pointer the kernel refused. */
	len = ret == 0 && lenp ? *lenp : 0;
	r->ev.u.opt.level = level;
	r->ev.u.opt.name = name;
	r->ev.u.opt.len = len;
	r->ev.u.opt.val = r->optval;
	r->ev.u.opt.vlen =
		ret == 0 && r->trace
			? ns_opt_copy(r->optval, level, name, val,
				      len < NS_OPTVAL_MAX ? len
							  : NS_OPTVAL_MAX)
			: 0;
	return ret < 0 ? -1 : 0;
}

int ns_do_shutdown(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   int how)
{
	int ret = o->shutdown(r, r->kfd, how);

	(void)fd;
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	r->ev.u.num.n = how;
	return ret < 0 ? -1 : 0;
}
