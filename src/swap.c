// SPDX-License-Identifier: LGPL-2.1-or-later
/* The MPTCP-to-TCP swap's work on sockets, shared by both fronts; by system
 * call (sys.h), so that a front's own hooks never see it. */
#include "swap.h"
#include "call.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>

bool ns_swap_idle(int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(int);
	int listening = 0;

	if (ns_sys_getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			      &len) < 0 ||
	    listening)
		return false;
	len = sizeof(peer);
	return ns_sys_getpeername(fd, (struct sockaddr *)&peer, &len) < 0;
}

/* Whether @fd is bound to an address the program chose (a port). */
static bool bound_address(int fd, struct sockaddr_storage *ss,
			  socklen_t *len)
{
	*len = sizeof(*ss);
	if (ns_sys_getsockname(fd, (struct sockaddr *)ss, len) < 0)
		return false;
	if (ss->ss_family == AF_INET)
		return ((struct sockaddr_in *)ss)->sin_port != 0;
	if (ss->ss_family == AF_INET6)
		return ((struct sockaddr_in6 *)ss)->sin6_port != 0;
	return false;
}

static int get_reuse(int fd)
{
	socklen_t len = sizeof(int);
	int v = 0;

	ns_sys_getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	return v;
}

static void set_reuse(int fd, int v)
{
	ns_sys_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
}

/* Binds @nfd to the address @fd holds while @fd still holds it: both get
 * SO_REUSEADDR for the moment, which Linux allows for sockets that do not
 * listen. Each gets its own setting back. */
static int bind_beside(int fd, int nfd, const struct sockaddr_storage *ss,
		       socklen_t len)
{
	int old_reuse = get_reuse(fd), new_reuse = get_reuse(nfd), ret, err;

	set_reuse(fd, 1);
	set_reuse(nfd, 1);
	ret = ns_sys_bind(nfd, (const struct sockaddr *)ss, len);
	err = errno;
	set_reuse(nfd, new_reuse);
	set_reuse(fd, old_reuse);
	errno = err;
	return ret;
}

int ns_swap_ready(int fd, int nfd, const struct ns_fdinfo *info, int level,
		  int name, const void *val, socklen_t len, int *lost,
		  bool *bound, const char **why, const char **tail)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	*lost = 0;
	*tail = ", socket kept";
	for (int i = 0; i < info->nopts; i++) {
		const struct ns_fdopt *o = &info->opts[i];

		if (ns_sys_setsockopt(nfd, o->level, o->name, o->val,
				      o->len) < 0)
			(*lost)++;
	}
	if (ns_sys_setsockopt(nfd, level, name, val, len) < 0) {
		*why = "TCP refuses it too";
		return -1;
	}
	*bound = bound_address(fd, &ss, &sslen);
	if (*bound && bind_beside(fd, nfd, &ss, sslen) < 0) {
		*why = "could not bind TCP to the same address";
		return -1;
	}
	return 0;
}

const char *ns_swap_done(const struct ns_fdinfo *info, int lost)
{
	return lost || (info->state & NS_FD_OPTS_LOST)
		       ? "replaced by TCP, some options not replayed"
		       : "replaced by TCP, options replayed";
}

/*
 * All or nothing: the TCP socket gets the options so far, the option the
 * MPTCP socket refused and the bound address before it takes the number
 * (dup3, or ADDFD_FLAG_SETFD: no other thread can be handed the number in
 * between); if any of that fails, the MPTCP socket stays and the kernel's
 * refusal stands. Returns 0 when the swap happened (the option is then
 * set).
 */
int ns_swap_to_tcp(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   struct ns_fdinfo *info, int level, int name,
		   const void *val, socklen_t len)
{
	const char *why, *tail;
	int fl, nfd, lost, at;
	bool bound;

	fl = o->fcntl(r, r->kfd, F_GETFL, 0);
	if (fl < 0 || !ns_swap_idle(r->kfd))
		return -1;
	if (o->shared(r, fd)) {
		ns_rec_note(r, "the socket has other descriptors", 0,
			    ", socket kept");
		return -1;
	}
	nfd = o->socket(r, info->family,
			info->type | SOCK_CLOEXEC |
				((fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0),
			IPPROTO_TCP);
	if (nfd < 0) {
		ns_rec_note(r, "could not make a TCP socket", -nfd, NULL);
		return -1;
	}
	if (ns_swap_ready(r->kfd, nfd, info, level, name, val, len, &lost,
			  &bound, &why, &tail) < 0) {
		ns_rec_note(r, why, errno, tail);
		goto fail;
	}
	at = o->install(r, nfd, fd, false);
	if (at < 0) {
		ns_rec_note(r, "could not replace the socket", -at, NULL);
		goto fail;
	}
	info->protocol = IPPROTO_TCP;
	if (bound)
		info->state |= NS_FD_BOUND;
	o->put(r, fd, nfd, info);
	o->close(r, nfd);
	ns_rec_note(r, ns_swap_done(info, lost), 0, NULL);
	return 0;
fail:
	o->close(r, nfd);
	return -1;
}
