// SPDX-License-Identifier: LGPL-2.1-or-later
/* NETSHIM_MPTCP=fallback: a TCP socket in an MPTCP socket's place, at the
 * same descriptor number, so the program never notices the swap. */
#include "shim.h"
#include "../src/buf.h"
#include "../src/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* Whether getsockname() shows an address the program bound (a port). */
static bool bound_address(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, len) < 0)
		return false;
	if (ss->ss_family == AF_INET)
		return ((struct sockaddr_in *)ss)->sin_port != 0;
	if (ss->ss_family == AF_INET6)
		return ((struct sockaddr_in6 *)ss)->sin6_port != 0;
	return false;
}

/* The kernel's word, whatever the table says (it may have learnt the
 * socket by probing): a listening or connected socket is never swapped. */
static bool idle(int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(int);
	int listening = 0;

	if (NS_REAL(getsockopt)(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
				&len) < 0 ||
	    listening)
		return false;
	len = sizeof(peer);
	return getpeername(fd, (struct sockaddr *)&peer, &len) < 0;
}

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

static int get_reuse(int fd)
{
	socklen_t len = sizeof(int);
	int v = 0;

	NS_REAL(getsockopt)(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	return v;
}

static void set_reuse(int fd, int v)
{
	NS_REAL(setsockopt)(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
}

/*
 * Binds @nfd to the address @fd holds while @fd still holds it: both get
 * SO_REUSEADDR for the moment, which Linux allows for sockets that do not
 * listen. Each gets its own setting back.
 */
static int bind_beside(int fd, int nfd, const struct sockaddr_storage *ss,
		       socklen_t len)
{
	int old_reuse = get_reuse(fd), new_reuse = get_reuse(nfd), ret, err;

	set_reuse(fd, 1);
	set_reuse(nfd, 1);
	ret = NS_REAL(bind)(nfd, (const struct sockaddr *)ss, len);
	err = errno;
	set_reuse(nfd, new_reuse);
	set_reuse(fd, old_reuse);
	errno = err;
	return ret;
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
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fl, fdfl, nfd, lost = 0;
	bool bound;

	fl = ns_sys_fcntl(fd, F_GETFL, 0);
	fdfl = ns_sys_fcntl(fd, F_GETFD, 0);
	if (fl < 0 || fdfl < 0 || !idle(fd))
		return -1;
	if (shared_socket(fd)) {
		ns_note(cx, "the socket has other descriptors", 0,
			", socket kept");
		return -1;
	}
	bound = bound_address(fd, &ss, &sslen);
	nfd = NS_REAL(socket)(info->family,
			      info->type |
				      ((fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0) |
				      ((fdfl & FD_CLOEXEC) ? SOCK_CLOEXEC : 0),
			      IPPROTO_TCP);
	if (nfd < 0) {
		ns_note(cx, "could not make a TCP socket", errno, NULL);
		return -1;
	}
	/* Options first: SO_REUSEADDR and IPV6_V6ONLY must precede bind. */
	for (int i = 0; i < info->nopts; i++) {
		const struct ns_fdopt *o = &info->opts[i];

		if (NS_REAL(setsockopt)(nfd, o->level, o->name, o->val,
					o->len) < 0)
			lost++;
	}
	if (NS_REAL(setsockopt)(nfd, opt->level, opt->name, val, len) < 0) {
		ns_note(cx, "TCP refuses it too", errno, ", socket kept");
		goto fail;
	}
	if (bound && bind_beside(fd, nfd, &ss, sslen) < 0) {
		ns_note(cx, "could not bind TCP to the same address", errno,
			", socket kept");
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
	ns_note(cx,
		lost || (info->state & NS_FD_OPTS_LOST)
			? "replaced by TCP, some options not replayed"
			: "replaced by TCP, options replayed",
		0, NULL);
	return 0;
fail:
	ns_sys_close(nfd);
	return -1;
}
