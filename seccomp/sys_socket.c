// SPDX-License-Identifier: LGPL-2.1-or-later
/* Calls that make and set up sockets, performed for the program: socket,
 * socketpair, bind, listen, accept, accept4. */
#include "front.h"
#include "../src/names.h"
#include "../src/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

/* What the table says about a socket of ours at the program's @fd. */
static void remember(struct sc_call *c, int fd, int local, int family,
		     int type, int protocol, uint32_t state)
{
	struct ns_fdinfo info = {
		.family = family,
		.type = type & ~SOCK_FLAGS,
		.protocol = ns_effective_protocol(family, type, protocol),
		.state = state,
	};
	struct stat st;

	if (fstat(local, &st) == 0)
		info.ino = (uint64_t)st.st_ino;
	ns_fdtab_put(c->proc->fdt, fd, &info);
}

/* The socket is made here, in the program's network namespace, and
 * installed in the program with ADDFD (see sc_addfd_sends), by the
 * engine's socket (call.h). */
void sc_sys_socket(struct sc_call *c)
{
	int family = sc_iarg(c, 0), type = sc_iarg(c, 1),
	    protocol = sc_iarg(c, 2);
	struct ns_socket_plan plan;

	sc_begin(c);
	c->ev.u.sock.family = family;
	c->ev.u.sock.type = type;
	c->ev.u.sock.protocol = protocol;
	ns_plan_socket(sc_cfg, family, type, protocol, &plan);
	/* Nothing to change, report or remember: the kernel makes it as
	 * asked (NETSHIM_MPTCP=strip on a plain TCP socket), without the
	 * ADDFD round trip. */
	if (!c->trace && !plan.deny && !plan.why && !plan.tcp_if_refused &&
	    sc_cfg->fault.n == 0 && !ns_policy_follows_sockets(sc_cfg)) {
		sc_continue(c);
		return;
	}
	ns_do_socket(&sc_ops, &c->rec, family, type, protocol);
	sc_reply(c, c->ev.ret, c->ev.err);  /* unless ADDFD answered */
	sc_emit(c);
}

void sc_sys_socketpair(struct sc_call *c)
{
	int family = sc_iarg(c, 0), type = sc_iarg(c, 1),
	    protocol = sc_iarg(c, 2);
	bool cloexec = type & SOCK_CLOEXEC;
	int sv[2], nsv[2] = { -1, -1 }, ret, err = 0;

	sc_begin(c);
	c->ev.u.sock.family = family;
	c->ev.u.sock.type = type;
	c->ev.u.sock.protocol = protocol;
	/* The kernel gives nothing when it cannot write the array: it must
	 * be writable before the numbers go in (written back unchanged). */
	if (sc_read(c, c->req.data.args[3], nsv, sizeof(nsv)) < 0 ||
	    sc_write(c, c->req.data.args[3], nsv, sizeof(nsv)) < 0) {
		sc_continue(c);	/* the kernel's EFAULT, untraced */
		return;
	}
	ret = socketpair(family, type | SOCK_CLOEXEC, protocol, sv);
	if (ret < 0) {
		err = errno;
		goto out;
	}
	/* Both numbers go in before the result, written in between. */
	nsv[0] = sc_addfd(c, sv[0], cloexec, -1, false);
	if (nsv[0] >= 0)
		nsv[1] = sc_addfd(c, sv[1], cloexec, -1, false);
	if (nsv[0] < 0 || nsv[1] < 0) {
		err = nsv[0] < 0 ? -nsv[0] : -nsv[1];
	} else if (sc_write(c, c->req.data.args[3], nsv, sizeof(nsv)) < 0) {
		err = EFAULT;
	}
out:
	sc_after(c, 0, err);
	sc_reply(c, 0, err);
	if (!err) {
		remember(c, nsv[0], sv[0], family, type, protocol,
			 NS_FD_CONNECTED);
		remember(c, nsv[1], sv[1], family, type, protocol,
			 NS_FD_CONNECTED);
		c->ev.u.sock.sv[0] = nsv[0];
		c->ev.u.sock.sv[1] = nsv[1];
	}
	if (ret == 0) {
		close(sv[0]);
		close(sv[1]);
	}
	sc_emit(c);
}

void sc_sys_bind(struct sc_call *c)
{
	socklen_t len = (socklen_t)sc_iarg(c, 2);
	int ret, err;

	sc_begin(c);
	c->ev.u.addr.sa = c->req.data.args[1] ? (struct sockaddr *)&c->addr
					      : NULL;
	c->ev.u.addr.len = len;
	if (!sc_take_addr(c, c->req.data.args[1], len) || !sc_take_fd(c))
		return;
	ret = sc_addr_call(c, bind, &err);
	sc_after(c, ret, err);
	sc_reply(c, ret, err);
	if (ret == 0)
		ns_fdtab_set_state(c->proc->fdt, c->ev.fd, NS_FD_BOUND);
	sc_emit(c);
}

void sc_sys_listen(struct sc_call *c)
{
	int ret, err;

	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	err = sc_inject_fd(c, NULL, 0, -1, -1);
	ret = err ? -1 : listen(c->dup, sc_iarg(c, 1));
	err = ret < 0 ? (err ? err : errno) : 0;
	sc_after(c, ret, err);
	sc_reply(c, ret, err);
	if (ret == 0)
		ns_fdtab_listen(c->proc->fdt, c->ev.fd, sc_iarg(c, 1));
	c->ev.u.num.n = sc_iarg(c, 1);
	sc_emit(c);
}

/* accept and accept4, once a connection waits or the socket does not
 * block: the new socket goes in with the result, the peer's address is
 * written back first. */
static void accept_now(struct sc_call *c)
{
	bool four = c->ev.call == NS_CALL_accept4;
	int flags = four ? sc_iarg(c, 3) : 0;
	uint64_t uaddr = c->req.data.args[1], ulen = c->req.data.args[2];
	struct sockaddr_storage ss;
	socklen_t inlen = 0, len = sizeof(ss);
	struct ns_fdinfo *info = &c->info;
	int nfd, pfd = -1, err = 0;

	if (uaddr && ulen &&
	    sc_read(c, ulen, &inlen, sizeof(inlen)) < 0) {
		sc_continue(c);
		return;
	}
	err = c->inj_err;
	nfd = err ? -1
		  : accept4(c->dup,
			    uaddr && ulen ? (struct sockaddr *)&ss : NULL,
			    uaddr && ulen ? &len : NULL,
			    flags | SOCK_CLOEXEC); /* the kernel judges it */
	if (nfd < 0) {
		err = err ? err : errno;
	} else if (uaddr && ulen &&
		   (sc_write(c, uaddr, &ss, len < inlen ? len : inlen) < 0 ||
		    sc_write(c, ulen, &len, sizeof(len)) < 0)) {
		err = EFAULT;	/* as the kernel: the connection is lost */
	} else {
		pfd = sc_addfd(c, nfd, flags & SOCK_CLOEXEC, -1,
			       sc_addfd_sends(c));
		if (pfd < 0)
			err = -pfd;
	}
	sc_after(c, pfd, err);
	if (pfd >= 0) {
		/* A listener that accepted is never replaced (fallback). */
		ns_fdtab_set_state(c->proc->fdt, c->ev.fd, NS_FD_SERVED);
		if (c->ev.sock)
			remember(c, pfd, nfd, info->family, info->type,
				 info->protocol,
				 NS_FD_ACCEPTED | NS_FD_CONNECTED);
		else
			ns_fdtab_del(c->proc->fdt, pfd);
	}
	if (nfd >= 0)
		close(nfd);
	sc_reply(c, pfd, err);
	c->ev.u.addr.sa = pfd >= 0 && uaddr && ulen ? (struct sockaddr *)&ss
						    : NULL;
	c->ev.u.addr.len = pfd >= 0 && len < inlen ? len : inlen;
	c->ev.u.addr.flags = flags;
	sc_emit(c);
}

/*
 * A blocking accept waits on a thread of its own. It polls rather than
 * blocks in accept, so that it notices within a tenth of a second that
 * the caller is gone (killed, or interrupted where the kernel lacks
 * WAIT_KILLABLE_RECV) and takes no connection meant for a later call.
 */
static void accept_wait(struct sc_call *c)
{
	struct pollfd p = { c->dup, POLLIN, 0 };

	for (;;) {
		if (!sc_valid(c)) {
			c->answered = true;	/* nobody left to answer */
			return;
		}
		if (poll(&p, 1, 100) > 0)
			break;
	}
	accept_now(c);
}

void sc_sys_accept(struct sc_call *c, bool four)
{
	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	/* The rules see the call when it starts, as the shim's do, not
	 * when a connection comes; a rule's call is on a worker already. */
	c->inj_err = sc_inject_fd(c, NULL, 0, -1, -1);
	if (sc_blocking(c) && !c->inj_err) {
		if (!c->worker && sc_detach(c, accept_wait))
			return;
		accept_wait(c);	/* on a worker already (a fault rule) */
		return;
	}
	accept_now(c);
}
