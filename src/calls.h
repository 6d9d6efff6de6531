/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every call netshim knows, once: the table the event kinds, the shim's
 * real symbols, the seccomp front's system calls, the NETSHIM_EVENTS
 * groups and the NETSHIM_FAIL rules are made from. */
#ifndef NS_CALLS_H
#define NS_CALLS_H

/*
 * X(name, ret, params, how, group, rules), in the order of the man page:
 *   ret, params  libc's prototype (the shim calls the next library's);
 *   how          SERVED: a system call the seccomp front performs for the
 *                program; KERNEL: a system call it leaves to the kernel;
 *                LIBC: a libc function, no system call of that name;
 *   group        the NETSHIM_EVENTS group it is in: dns, sockopt, fd, or
 *                none (libnetshim(7));
 *   rules        what a NETSHIM_FAIL rule for it may select on: sock
 *                (family, protocol), addr (those and an address), opt
 *                (those and an option), gai and host (a family or a
 *                name looked up), or none: no rule may name it.
 * A user defines X with all six parameters and takes what it needs;
 * the table holds no code.
 */
#define NS_CALL_TABLE(X)						\
	X(socket, int, (int, int, int), SERVED, none, sock)		\
	X(socketpair, int, (int, int, int, int *), SERVED, none, none)	\
	X(connect, int, (int, const struct sockaddr *, socklen_t),	\
	  SERVED, none, addr)						\
	X(bind, int, (int, const struct sockaddr *, socklen_t),	\
	  SERVED, none, addr)						\
	X(listen, int, (int, int), SERVED, none, sock)			\
	X(accept, int, (int, struct sockaddr *, socklen_t *),		\
	  SERVED, none, sock)						\
	X(accept4, int, (int, struct sockaddr *, socklen_t *, int),	\
	  SERVED, none, sock)						\
	X(shutdown, int, (int, int), KERNEL, none, none)		\
	X(setsockopt, int, (int, int, int, const void *, socklen_t),	\
	  SERVED, sockopt, opt)						\
	X(getsockopt, int, (int, int, int, void *, socklen_t *),	\
	  SERVED, sockopt, opt)						\
	X(sendto, ssize_t, (int, const void *, size_t, int,		\
			    const struct sockaddr *, socklen_t),	\
	  SERVED, none, addr)						\
	X(sendmsg, ssize_t, (int, const struct msghdr *, int),		\
	  SERVED, none, addr)						\
	X(getaddrinfo, int, (const char *, const char *,		\
			     const struct addrinfo *, struct addrinfo **), \
	  LIBC, dns, gai)						\
	X(freeaddrinfo, void, (struct addrinfo *), LIBC, dns, none)	\
	X(gethostbyname, struct hostent *, (const char *), LIBC, dns,	\
	  host)								\
	X(gethostbyname2, struct hostent *, (const char *, int), LIBC,	\
	  dns, host)							\
	X(getnameinfo, int, (const struct sockaddr *, socklen_t, char *, \
			     socklen_t, char *, socklen_t, int),	\
	  LIBC, dns, none)						\
	X(close, int, (int), KERNEL, fd, none)				\
	X(close_range, int, (unsigned int, unsigned int, int), KERNEL,	\
	  fd, none)							\
	X(closefrom, void, (int), LIBC, fd, none)			\
	X(dup, int, (int), KERNEL, fd, none)				\
	X(dup2, int, (int, int), KERNEL, fd, none)			\
	X(dup3, int, (int, int, int), KERNEL, fd, none)		\
	X(fcntl, int, (int, int, ...), KERNEL, fd, none)

/* The groups and the rules' kinds, as bits for ns_calls_in_group and
 * ns_calls_with_rules (event.h). */
enum {
	NS_GROUP_none = 0,
	NS_GROUP_dns = 1 << 0,
	NS_GROUP_sockopt = 1 << 1,
	NS_GROUP_fd = 1 << 2,
};

enum {
	NS_RULES_none = 0,
	NS_RULES_sock = 1 << 0,
	NS_RULES_addr = 1 << 1,
	NS_RULES_opt = 1 << 2,
	NS_RULES_gai = 1 << 3,
	NS_RULES_host = 1 << 4,
	NS_RULES_any = 0x1f,
};

#endif
