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

static int get_int(int fd, int name)
{
	socklen_t len = sizeof(int);
	int v = 0;

	ns_sys_getsockopt(fd, SOL_SOCKET, name, &v, &len);
	return v;
}

static void set_int(int fd, int name, int v)
{
	ns_sys_setsockopt(fd, SOL_SOCKET, name, &v, sizeof(v));
}

static int get_reuse(int fd)
{
	return get_int(fd, SO_REUSEADDR);
}

static void set_reuse(int fd, int v)
{
	set_int(fd, SO_REUSEADDR, v);
}

/* Binds @nfd to the address @fd holds while @fd still holds it: both get
 * SO_REUSEADDR for the moment, which Linux allows for sockets that do not
 * listen. Each gets its own setting back. 0 or -errno. */
static int bind_beside(int fd, int nfd, const struct sockaddr_storage *ss,
		       socklen_t len)
{
	int old_reuse = get_reuse(fd), new_reuse = get_reuse(nfd), ret;

	set_reuse(fd, 1);
	set_reuse(nfd, 1);
	ret = ns_sys_bind(nfd, (const struct sockaddr *)ss, len);
	ret = ret < 0 ? -ns_sys_err(ret) : 0;
	set_reuse(nfd, new_reuse);
	set_reuse(fd, old_reuse);
	return ret;
}

/*
 * Makes @nfd listen on the address listener @fd holds while @fd still
 * listens: SO_REUSEPORT on both for the moment. An MPTCP listener passes
 * the option on to its first subflow, the TCP socket that really listens
 * (mptcp_sol_socket_sync_intval, net/mptcp/sockopt.c), so the kernel lets
 * the new one bind and listen beside it. Returns what @fd had, for @nfd
 * to get back once it took @fd's number; -errno, both as they were,
 * when @nfd could not listen.
 */
static int listen_beside(int fd, int nfd, int backlog,
			 const struct sockaddr_storage *ss, socklen_t len)
{
	int old = get_int(fd, SO_REUSEPORT), mine = get_int(nfd, SO_REUSEPORT);
	int ret;

	set_int(fd, SO_REUSEPORT, 1);
	set_int(nfd, SO_REUSEPORT, 1);
	ret = ns_sys_bind(nfd, (const struct sockaddr *)ss, len);
	if (ret == 0)
		ret = ns_sys_listen(nfd, backlog);
	if (ret < 0) {
		ret = -ns_sys_err(ret);
		set_int(nfd, SO_REUSEPORT, mine);
		set_int(fd, SO_REUSEPORT, old);
		return ret;
	}
	return old;
}

/*
 * Readies @nfd, a new TCP socket, to take @fd's place: the options @info
 * recorded (SO_REUSEADDR and IPV6_V6ONLY must precede bind), the option
 * @level/@name the MPTCP socket refused, then @fd's address if it has one,
 * taken while @fd still holds it, and for a listener its listen(). Returns
 * 0, or -errno and *@why and *@tail for the policy note. *@lost
 * counts recorded options TCP refused; *@bound says whether an address
 * was taken over; *@reuseport is the listener's SO_REUSEPORT to give back.
 */
static int swap_ready(int fd, int nfd, const struct ns_fdinfo *info,
		      int level, int name, const void *val, socklen_t len,
		      int *lost, bool *bound, int *reuseport, const char **why,
		      const char **tail)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int ret;

	*lost = 0;
	*tail = ", socket kept";
	for (int i = 0; i < info->nopts; i++) {
		const struct ns_fdopt *o = &info->opts[i];

		if (ns_sys_setsockopt(nfd, o->level, o->name, o->val,
				      o->len) < 0)
			(*lost)++;
	}
	ret = ns_sys_setsockopt(nfd, level, name, val, len);
	if (ret < 0) {
		*why = "TCP refuses it too";
		return -ns_sys_err(ret);
	}
	*bound = bound_address(fd, &ss, &sslen);
	if (info->state & NS_FD_LISTENING) {
		/* Unbound, the listener has no address to share: the
		 * kernel's EINVAL for listen_beside's bind. */
		ret = *bound ? listen_beside(fd, nfd, info->backlog, &ss,
					     sslen)
			     : -EINVAL;
		if (ret < 0) {
			*why = "could not listen with TCP on the same address";
			return ret;
		}
		*reuseport = ret;
		return 0;
	}
	ret = *bound ? bind_beside(fd, nfd, &ss, sslen) : 0;
	if (ret < 0) {
		*why = "could not bind TCP to the same address";
		return ret;
	}
	return 0;
}

/* A listener is swapped only while no connection waits in its queue:
 * closing it would reset them. (One that accepted is never: the fd table
 * says, ns_plan_replace.) */
static bool listener_idle(struct ns_call_rec *r, int lfd)
{
	if (get_int(lfd, SO_ACCEPTCONN) != 1)
		return false;
	if (ns_sys_readable(lfd)) {
		ns_rec_note(r, "connections wait in the listener's queue", 0,
			    ", socket kept");
		return false;
	}
	return true;
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
	bool listener = info->state & NS_FD_LISTENING, bound = false;
	int fl, nfd, lost, at, reuseport = 0;
	const char *why, *tail;
	int err;

	fl = o->fcntl(r, r->kfd, F_GETFL, 0);
	if (fl < 0 || (listener ? !listener_idle(r, r->kfd)
				: !ns_swap_idle(r->kfd)))
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
	err = swap_ready(r->kfd, nfd, info, level, name, val, len, &lost,
			 &bound, &reuseport, &why, &tail);
	if (err < 0) {
		ns_rec_note(r, why, -err, tail);
		goto fail;
	}
	at = o->install(r, nfd, fd, false);
	if (at < 0) {
		ns_rec_note(r, "could not replace the socket", -at, NULL);
		goto fail;
	}
	/* The MPTCP listener is closed: the TCP one gets back what the
	 * program had. The port's bucket still remembers that both sockets
	 * had SO_REUSEPORT, so another socket of the same user with
	 * SO_REUSEPORT may now bind it too (inet_csk_get_port's fast path,
	 * sk_reuseport_match). */
	if (listener)
		set_int(nfd, SO_REUSEPORT, reuseport);
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
