// SPDX-License-Identifier: LGPL-2.1-or-later
/* NETSHIM_MPTCP=fallback: a TCP socket in an MPTCP socket's place, at the
 * same descriptor number, so the program never notices the swap. */
#include "shim.h"
#include "../src/buf.h"
#include "../src/swap.h"
#include "../src/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/*
 * Whether another descriptor of this process refers to @fd's socket (the
 * program dup'ed it): the swap would leave that one on the MPTCP socket,
 * still bound, and the TCP one could not listen. Read with getdents64 on
 * /proc/self/fd, since opendir allocates and hooks must not.
 */
static bool shared_socket(int fd)
{
	char buf[2048], path[32], link[64], mine[64];
	struct ns_buf b;
	bool shared = false;
	ssize_t n, len;
	int dir;

	ns_buf_init(&b, path, sizeof(path) - 1);
	ns_buf_str(&b, "/proc/self/fd/");
	ns_buf_u64(&b, (uint64_t)fd);
	path[b.len] = '\0';
	len = readlink(path, mine, sizeof(mine) - 1);
	dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (len <= 0 || dir < 0)
		goto out;	/* no /proc: nothing to go by */
	mine[len] = '\0';
	while (!shared && (n = syscall(SYS_getdents64, dir, buf,
				       sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n && !shared;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			long other = 0;
			const char *c;

			off += d->d_reclen;
			for (c = d->d_name; *c >= '0' && *c <= '9'; c++)
				other = other * 10 + (*c - '0');
			if (*c || c == d->d_name || other == fd || other == dir)
				continue;
			ns_buf_init(&b, path, sizeof(path) - 1);
			ns_buf_str(&b, "/proc/self/fd/");
			ns_buf_str(&b, d->d_name);
			path[b.len] = '\0';
			len = readlink(path, link, sizeof(link) - 1);
			if (len == (ssize_t)strlen(mine) &&
			    memcmp(link, mine, (size_t)len) == 0)
				shared = true;
		}
	}
out:
	if (dir >= 0)
		ns_sys_close(dir);
	return shared;
}

/*
 * All or nothing: the TCP socket gets the options so far, the option the
 * MPTCP socket refused and the bound address before it takes the number;
 * if any of that fails, the MPTCP socket stays and the kernel's refusal
 * stands. Returns 0 when the swap happened (the option is then set).
 */
int ns_replace_with_tcp(struct ns_cx *cx, int fd, struct ns_fdinfo *info,
			const struct ns_fdopt *opt, const void *val,
			socklen_t len)
{
	const char *why, *tail;
	int fl, fdfl, nfd, lost;
	bool bound;

	fl = ns_sys_fcntl(fd, F_GETFL, 0);
	fdfl = ns_sys_fcntl(fd, F_GETFD, 0);
	if (fl < 0 || fdfl < 0 || !ns_swap_idle(fd))
		return -1;
	if (shared_socket(fd)) {
		ns_note(cx, "the socket has other descriptors", 0,
			", socket kept");
		return -1;
	}
	nfd = NS_REAL(socket)(info->family,
			      info->type |
				      ((fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0) |
				      ((fdfl & FD_CLOEXEC) ? SOCK_CLOEXEC : 0),
			      IPPROTO_TCP);
	if (nfd < 0) {
		ns_note(cx, "could not make a TCP socket", errno, NULL);
		return -1;
	}
	if (ns_swap_ready(fd, nfd, info, opt->level, opt->name, val, len,
			  &lost, &bound, &why, &tail) < 0) {
		ns_note(cx, why, errno, tail);
		goto fail;
	}
	/* dup3 closes the MPTCP socket and installs the TCP one in a single
	 * step: no other thread can be handed the number in between. */
	if (ns_sys_dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		ns_note(cx, "could not replace the socket", errno, NULL);
		goto fail;
	}
	ns_sys_close(nfd);
	info->protocol = IPPROTO_TCP;
	if (bound)
		info->state |= NS_FD_BOUND;
	ns_fd_put(fd, info);
	ns_note(cx, ns_swap_done(info, lost), 0, NULL);
	return 0;
fail:
	ns_sys_close(nfd);
	return -1;
}
