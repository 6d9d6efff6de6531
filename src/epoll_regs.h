/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which epoll instances of a process watch one of its descriptors: a
 * socket put at that number in another's place (NETSHIM_MPTCP=fallback)
 * must be watched the same way, or an event loop waits for it forever. */
#ifndef NS_EPOLL_REGS_H
#define NS_EPOLL_REGS_H

#include <stddef.h>
#include <stdint.h>

/* Most registrations carried over for one descriptor. */
#define NS_EPOLL_REGS_MAX 8

struct ns_epoll_reg {
	int epfd;		/* the epoll instance's number, in that process */
	uint32_t events;	/* as registered: EPOLLIN, EPOLLET... */
	uint64_t data;		/* the program's own word */
};

/* The registrations of descriptor @tfd in /proc/PID/fdinfo/@epfd's
 * @text (proc(5): "tfd: N events: HEX data: HEX"); how many, up to @max. */
int ns_epoll_parse(const char *text, size_t n, int epfd, int tfd,
		   struct ns_epoll_reg *regs, int max);

/* Every epoll instance of process @pid (0: this one) that watches its
 * descriptor @fd, by raw system calls; how many, up to @max. */
int ns_epoll_find(int pid, int fd, struct ns_epoll_reg *regs, int max);

#endif
