// SPDX-License-Identifier: LGPL-2.1-or-later
/* exec under the filter: the filter outlives it (seccomp(2)), so the next
 * image must get the library, and with it the handler, again. */
#include "trap.h"
#include "../src/compiler.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* The environment entries the next image needs, copied at start: the
 * program may unset or overwrite them later. */
#define KEEP_MAX 24
static char keep_buf[16384];
static char *keep[KEEP_MAX];
static int nkeep;
static char preload_lib[4096];
bool trap_exec_listened;

void trap_exec_keep(const char *e)
{
	static size_t used;
	size_t n = strlen(e) + 1;

	if (nkeep >= KEEP_MAX || used + n > sizeof(keep_buf))
		return;
	keep[nkeep++] = memcpy(keep_buf + used, e, n);
	used += n;
}

void trap_exec_library(const char *path)
{
	size_t n = strlen(path);

	if (n < sizeof(preload_lib))
		memcpy(preload_lib, path, n + 1);
}

/* Appends @s at @p, no further than @end; where the next one goes. */
static char *put(char *p, const char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

static long sys(long nr, long a, long b, long c, long d)
{
	return trap_sys(nr, a, b, c, d, 0, 0);
}

/* 1: an ELF with a loader; 0: static; -1: not an ELF (a script's
 * interpreter is looked at instead, once), or unreadable. */
static int dynamic(int dirfd, const char *path, int flags, int depth)
{
	char buf[512];
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	long fd, n;
	int ret = -1;

	if ((flags & AT_EMPTY_PATH) && path && !*path)
		fd = sys(SYS_fcntl, dirfd, F_DUPFD_CLOEXEC, 0, 0);
	else
		fd = sys(SYS_openat, dirfd, (long)path, O_RDONLY | O_CLOEXEC,
			 0);
	if (fd < 0)
		return -1;
	n = sys(SYS_pread64, fd, (long)buf, sizeof(buf) - 1, 0);
	if (n > 2 && buf[0] == '#' && buf[1] == '!' && depth == 0) {
		char *p = buf + 2, *q;

		buf[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		for (q = p; *q && *q != ' ' && *q != '\t' && *q != '\n'; q++)
			;
		*q = '\0';
		sys(SYS_close, fd, 0, 0, 0);
		return dynamic(AT_FDCWD, p, 0, 1);
	}
	if (n >= (long)sizeof(*eh) && !memcmp(buf, ELFMAG, SELFMAG) &&
	    buf[EI_CLASS] == ELFCLASS64 &&
	    eh->e_phentsize == sizeof(Elf64_Phdr)) {
		ret = 0;
		for (int i = 0; i < eh->e_phnum && !ret; i++) {
			Elf64_Phdr ph;

			if (sys(SYS_pread64, fd, (long)&ph, sizeof(ph),
				(long)(eh->e_phoff + i * sizeof(ph))) !=
			    sizeof(ph))
				break;
			ret = ph.p_type == PT_INTERP;
		}
	}
	sys(SYS_close, fd, 0, 0, 0);
	return ret;
}

static void say(const char *a, const char *b, const char *c)
{
	char line[768], *p = line, *end = line + sizeof(line) - 1;

	p = put(p, end, "netshim: ");
	p = put(p, end, a);
	p = put(p, end, b);
	p = put(p, end, c);
	*p++ = '\n';
	sys(SYS_write, 2, (long)line, p - line, 0);
}

static bool has(char *const *env, const char *entry)
{
	size_t n = strchr(entry, '=') - entry + 1;

	for (; env && *env; env++)
		if (!strncmp(*env, entry, n))
			return true;
	return false;
}

/*
 * The program's environment with what the library needs put back:
 * LD_PRELOAD naming it first, NETSHIM_* as the run started. Built in
 * memory from mmap (async-signal-safe; the image goes away on success).
 */
static char **fixed_env(char *const *env, size_t *size)
{
	size_t n = 0, cap;
	char **out, *s, *lp = NULL;
	const char *old = NULL;

	for (char *const *e = env; e && *e; e++, n++)
		if (!strncmp(*e, "LD_PRELOAD=", 11))
			old = *e + 11;
	cap = (n + KEEP_MAX + 2) * sizeof(char *) + sizeof(preload_lib) +
	      (old ? strlen(old) : 0) + 32;
	*size = cap;
	out = (char **)trap_sys(SYS_mmap, 0, (long)cap,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)out > -4096UL)
		return NULL;
	s = (char *)(out + n + KEEP_MAX + 2);
	n = 0;
	if (!old || !strstr(old, preload_lib)) {
		char *end = (char *)out + cap - 1;

		lp = s;
		s = put(s, end, "LD_PRELOAD=");
		s = put(s, end, preload_lib);
		if (old) {
			s = put(s, end, " ");
			s = put(s, end, old);
		}
		*s++ = '\0';
		out[n++] = lp;
	}
	for (char *const *e = env; e && *e; e++)
		if (!lp || strncmp(*e, "LD_PRELOAD=", 11))
			out[n++] = *e;
	for (int i = 0; i < nkeep; i++)
		if (strncmp(keep[i], "LD_PRELOAD=", 11) && !has(env, keep[i]))
			out[n++] = keep[i];
	out[n] = NULL;
	return out;
}

/*
 * execve and execveat, trapped wherever they come from. A dynamic program
 * gets the library again: LD_PRELOAD kept or put back, even when the
 * program cleared its environment, so it never meets the filter without
 * the handler. A static one has no loader to give it the library: in a
 * run netshim started (trap_exec_listened) the exec is made from the
 * second instruction, which the filter hands to netshim, and netshim puts
 * the blob into the new image before it runs; otherwise it would die of
 * SIGSYS at its first trapped call, so the exec is refused with EPERM and
 * one line says why.
 */
long trap_exec(long nr, const long *a)
{
	bool at = nr == SYS_execveat;
	int dirfd = at ? (int)a[0] : AT_FDCWD, flags = at ? (int)a[4] : 0;
	const char *path = (const char *)a[at ? 1 : 0];
	long argv = a[at ? 2 : 1];
	char *const *envp = (char *const *)a[at ? 3 : 2];
	char **env = NULL;
	size_t size = 0;
	long r;

	if (path && dynamic(dirfd, path, flags, 0) == 0) {
		if (trap_exec_listened)
			return at ? trap_sys_notify(SYS_execveat, dirfd,
						    (long)path, argv,
						    (long)envp, flags, 0)
				  : trap_sys_notify(SYS_execve, (long)path,
						    argv, (long)envp, 0, 0,
						    0);
		say("refusing to exec ", path,
		    ": statically linked, it cannot get netshim's SIGSYS "
		    "handler, and the seccomp filter that traps raw socket "
		    "calls outlives exec; run it with NETSHIM_RAW=off or "
		    "netshim run --raw=off");
		return -EPERM;
	}
	if (preload_lib[0])
		env = fixed_env(envp, &size);
	if (env)
		envp = env;
	if (at)
		r = trap_sys(SYS_execveat, dirfd, (long)path, argv, (long)envp,
			     flags, 0);
	else
		r = trap_sys(SYS_execve, (long)path, argv, (long)envp, 0, 0, 0);
	if (env)
		trap_sys(SYS_munmap, (long)env, (long)size, 0, 0, 0, 0);
	return r;
}
