// SPDX-License-Identifier: LGPL-2.1-or-later
/* Calls that make and set up sockets, performed for the program by the
 * engine (call.h): socket, socketpair, bind, listen, accept, accept4. */
#include "front.h"
#include "../src/policy.h"

#include <errno.h>

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

/* The engine's socketpair (call.h) on a pair of ours, both installed in
 * the program (not as the answer), the numbers written to its array, then
 * the answer. */
void sc_sys_socketpair(struct sc_call *c)
{
	int family = sc_iarg(c, 0), type = sc_iarg(c, 1),
	    protocol = sc_iarg(c, 2);
	int nsv[2] = { -1, -1 };

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
	ns_do_socketpair(&sc_ops, &c->rec, family, type, protocol, nsv);
	if (!c->ev.err &&
	    sc_write(c, c->req.data.args[3], nsv, sizeof(nsv)) < 0)
		sc_after(c, -1, EFAULT);  /* unmapped meanwhile */
	sc_reply(c, 0, c->ev.err);
	sc_emit(c);
}

void sc_sys_bind(struct sc_call *c)
{
	socklen_t len = (socklen_t)sc_iarg(c, 2);
	const struct sockaddr *sa =
		c->req.data.args[1] ? (struct sockaddr *)&c->addr : NULL;

	sc_begin(c);
	c->ev.u.addr.sa = sa;
	c->ev.u.addr.len = len;
	if (!sc_take_addr(c, c->req.data.args[1], len) || !sc_take_fd(c))
		return;
	ns_do_bind(&sc_ops, &c->rec, c->ev.fd, sa, len);
	sc_reply(c, c->ev.ret, c->ev.err);
	sc_emit(c);
}

void sc_sys_listen(struct sc_call *c)
{
	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	ns_do_listen(&sc_ops, &c->rec, c->ev.fd, sc_iarg(c, 1));
	sc_reply(c, c->ev.ret, c->ev.err);
	sc_emit(c);
}

/* accept and accept4 by the engine (call.h): a blocking socket waits
 * for a connection in op_accept (ops.c), which writes the peer's address
 * back before the new socket goes in with the result. */
static void accept_run(struct sc_call *c)
{
	int flags = c->ev.call == NS_CALL_accept4 ? sc_iarg(c, 3) : 0;
	uint64_t uaddr = c->req.data.args[1], ulen = c->req.data.args[2];
	bool addr = uaddr && ulen;
	struct sockaddr_storage ss;
	socklen_t len = 0;

	/* The caller's buffer size, what the kernel is given: it writes no
	 * more than a sockaddr_storage whatever the size (move_addr_to_user
	 * in net/socket.c). */
	if (addr && sc_read(c, ulen, &len, sizeof(len)) < 0) {
		sc_continue(c);
		return;
	}
	c->alen = len;
	ns_do_accept(&sc_ops, &c->rec, c->ev.fd,
		     addr ? (struct sockaddr *)&ss : NULL, addr ? &len : NULL,
		     flags);
	sc_reply(c, c->ev.ret, c->ev.err);  /* unless ADDFD answered */
	sc_emit(c);
}

void sc_sys_accept(struct sc_call *c, bool four)
{
	(void)four;	/* c->ev.call says */
	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	/* NETSHIM_FAIL's rules see the call when it starts, as the shim's
	 * do, not when a connection comes (ns_do_accept); a rule's call is
	 * on a worker already. */
	c->blocks = sc_blocking(c);
	if (c->blocks && !c->worker && sc_detach(c, accept_run))
		return;
	accept_run(c);
}
