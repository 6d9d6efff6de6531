// SPDX-License-Identifier: LGPL-2.1-or-later
/* Walking the directories of a trace path one name at a time, refusing the
 * symbolic links the kernel refuses under fs.protected_symlinks. */
#include "path.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

/* As many links as the kernel follows in one lookup (MAXSYMLINKS,
 * include/linux/namei.h) before ELOOP. */
#define MAX_LINKS 40

/*
 * fs/namei.c, may_follow_link() at v6.1: with fs.protected_symlinks set, a
 * link in a sticky world-writable directory is followed only by its owner
 * or when it belongs to the directory's owner. That is what lets another
 * user's /tmp/pub/d -> /etc send root's trace to /etc; we refuse it
 * whatever the sysctl says (proc_sys_fs(5)), with the kernel's EACCES.
 */
static bool protected_link(int dirfd, const struct stat *link)
{
	struct stat dir;

	if (link->st_uid == ns_sys_geteuid())
		return false;
	if (ns_sys_fstat(dirfd, &dir) != 0)
		return true;
	return (dir.st_mode & (S_ISVTX | S_IWOTH)) == (S_ISVTX | S_IWOTH) &&
	       link->st_uid != dir.st_uid;
}

static int open_dir(int at, const char *name)
{
	return ns_sys_openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
			     0);
}

/* Replaces the first @used bytes of @rest by @target and a '/'. */
static bool splice_target(char *rest, size_t cap, size_t used,
			  const char *target, size_t tlen)
{
	size_t left = strlen(rest + used);

	if (tlen + 1 + left + 1 > cap)
		return false;
	memmove(rest + tlen + 1, rest + used, left + 1);
	memcpy(rest, target, tlen);
	rest[tlen] = '/';
	return true;
}

int ns_path_dir(const char *path, const char **last)
{
	char rest[NS_PATH_DIR_MAX], target[NS_PATH_DIR_MAX];
	const char *slash = strrchr(path, '/');
	int dirfd, links = 0, err;
	size_t len;

	*last = slash ? slash + 1 : path;
	if (!**last)		/* "dir/": no file name to create */
		return ns_sys_fail(EISDIR);
	len = slash ? (size_t)(slash - path) : 0;
	if (len + 1 > sizeof(rest))
		return ns_sys_fail(ENAMETOOLONG);
	memcpy(rest, path, len);
	rest[len] = '\0';
	dirfd = open_dir(AT_FDCWD, path[0] == '/' ? "/" : ".");
	while (dirfd >= 0) {
		char *name = rest, *end;
		struct stat st;
		ssize_t n;
		int nfd;

		while (*name == '/')
			name++;
		if (!*name)
			return dirfd;
		end = strchr(name, '/');
		if (end)
			*end = '\0';
		n = ns_sys_fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
		if (n != 0) {
			err = ns_sys_err(n);
			goto fail;
		}
		if (!S_ISLNK(st.st_mode)) {
			/* O_NOFOLLOW: a link swapped in since fstatat is
			 * no directory to O_DIRECTORY (ENOTDIR). */
			nfd = open_dir(dirfd, name);
			if (nfd < 0) {
				err = ns_sys_err(nfd);
				goto fail;
			}
			ns_sys_close(dirfd);
			dirfd = nfd;
			len = end ? (size_t)(end + 1 - rest) : strlen(rest);
			memmove(rest, rest + len, strlen(rest + len) + 1);
			continue;
		}
		if (++links > MAX_LINKS) {
			err = ELOOP;
			goto fail;
		}
		if (protected_link(dirfd, &st)) {
			err = EACCES;
			goto fail;
		}
		n = ns_sys_readlinkat(dirfd, name, target, sizeof(target));
		if (n <= 0) {
			err = n ? ns_sys_err(n) : ENOENT;	/* as the kernel */
			goto fail;
		}
		if ((size_t)n >= sizeof(target) ||
		    !splice_target(rest, sizeof(rest),
			    end ? (size_t)(end + 1 - rest) : strlen(rest),
			    target, (size_t)n)) {
			err = ENAMETOOLONG;
			goto fail;
		}
		if (target[0] == '/') {
			nfd = open_dir(AT_FDCWD, "/");
			ns_sys_close(dirfd);
			dirfd = nfd;
		}
	}
	return dirfd;	/* < 0: the failed open's */
fail:
	ns_sys_close(dirfd);
	return ns_sys_fail(err);
}
