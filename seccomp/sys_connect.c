// SPDX-License-Identifier: LGPL-2.1-or-later
/* Calls that reach a peer, performed for the program on a duplicate of
 * its socket: connect, and sendto/sendmsg with a destination or
 * MSG_FASTOPEN (any other sendmsg goes back to the kernel untraced). */
#include "front.h"
#include "../src/policy.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* Most bytes of one send carried over: a stream socket may take part of
 * a send (send(2)), a datagram must go whole or not be performed. */
#define SEND_MAX (4u << 20)

static void connect_now(struct sc_call *c)
{
	const struct sockaddr *sa =
		c->req.data.args[1] ? (struct sockaddr *)&c->addr : NULL;

	ns_do_connect(&sc_ops, &c->rec, c->ev.fd, sa,
		      (socklen_t)sc_iarg(c, 2));
	sc_reply(c, c->ev.ret, c->ev.err);
	/* Again: on a worker, c is a copy and the address is in it. */
	c->ev.u.addr.sa = sa;
	sc_emit(c);
}

/* A blocking connect waits on a thread of its own (front.h, sc_detach);
 * the program's thread waits for it as it would for the kernel. */
void sc_sys_connect(struct sc_call *c)
{
	sc_begin(c);
	c->ev.u.addr.sa = c->req.data.args[1] ? (struct sockaddr *)&c->addr
					      : NULL;
	c->ev.u.addr.len = (socklen_t)sc_iarg(c, 2);
	if (!sc_take_addr(c, c->req.data.args[1], (socklen_t)sc_iarg(c, 2)) ||
	    !sc_take_fd(c))
		return;
	if (sc_blocking(c) && sc_detach(c, connect_now))
		return;
	connect_now(c);
}

static void send_now(struct sc_call *c)
{
	bool msg = c->ev.call == NS_CALL_sendmsg;
	int flags = sc_iarg(c, msg ? 2 : 3);
	socklen_t alen = c->ev.u.send.salen;
	struct iovec iov = { c->data, c->dlen };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (alen) {
		m.msg_name = &c->addr;
		m.msg_namelen = alen;
	}
	ns_do_send(&sc_ops, &c->rec, c->ev.fd, &m, flags);
	sc_reply(c, c->ev.ret, c->ev.err);
	c->ev.u.send.flags = flags;
	c->ev.u.send.sa = alen ? (struct sockaddr *)&c->addr : NULL;
	if (msg && c->ev.ret < 0)
		c->ev.u.send.len = 0;	/* as the shim: counted on success */
	sc_emit(c);
}

/* The bytes to send: all of them, or the first SEND_MAX of a stream. */
static bool take_data(struct sc_call *c, size_t total)
{
	if (total > SEND_MAX) {
		if (c->info.type != SOCK_STREAM)
			return false;
		total = SEND_MAX;
	}
	c->data = malloc(total ? total : 1);
	c->dlen = total;
	return c->data != NULL;
}

/* A stream send that may block runs on a thread of its own. */
static void send_or_detach(struct sc_call *c, int flags)
{
	if (!(flags & MSG_DONTWAIT) && c->info.type == SOCK_STREAM &&
	    sc_blocking(c) && sc_detach(c, send_now))
		return;
	send_now(c);
}

void sc_sys_sendto(struct sc_call *c)
{
	uint64_t buf = c->req.data.args[1], addr = c->req.data.args[4];
	size_t n = (size_t)c->req.data.args[2];
	socklen_t alen = addr ? (socklen_t)sc_iarg(c, 5) : 0;

	sc_begin(c);
	if (!sc_take_addr(c, addr, alen) || !sc_take_fd(c))
		return;
	if (!take_data(c, n) || sc_read(c, buf, c->data, c->dlen) < 0 ||
	    !sc_valid(c)) {
		sc_continue(c);	/* the kernel's own answer, untraced */
		return;
	}
	c->ev.u.send.len = n;
	c->ev.u.send.salen = alen;
	send_or_detach(c, sc_iarg(c, 3));
}

void sc_sys_sendmsg(struct sc_call *c)
{
	int flags = sc_iarg(c, 2);
	struct iovec *iov = NULL;
	struct msghdr m;
	size_t total = 0, at = 0;

	if (sc_read(c, c->req.data.args[1], &m, sizeof(m)) < 0 ||
	    (!(m.msg_name && m.msg_namelen) && !(flags & MSG_FASTOPEN)) ||
	    m.msg_controllen || m.msg_iovlen > IOV_MAX) {
		/* No destination: not traced, as by the shim. Control data
		 * names the program's descriptors (SCM_RIGHTS): only the
		 * kernel can send it. */
		sc_continue(c);
		return;
	}
	sc_begin(c);
	if (!m.msg_name)
		m.msg_namelen = 0;
	if (!sc_take_addr(c, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen) ||
	    !sc_take_fd(c))
		return;
	iov = calloc(m.msg_iovlen ? m.msg_iovlen : 1, sizeof(*iov));
	if (!iov || sc_read(c, (uint64_t)(uintptr_t)m.msg_iov, iov,
			    m.msg_iovlen * sizeof(*iov)) < 0)
		goto untraced;
	for (size_t i = 0; i < m.msg_iovlen; i++)
		total += iov[i].iov_len;
	if (!take_data(c, total))
		goto untraced;
	for (size_t i = 0; i < m.msg_iovlen && at < c->dlen; i++) {
		size_t n = iov[i].iov_len < c->dlen - at ? iov[i].iov_len
							 : c->dlen - at;

		if (sc_read(c, (uint64_t)(uintptr_t)iov[i].iov_base,
			    c->data + at, n) < 0)
			goto untraced;
		at += n;
	}
	if (!sc_valid(c))
		goto untraced;
	free(iov);
	c->ev.u.send.len = total;
	c->ev.u.send.salen = m.msg_namelen;
	send_or_detach(c, flags);
	return;
untraced:
	free(iov);
	sc_continue(c);
}
