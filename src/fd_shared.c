// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whether another descriptor of this process holds a socket: read from
 * /proc/self/fd by system calls, for every front. */
#include "fdtable.h"
#include "buf.h"
#include "sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>

/* readlink of /proc/self/fd/@name into @out (NUL-ended): its length, or
 * -1. */
static long link_of(const char *name, char *out, size_t cap)
{
	char path[32];
	struct ns_buf b;
	long n;

	ns_buf_init(&b, path, sizeof(path) - 1);
	ns_buf_str(&b, "/proc/self/fd/");
	ns_buf_str(&b, name);
	path[b.len] = '\0';
	n = ns_syscall(SYS_readlinkat, AT_FDCWD, path, out, cap - 1);
	if (n > 0)
		out[n] = '\0';
	return n > 0 ? n : -1;
}

/*
 * The program dup'ed @fd: a swap (NETSHIM_MPTCP=fallback) would leave
 * the other number on the MPTCP socket, still bound, and the TCP one
 * could not listen. Read with getdents64, since opendir allocates and a
 * front may not. No /proc: nothing to go by, not shared.
 */
bool ns_fd_shared(int fd)
{
	char buf[2048], num[16], link[64], mine[64];
	struct ns_buf b;
	bool shared = false;
	long n, len;
	int dir;

	ns_buf_init(&b, num, sizeof(num) - 1);
	ns_buf_u64(&b, (uint64_t)fd);
	num[b.len] = '\0';
	len = link_of(num, mine, sizeof(mine));
	if (len < 0)
		return false;
	dir = (int)ns_syscall(SYS_openat, AT_FDCWD, "/proc/self/fd",
			      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return false;
	while (!shared &&
	       (n = ns_syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n && !shared;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			long other = 0;
			const char *c;

			off += d->d_reclen;
			for (c = d->d_name; *c >= '0' && *c <= '9'; c++)
				other = other * 10 + (*c - '0');
			if (*c || c == d->d_name || other == fd || other == dir)
				continue;
			shared = link_of(d->d_name, link, sizeof(link)) ==
					 len &&
				 !memcmp(link, mine, (size_t)len);
		}
	}
	ns_sys_close(dir);
	return shared;
}
