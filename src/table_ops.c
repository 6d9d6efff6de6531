// SPDX-License-Identifier: LGPL-2.1-or-later
/* The operations on the process's own fd table (fdtable.h) as struct
 * ns_ops members: what a front whose descriptors are the program's own
 * lends the engine as it is. */
#include "call.h"
#include "epoll_regs.h"
#include "sys.h"

#include <fcntl.h>
#include <sys/epoll.h>

/*
 * A new socket is at its number already; a swap's takes the number with
 * dup3, which closes the MPTCP socket and installs the TCP one in a
 * single step, keeping the number's close-on-exec flag, and is then
 * watched by the epoll instances that watched the number (an event
 * loop's listener, registered before the option was set).
 */
int ns_tab_install(struct ns_call_rec *r, int lfd, int fd, bool cloexec)
{
	struct ns_epoll_reg regs[NS_EPOLL_REGS_MAX];
	long fl, n;

	(void)r;
	(void)cloexec;
	if (fd < 0)
		return lfd;
	fl = ns_sys_fcntl(fd, F_GETFD, 0);
	if (fl < 0)
		return -ns_sys_err(fl);
	n = ns_epoll_find(0, fd, regs, NS_EPOLL_REGS_MAX);
	fl = ns_sys_dup3(lfd, fd, (fl & FD_CLOEXEC) ? O_CLOEXEC : 0);
	if (fl < 0)
		return -ns_sys_err(fl);
	for (long i = 0; i < n; i++) {
		struct epoll_event ev = { .events = regs[i].events,
					  .data.u64 = regs[i].data };

		ns_syscall(SYS_epoll_ctl, regs[i].epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	return fd;
}

bool ns_tab_shared(struct ns_call_rec *r, int fd)
{
	(void)r;
	return ns_fd_shared(fd);
}

void ns_tab_put(struct ns_call_rec *r, int fd, int lfd,
		const struct ns_fdinfo *info)
{
	(void)r;
	(void)lfd;
	ns_fd_put(fd, info);
}

void ns_tab_set_state(struct ns_call_rec *r, int fd, uint32_t bits)
{
	(void)r;
	ns_fd_set_state(fd, bits);
}

void ns_tab_listening(struct ns_call_rec *r, int fd, int backlog)
{
	(void)r;
	ns_fd_listen(fd, backlog);
}

void ns_tab_del(struct ns_call_rec *r, int fd)
{
	(void)r;
	ns_fd_del(fd);
}

void ns_tab_del_range(struct ns_call_rec *r, unsigned first, unsigned last)
{
	(void)r;
	ns_fd_del_range(first, last);
}

void ns_tab_add_opt(struct ns_call_rec *r, int fd, int level, int name,
		    const void *val, unsigned len)
{
	(void)r;
	ns_fd_add_opt(fd, level, name, val, len);
}
