// SPDX-License-Identifier: LGPL-2.1-or-later
/* setsockopt and getsockopt, performed for the program on a duplicate of
 * its socket, with NETSHIM_TFO and NETSHIM_MPTCP=fallback. */
#include "front.h"
#include "../src/names.h"
#include "../src/policy.h"
#include "../src/buf.h"
#include "../src/swap.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef TCP_ZEROCOPY_RECEIVE
#define TCP_ZEROCOPY_RECEIVE 35
#endif

/* Largest option value carried over; larger ones go to the kernel. */
#define OPT_MAX 4096

/*
 * Options whose value means the same whoever sets it. Not: values that
 * name another of the program's descriptors or its memory (BPF programs
 * and filters, TCP zero-copy receive), a descriptor made for the caller
 * (SO_PEERPIDFD), and levels netshim does not know (SCTP peel-off makes
 * descriptors): those the kernel does, untraced.
 */
static bool portable(int level, int name, bool set)
{
	switch (level) {
	case SOL_SOCKET:
		return ns_sockopt_replayable(level, name) &&
		       name != SO_PEERPIDFD;
	case IPPROTO_TCP:
		return name != TCP_ZEROCOPY_RECEIVE;
	case IPPROTO_IP:
	case IPPROTO_IPV6:
	case IPPROTO_UDP:
	case SOL_MPTCP:
		return true;
	default:
		(void)set;
		return false;
	}
}

void sc_sys_setsockopt(struct sc_call *c)
{
	int level = sc_iarg(c, 1), name = sc_iarg(c, 2);
	socklen_t len = (socklen_t)sc_iarg(c, 4);
	unsigned char val[OPT_MAX], copy[NS_OPTVAL_MAX];
	int err;

	if (!portable(level, name, true) || len > OPT_MAX ||
	    sc_read(c, c->req.data.args[3], val, len) < 0 || !sc_valid(c)) {
		sc_continue(c);	/* the kernel's, untraced (see portable) */
		return;
	}
	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	ns_do_setsockopt(&sc_ops, &c->rec, c->ev.fd, level, name,
			 c->req.data.args[3] ? val : NULL, len);
	err = c->ev.err;
	sc_reply(c, 0, err);
	c->ev.u.opt.level = level;
	c->ev.u.opt.name = name;
	c->ev.u.opt.len = len;
	c->ev.u.opt.val = copy;
	c->ev.u.opt.vlen = err == EFAULT || err == EBADF || err == ENOTSOCK
				   ? 0
				   : ns_opt_copy(copy, level, name, val,
						 ns_sockopt_read_len(level, name,
								     len));
	sc_emit(c);
}

void sc_sys_getsockopt(struct sc_call *c)
{
	int level = sc_iarg(c, 1), name = sc_iarg(c, 2);
	uint64_t uval = c->req.data.args[3], ulen = c->req.data.args[4];
	unsigned char val[OPT_MAX];
	socklen_t len = 0;

	/* Some options read their value as input too (IP_MSFILTER). */
	if (!portable(level, name, false) ||
	    (ulen && sc_read(c, ulen, &len, sizeof(len)) < 0) ||
	    len > OPT_MAX || !ulen) {
		sc_continue(c);
		return;
	}
	memset(val, 0, len);
	if (uval && len)
		sc_read(c, uval, val, len);
	if (!sc_valid(c)) {
		sc_continue(c);
		return;
	}
	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	/* op_getsockopt writes the value and its length back. */
	ns_do_getsockopt(&sc_ops, &c->rec, c->ev.fd, level, name,
			 uval ? val : NULL, &len);
	sc_reply(c, 0, c->ev.err);
	sc_emit(c);
}
