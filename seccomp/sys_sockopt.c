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

/* As the shim's copy_value: no more than the kernel reads, a name up to
 * its NUL. */
static size_t copy_value(unsigned char *dst, int level, int name,
			 const unsigned char *v, size_t n)
{
	size_t i;

	if (n > NS_OPTVAL_MAX)
		return 0;
	if (!ns_sockopt_is_string(level, name)) {
		memcpy(dst, v, n);
		return n;
	}
	for (i = 0; i < n && v[i]; i++)
		dst[i] = v[i];
	return i;
}

static void remember_opt(struct sc_call *c, int level, int name,
			 const unsigned char *val, socklen_t len)
{
	unsigned char copy[NS_OPTVAL_MAX];
	size_t n = ns_sockopt_read_len(level, name, len);
	struct ns_fdtab *t = c->proc->fdt;
	int fd = c->ev.fd;

	n = copy_value(copy, level, name, val, n);
	if (ns_sockopt_is_string(level, name) && n)
		ns_fdtab_add_opt(t, fd, level, name, copy, (unsigned)n);
	else if (n && n == len)
		ns_fdtab_add_opt(t, fd, level, name, copy, (unsigned)n);
	else
		ns_fdtab_add_opt(t, fd, level, name, NULL, NS_FD_OPTVAL + 1);
}

static void note_option(struct sc_call *c, const char *prefix, int level,
			int name, const char *suffix, int err,
			const char *tail)
{
	const char *s = ns_name_sockopt(level, name);
	char what[96];
	struct ns_buf b;

	ns_buf_init(&b, what, sizeof(what) - 1);
	ns_buf_str(&b, prefix);
	ns_buf_str(&b, s ? s : "the option");
	ns_buf_str(&b, suffix);
	what[b.len] = '\0';
	sc_note(c, what, err, tail);
}

static bool is_tcp(const struct sc_call *c)
{
	const struct ns_fdinfo *i = &c->info;

	return c->ev.sock && i->type == SOCK_STREAM &&
	       (i->family == AF_INET || i->family == AF_INET6) &&
	       (i->protocol == IPPROTO_TCP || i->protocol == IPPROTO_MPTCP);
}

/* FD_CLOEXEC belongs to the program's number, not to the file our
 * duplicate shares: /proc/PID/fdinfo shows it as O_CLOEXEC in "flags". */
static bool cloexec_of(struct sc_call *c)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", c->proc->tgid,
		 c->ev.fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, "flags:");
	return p && (strtoul(p + 6, NULL, 8) & O_CLOEXEC);
}

/*
 * NETSHIM_MPTCP=fallback, as the shim's ns_replace_with_tcp: a TCP socket
 * with the options so far, the refused one and the bound address takes
 * the MPTCP socket's number in one ADDFD_FLAG_SETFD (dup3 in the program)
 * or nothing changes. The program's other descriptors of the socket are
 * not looked for: a socket the supervisor learnt only by probing is not
 * swapped (ns_can_replace).
 */
static int replace_with_tcp(struct sc_call *c, int level, int name,
			    const void *val, socklen_t len)
{
	struct ns_fdinfo *info = &c->info;
	const char *why, *tail;
	int fl, nfd, lost, at;
	bool bound;
	struct stat st;

	fl = fcntl(c->dup, F_GETFL);
	if (fl < 0 || !ns_swap_idle(c->dup))
		return -1;
	nfd = sc_proc_socket(c->proc, (int)c->req.pid, info->family,
			     info->type | SOCK_CLOEXEC |
				     ((fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0),
			     IPPROTO_TCP);
	if (nfd < 0) {
		sc_note(c, "could not make a TCP socket", errno, NULL);
		return -1;
	}
	if (ns_swap_ready(c->dup, nfd, info, level, name, val, len, &lost,
			  &bound, &why, &tail) < 0) {
		sc_note(c, why, errno, tail);
		goto fail;
	}
	at = sc_addfd(c, nfd, cloexec_of(c), c->ev.fd, false);
	if (at < 0) {
		sc_note(c, "could not replace the socket", -at, NULL);
		goto fail;
	}
	info->protocol = IPPROTO_TCP;
	if (fstat(nfd, &st) == 0)
		info->ino = (uint64_t)st.st_ino;
	if (bound)
		info->state |= NS_FD_BOUND;
	ns_fdtab_put(c->proc->fdt, c->ev.fd, info);
	c->sock.protocol = IPPROTO_TCP;
	close(nfd);
	sc_note(c, ns_swap_done(info, lost), 0, NULL);
	return 0;
fail:
	close(nfd);
	return -1;
}

/* The kernel refused an option: TFO retry, MPTCP fallback (as the shim's
 * refused()). Returns the error the program gets, 0 for success. */
static int refused(struct sc_call *c, int err, int level, int name,
		   const unsigned char *val, socklen_t len)
{
	if (sc_cfg->tfo == NS_TFO_RETRY && ns_is_tfo_option(level, name) &&
	    ns_tfo_refused(err) && is_tcp(c)) {
		note_option(c, "tfo=retry: kernel refused ", level, name, "",
			    err, ", went on without it");
		return 0;
	}
	if (!ns_mptcp_option_refused(err) || !c->ev.sock ||
	    !ns_can_replace(sc_cfg, &c->info))
		return err;
	note_option(c, "mptcp=fallback: kernel refused ", level, name,
		    " on MPTCP", err, NULL);
	if (replace_with_tcp(c, level, name, val, len) < 0)
		return err;
	remember_opt(c, level, name, val, len);
	return 0;
}

void sc_sys_setsockopt(struct sc_call *c)
{
	int level = sc_iarg(c, 1), name = sc_iarg(c, 2);
	socklen_t len = (socklen_t)sc_iarg(c, 4);
	unsigned char val[OPT_MAX], copy[NS_OPTVAL_MAX];
	int ret = 0, err = 0;

	if (!portable(level, name, true) || len > OPT_MAX ||
	    sc_read(c, c->req.data.args[3], val, len) < 0 || !sc_valid(c)) {
		sc_continue(c);	/* the kernel's, untraced (see portable) */
		return;
	}
	sc_begin(c);
	if (!sc_take_fd(c))
		return;
	c->ev.u.opt.vlen = 0;
	if (sc_cfg->tfo == NS_TFO_DROP && ns_is_tfo_option(level, name) &&
	    len == sizeof(int) && is_tcp(c)) {
		/* Never reaches the kernel; the program goes on without. */
		sc_after(c, 0, 0);
		sc_note(c, "tfo=drop: not passed to the kernel", 0, NULL);
	} else {
		err = sc_inject_fd(c, NULL, 0, level, name);
		ret = err ? -1
			  : setsockopt(c->dup, level, name,
				       c->req.data.args[3] ? val : NULL, len);
		err = ret < 0 ? (err ? err : errno) : 0;
		sc_after(c, ret, err);
		if (err) {
			err = refused(c, err, level, name, val, len);
			if (!err)
				sc_after(c, 0, 0);	/* covers the swap */
		} else {
			remember_opt(c, level, name, val, len);
		}
	}
	sc_reply(c, 0, err);
	c->ev.u.opt.level = level;
	c->ev.u.opt.name = name;
	c->ev.u.opt.len = len;
	c->ev.u.opt.val = copy;
	c->ev.u.opt.vlen = err == EFAULT || err == EBADF || err == ENOTSOCK
				   ? 0
				   : copy_value(copy, level, name, val,
						ns_sockopt_read_len(level, name,
								    len));
	sc_emit(c);
}

void sc_sys_getsockopt(struct sc_call *c)
{
	int level = sc_iarg(c, 1), name = sc_iarg(c, 2);
	uint64_t uval = c->req.data.args[3], ulen = c->req.data.args[4];
	unsigned char val[OPT_MAX], copy[NS_OPTVAL_MAX];
	socklen_t len = 0;
	int ret, err;

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
	err = sc_inject_fd(c, NULL, 0, level, name);
	ret = err ? -1 : getsockopt(c->dup, level, name, uval ? val : NULL,
				    &len);
	err = ret < 0 ? (err ? err : errno) : 0;
	if (!err && ((uval && sc_write(c, uval, val, len) < 0) ||
		     sc_write(c, ulen, &len, sizeof(len)) < 0))
		err = EFAULT;
	sc_after(c, ret, err);
	sc_reply(c, 0, err);
	c->ev.u.opt.level = level;
	c->ev.u.opt.name = name;
	c->ev.u.opt.len = err ? 0 : len;
	c->ev.u.opt.val = copy;
	c->ev.u.opt.vlen = err ? 0 : copy_value(copy, level, name, val,
						len < NS_OPTVAL_MAX
							? len
							: NS_OPTVAL_MAX);
	sc_emit(c);
}
