// SPDX-License-Identifier: LGPL-2.1-or-later
/* Which epoll instances of a process watch one of its descriptors, read
 * from /proc, so that a socket put in another's place is watched too. */
#include "epoll_regs.h"
#include "buf.h"
#include "sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>

static int open_ro(const char *path, int flags)
{
	return ns_sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | flags, 0);
}

/* "/proc/self/" or "/proc/PID/", then @what, then @n if not negative. */
static void proc_path(char *out, size_t cap, int pid, const char *what,
		      long n)
{
	struct ns_buf b;

	ns_buf_init(&b, out, cap - 1);
	ns_buf_str(&b, "/proc/");
	if (pid > 0)
		ns_buf_u64(&b, (uint64_t)pid);
	else
		ns_buf_str(&b, "self");
	ns_buf_str(&b, what);
	if (n >= 0)
		ns_buf_u64(&b, (uint64_t)n);
	out[b.len] = '\0';
}

static const char *skip_to(const char *p, const char *end, const char *key)
{
	size_t k = strlen(key);

	for (; p + k <= end; p++)
		if (memcmp(p, key, k) == 0)
			return p + k;
	return NULL;
}

static unsigned long long number(const char **pp, const char *end, int base)
{
	const char *p = *pp;
	unsigned long long v = 0;

	while (p < end && *p == ' ')
		p++;
	for (; p < end; p++) {
		int d = *p >= '0' && *p <= '9'	 ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
						 : 99;

		if (d >= base)
			break;
		v = v * (unsigned)base + (unsigned)d;
	}
	*pp = p;
	return v;
}

int ns_epoll_parse(const char *text, size_t n, int epfd, int tfd,
		   struct ns_epoll_reg *regs, int max)
{
	const char *p = text, *end = text + n;
	int found = 0;

	/* "tfd:        4 events: 80000019 data:                4  pos:0" */
	while (found < max && (p = skip_to(p, end, "tfd:"))) {
		struct ns_epoll_reg r = { .epfd = epfd };

		if ((int)number(&p, end, 10) != tfd)
			continue;
		if (!(p = skip_to(p, end, "events:")))
			break;
		r.events = (uint32_t)number(&p, end, 16);
		if (!(p = skip_to(p, end, "data:")))
			break;
		r.data = number(&p, end, 16);
		regs[found++] = r;
	}
	return found;
}

/*
 * The registrations of @tfd in epoll instance @epfd, whose fdinfo is open
 * at @f, read a piece at a time (a seq_file: each read(2) goes on where
 * the last stopped): whole lines go to the parser, a line cut at the end
 * of a piece starts the next one. Pieces keep the stack small: this runs
 * in the trap front's signal handler, maybe on a Go signal stack.
 */
static int regs_in(int f, int epfd, int tfd, struct ns_epoll_reg *regs,
		   int max)
{
	char info[512];
	size_t have = 0, end, whole;
	int found = 0;
	ssize_t len;

	while (found < max &&
	       (len = ns_sys_read(f, info + have, sizeof(info) - have)) > 0) {
		end = have + (size_t)len;
		for (whole = end; whole && info[whole - 1] != '\n'; whole--)
			;
		if (!whole) {	/* longer than a piece: no "tfd:" line */
			have = 0;
			continue;
		}
		found += ns_epoll_parse(info, whole, epfd, tfd, regs + found,
					max - found);
		have = end - whole;
		memmove(info, info + whole, have);
	}
	if (have && found < max)	/* the last line, without '\n' */
		found += ns_epoll_parse(info, have, epfd, tfd, regs + found,
					max - found);
	return found;
}

int ns_epoll_find(int pid, int fd, struct ns_epoll_reg *regs, int max)
{
	char buf[1024], path[48], link[32];
	int dir, found = 0;
	ssize_t n;

	proc_path(path, sizeof(path), pid, "/fd", -1);
	dir = open_ro(path, O_DIRECTORY);
	if (dir < 0)
		return 0;
	while (found < max &&
	       (n = ns_syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n && found < max;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			const char *c = d->d_name;
			long num = 0;
			ssize_t len;
			int f;

			off += d->d_reclen;
			for (; *c >= '0' && *c <= '9'; c++)
				num = num * 10 + (*c - '0');
			if (*c || c == d->d_name)
				continue;
			proc_path(path, sizeof(path), pid, "/fd/", num);
			len = ns_sys_readlinkat(AT_FDCWD, path, link,
						sizeof(link));
			if (len != 22 || memcmp(link, "anon_inode:[eventpoll]",
						22) != 0)
				continue;
			proc_path(path, sizeof(path), pid, "/fdinfo/", num);
			if ((f = open_ro(path, 0)) < 0)
				continue;
			found += regs_in(f, (int)num, fd, regs + found,
					 max - found);
			ns_sys_close(f);
		}
	}
	ns_sys_close(dir);
	return found;
}
