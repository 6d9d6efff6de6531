// SPDX-License-Identifier: LGPL-2.1-or-later
/* Preloaded into netshim itself, the seccomp supervisor: its setsockopt
 * answers TCP_FASTOPEN on an MPTCP socket with ENOPROTOOPT, as Linux 6.1
 * does. The supervisor makes the program's option calls on duplicates of
 * its sockets, so the program meets a 6.1 kernel; pol_mptcp61 cannot serve
 * here, since the kernel allows one notification listener per process. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

__attribute__((visibility("default"))) int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*real)(int, int, int, const void *, socklen_t) =
		(int (*)(int, int, int, const void *, socklen_t))dlsym(
			RTLD_NEXT, "setsockopt");
	socklen_t plen = sizeof(int);
	int proto = 0;

	if (level == IPPROTO_TCP && name == TCP_FASTOPEN &&
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) == 0 &&
	    proto == IPPROTO_MPTCP) {
		errno = ENOPROTOOPT;
		return -1;
	}
	return real(fd, level, name, val, len);
}
