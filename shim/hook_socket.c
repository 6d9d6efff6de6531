// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hooks that make and set up sockets: socket, socketpair, bind, listen,
 * accept, accept4, shutdown. */
#include "shim.h"

#include <sys/socket.h>

/* The policies' socket (call.h): NETSHIM_FAMILY, NETSHIM_MPTCP and its
 * TCP retry, NETSHIM_FAIL's rules, the table. */
static NS_NOINLINE int socket_on(int family, int type, int protocol)
{
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_socket, -1);
	ns_do_socket(&shim_ops, &cx.rec, family, type, protocol);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
}

static inline int shim_socket(int family, int type, int protocol)
{
	if (!shim_enabled(NS_CALL_socket))
		return SHIM_REAL(socket)(family, type, protocol);
	return socket_on(family, type, protocol);
}

/* The engine's socketpair (call.h): both ends remembered as connected. */
static NS_NOINLINE int socketpair_on(int family, int type, int protocol,
				     int sv[2])
{
	struct shim_cx cx;

	shim_begin(&cx, NS_CALL_socketpair, -1);
	ns_do_socketpair(&shim_ops, &cx.rec, family, type, protocol, sv);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
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

	shim_begin(&cx, NS_CALL_bind, fd);
	ns_do_bind(&shim_ops, &cx.rec, fd, sa, len);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
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

	shim_begin(&cx, NS_CALL_listen, fd);
	ns_do_listen(&shim_ops, &cx.rec, fd, backlog);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
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
	struct shim_cx cx;

	shim_begin(&cx, call, fd);
	ns_do_accept(&shim_ops, &cx.rec, fd, sa, lenp, flags);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
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

	shim_begin(&cx, NS_CALL_shutdown, fd);
	ns_do_shutdown(&shim_ops, &cx.rec, fd, how);
	shim_settled(&cx);
	shim_finish(&cx);
	return (int)cx.ev.ret;
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
