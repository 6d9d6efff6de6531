/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libc functions the shim wraps: one list, resolved with
 * dlsym(RTLD_NEXT) so other preloads in the chain keep working. */
#ifndef NS_REAL_H
#define NS_REAL_H

#include <netdb.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* X(return type, name, parameter list) */
#define NS_REAL_SYMBOLS(X)						\
	X(int, socket, (int, int, int))					\
	X(int, socketpair, (int, int, int, int *))			\
	X(int, connect, (int, const struct sockaddr *, socklen_t))	\
	X(int, bind, (int, const struct sockaddr *, socklen_t))		\
	X(int, listen, (int, int))					\
	X(int, accept, (int, struct sockaddr *, socklen_t *))		\
	X(int, accept4, (int, struct sockaddr *, socklen_t *, int))	\
	X(int, shutdown, (int, int))					\
	X(int, setsockopt, (int, int, int, const void *, socklen_t))	\
	X(int, getsockopt, (int, int, int, void *, socklen_t *))	\
	X(ssize_t, sendto, (int, const void *, size_t, int,		\
			    const struct sockaddr *, socklen_t))	\
	X(ssize_t, sendmsg, (int, const struct msghdr *, int))		\
	X(int, getaddrinfo, (const char *, const char *,		\
			     const struct addrinfo *, struct addrinfo **)) \
	X(void, freeaddrinfo, (struct addrinfo *))			\
	X(struct hostent *, gethostbyname, (const char *))		\
	X(struct hostent *, gethostbyname2, (const char *, int))	\
	X(int, getnameinfo, (const struct sockaddr *, socklen_t, char *, \
			     socklen_t, char *, socklen_t, int))	\
	X(int, close, (int))						\
	X(int, close_range, (unsigned int, unsigned int, int))		\
	X(void, closefrom, (int))					\
	X(int, dup, (int))						\
	X(int, dup2, (int, int))					\
	X(int, dup3, (int, int, int))					\
	X(int, fcntl, (int, int, ...))					\
	X(int, fcntl64, (int, int, ...))					\
	X(pid_t, vfork, (void))						\
	X(int, clone, (int (*)(void *), void *, int, void *, ...))

/* ns_real.NAME points at the next definition of NAME; NULL until resolved. */
struct ns_real_table {
#define NS_X(ret, name, params) ret(*name) params;
	NS_REAL_SYMBOLS(NS_X)
#undef NS_X
};

extern struct ns_real_table ns_real;

/* real_NAME(): the next NAME, resolved on first use so hooks work before
 * our constructor has run. NULL only if no library defines it. */
#define NS_X(ret, name, params)						\
	ret(*ns_resolve_##name(void)) params;				\
	static inline ret(*real_##name##_fn(void)) params		\
	{								\
		ret(*f) params = __atomic_load_n(&ns_real.name,		\
						 __ATOMIC_RELAXED);	\
		return __builtin_expect(f != NULL, 1) ? f		\
						      : ns_resolve_##name(); \
	}
NS_REAL_SYMBOLS(NS_X)
#undef NS_X

/* NS_REAL(connect)(fd, sa, len) calls the real connect. */
#define NS_REAL(name) (real_##name##_fn())

void ns_real_resolve_all(void);

#endif
