// SPDX-License-Identifier: LGPL-2.1-or-later
/* NETSHIM_MPTCP=fallback: a TCP socket in an MPTCP socket's place, at the
 * same descriptor number, so the program never notices the swap. */
#include "shim.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* fcntl, dup3 and close by system call: our own hooks must not see them. */
static int sys_fcntl(int fd, int cmd)
{
	return (int)syscall(SYS_fcntl, fd, cmd, 0);
}

int ns_replace_with_tcp(struct ns_cx *cx, int fd, struct ns_fdinfo *info)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fl, fdfl, nfd, failed = 0;
	bool bound;

	fl = sys_fcntl(fd, F_GETFL);
	fdfl = sys_fcntl(fd, F_GETFD);
	if (fl < 0 || fdfl < 0)
		return -1;
	bound = (info->state & NS_FD_BOUND) &&
		getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0;
	nfd = NS_REAL(socket)(info->family,
			      info->type |
				      ((fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0) |
				      ((fdfl & FD_CLOEXEC) ? SOCK_CLOEXEC : 0),
			      IPPROTO_TCP);
	if (nfd < 0) {
		ns_note(cx, "could not make a TCP socket", errno, NULL);
		return -1;
	}
	/* Options first: SO_REUSEADDR and friends must precede bind. */
	for (int i = 0; i < info->nopts; i++) {
		const struct ns_fdopt *o = &info->opts[i];

		if (NS_REAL(setsockopt)(nfd, o->level, o->name, o->val,
					o->len) < 0)
			failed++;
	}
	/* dup3 closes the MPTCP socket and installs the TCP one in a single
	 * step: no other thread can be handed the number in between. */
	if (syscall(SYS_dup3, nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) <
	    0) {
		ns_note(cx, "could not replace the socket", errno, NULL);
		syscall(SYS_close, nfd);
		return -1;
	}
	syscall(SYS_close, nfd);
	info->protocol = IPPROTO_TCP;
	ns_fd_put(fd, info);
	if (bound && NS_REAL(bind)(fd, (struct sockaddr *)&ss, sslen) < 0)
		ns_note(cx, "replaced by TCP but could not bind it again",
			errno, NULL);
	else if (failed || (info->state & NS_FD_OPTS_LOST))
		ns_note(cx, "replaced by TCP, some options not replayed", 0,
			NULL);
	else
		ns_note(cx, "replaced by TCP, options replayed", 0, NULL);
	return 0;
}
