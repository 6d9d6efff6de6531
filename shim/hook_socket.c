// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks that make and set up sockets: socket, socketpair, bind, listen,
 * accept, accept4, shutdown. */
#include "shim.h"
#include "../src/names.h"
#include "../src/policy.h"

#include <sys/socket.h>

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

static void remember(int fd, int family, int type, int protocol,
		     uint32_t state)
{
	struct ns_fdinfo info;

	if (!ns_fd_on)
		return;		/* no table to describe it in */
	info = (struct ns_fdinfo){
		.family = family,
		.type = type & ~SOCK_FLAGS,
		.protocol = ns_effective_protocol(family, type, protocol),
		.state = state,
	};
	ns_fd_put(fd, &info);
}

/* The policies' socket (call.h): NETSHIM_FAMILY, NETSHIM_MPTCP and its
 * TCP retry, NETSHIM_FAIL's rules, the table. */
static NS_NOINLINE int socket_on(int family, int type, int protocol)
{
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_socket, -1);
	ns_do_socket(&shim_ops, &cx.rec, family, type, protocol);
	shim_settled(&cx);
	cx.ev.u.sock.family = family;
	cx.ev.u.sock.type = type;
	cx.ev.u.sock.protocol = protocol;
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_socket(int family, int type, int protocol)
{
	if (!shim_enabled(NS_CALL_socket))
		return SHIM_REAL(socket)(family, type, protocol);
	return socket_on(family, type, protocol);
}

static NS_NOINLINE int socketpair_on(int family, int type, int protocol,
				     int sv[2])
{
	struct shim_cx cx;
	int ret;

	shim_begin(&cx, NS_CALL_socketpair, -1);
	ret = SHIM_REAL(socketpair)(family, type, protocol, sv);
	shim_after(&cx, ret);
	cx.ev.u.sock.family = family;
	cx.ev.u.sock.type = type;
	cx.ev.u.sock.protocol = protocol;
	if (ret == 0) {
		remember(sv[0], family, type, protocol, NS_FD_CONNECTED);
		remember(sv[1], family, type, protocol, NS_FD_CONNECTED);
		cx.ev.u.sock.sv[0] = sv[0];
		cx.ev.u.sock.sv[1] = sv[1];
	}
	shim_finish(&cx);
	return ret;
}

static inline int shim_socketpair(int family, int type, int protocol, int sv[2])
{
	if (!shim_enabled(NS_CALL_socketpair))
		return SHIM_REAL(socketpair)(family, type, protocol, sv);
	return socketpair_on(family, type, protocol, sv);
}

static NS_NOINLINE int bind_on(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct shim_cx cx;
	int ret;

	shim_begin(&cx, NS_CALL_bind, fd);
	if (shim_fault_on(NS_CALL_bind) && shim_inject_fd(&cx, fd, sa, len, -1, -1))
		ret = -1;
	else
		ret = SHIM_REAL(bind)(fd, sa, len);
	shim_after(&cx, ret);
	if (ret == 0)
		ns_fd_set_state(fd, NS_FD_BOUND);
	cx.ev.u.addr.sa = sa;
	cx.ev.u.addr.len = len;
	shim_finish(&cx);
	return ret;
}

static inline int shim_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (!shim_enabled(NS_CALL_bind))
		return SHIM_REAL(bind)(fd, sa, len);
	return bind_on(fd, sa, len);
}

static NS_NOINLINE int listen_on(int fd, int backlog)
{
	struct shim_cx cx;
	int ret;

	shim_begin(&cx, NS_CALL_listen, fd);
	if (shim_fault_on(NS_CALL_listen) &&
	    shim_inject_fd(&cx, fd, NULL, 0, -1, -1))
		ret = -1;
	else
		ret = SHIM_REAL(listen)(fd, backlog);
	shim_after(&cx, ret);
	if (ret == 0)
		ns_fd_listen(fd, backlog);
	cx.ev.u.num.n = backlog;
	shim_finish(&cx);
	return ret;
}

static inline int shim_listen(int fd, int backlog)
{
	if (!shim_enabled(NS_CALL_listen))
		return SHIM_REAL(listen)(fd, backlog);
	return listen_on(fd, backlog);
}

/* accept and accept4 share this; @flags only counts for accept4. */
static NS_NOINLINE int accept_common_on(enum ns_call call, int fd,
					struct sockaddr *sa, socklen_t *lenp,
					int flags)
{
	bool four = call == NS_CALL_accept4;
	struct ns_fdinfo info;
	socklen_t inlen = 0;
	struct shim_cx cx;
	int nfd;

	/* The caller's buffer size; the kernel writes back the full length
	 * of the peer address, which may be more than fits (accept(2)). */
	if (sa && lenp)
		inlen = *lenp;
	shim_begin(&cx, call, fd);
	if (shim_fault_on(call) && shim_inject_fd(&cx, fd, NULL, 0, -1, -1))
		nfd = -1;
	else
		nfd = four ? SHIM_REAL(accept4)(fd, sa, lenp, flags)
			   : SHIM_REAL(accept)(fd, sa, lenp);
	shim_after(&cx, nfd);
	if (nfd >= 0) {
		/* A listener that accepted is never replaced (fallback). */
		ns_fd_set_state(fd, NS_FD_SERVED);
		/* The new socket is what the listener is. */
		if (shim_fd_lookup(fd, &info))
			remember(nfd, info.family, info.type, info.protocol,
				 NS_FD_ACCEPTED | NS_FD_CONNECTED);
		else
			ns_fd_del(nfd);
	}
	/* On success lenp holds the peer's full length; no more than the
	 * caller's buffer was written. */
	cx.ev.u.addr.sa = nfd >= 0 && lenp ? sa : NULL;
	cx.ev.u.addr.len = nfd >= 0 && lenp && *lenp < inlen ? *lenp : inlen;
	cx.ev.u.addr.flags = flags;
	shim_finish(&cx);
	return nfd;
}

static inline int shim_accept_common(enum ns_call call, int fd,
				   struct sockaddr *sa, socklen_t *lenp,
				   int flags)
{
	bool four = call == NS_CALL_accept4;

	if (!shim_enabled(call))
		return four ? SHIM_REAL(accept4)(fd, sa, lenp, flags)
			    : SHIM_REAL(accept)(fd, sa, lenp);
	return accept_common_on(call, fd, sa, lenp, flags);
}

static NS_NOINLINE int shutdown_on(int fd, int how)
{
	struct shim_cx cx;
	int ret;

	shim_begin(&cx, NS_CALL_shutdown, fd);
	ret = SHIM_REAL(shutdown)(fd, how);
	shim_after(&cx, ret);
	cx.ev.u.num.n = how;
	shim_finish(&cx);
	return ret;
}

static inline int shim_shutdown(int fd, int how)
{
	if (!shim_enabled(NS_CALL_shutdown))
		return SHIM_REAL(shutdown)(fd, how);
	return shutdown_on(fd, how);
}

NS_EXPORT int socket(int family, int type, int protocol)
{
	return shim_socket(family, type, protocol);
}

NS_EXPORT int socketpair(int family, int type, int protocol, int sv[2])
{
	return shim_socketpair(family, type, protocol, sv);
}

NS_EXPORT int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	return shim_bind(fd, sa, len);
}

NS_EXPORT int listen(int fd, int backlog)
{
	return shim_listen(fd, backlog);
}

NS_EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	return shim_accept_common(NS_CALL_accept, fd, sa, len, 0);
}

NS_EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	return shim_accept_common(NS_CALL_accept4, fd, sa, len, flags);
}

NS_EXPORT int shutdown(int fd, int how)
{
	return shim_shutdown(fd, how);
}
