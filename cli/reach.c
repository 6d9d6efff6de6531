// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whether LD_PRELOAD can reach a program: a static binary, secure
 * execution (setuid, setgid, file capabilities), Go's raw system calls, or
 * an ELF class or machine the library was not built for. */
#include "reach.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* More bits of cli_reach.flags: which kind of secure execution. */
#define SECURE_SETUID (1u << 8)
#define SECURE_SETGID (1u << 9)
#define SECURE_FCAPS (1u << 10)
#define SECURE_IDS (1u << 11)

/* A mapped ELF file; every read is bounds-checked against len. */
struct elf_view {
	const unsigned char *p;
	size_t len;
	bool is64, msb;
};

static bool in_file(const struct elf_view *e, uint64_t off, uint64_t n)
{
	return off <= e->len && n <= e->len - off;
}

/* An n-byte field of the file's byte order at @off (checked by caller). */
static uint64_t rd(const struct elf_view *e, uint64_t off, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | e->p[off + (e->msb ? i : n - 1 - i)];
	return v;
}

/* Fields at their ELF32 or ELF64 offset and size. */
#define RD(e, base, o32, o64, size32, size64) \
	rd(e, (base) + ((e)->is64 ? (o64) : (o32)), \
	   (e)->is64 ? (size64) : (size32))

/* The header's identity: class, byte order, machine. */
static bool elf_ident(const unsigned char *h, size_t len, int *cls, int *mach)
{
	if (len < 20 || memcmp(h, ELFMAG, SELFMAG) != 0 ||
	    (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return false;
	*cls = h[EI_CLASS];
	*mach = h[EI_DATA] == ELFDATA2MSB ? h[18] << 8 | h[19] :
					    h[19] << 8 | h[18];
	return true;
}

static bool has_interp(const struct elf_view *e)
{
	uint64_t phoff = RD(e, 0, 28, 32, 4, 8);
	uint64_t phentsize = RD(e, 0, 42, 54, 2, 2);
	uint64_t phnum = RD(e, 0, 44, 56, 2, 2);

	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t ph = phoff + i * phentsize;

		if (phentsize < 4 || !in_file(e, ph, phentsize))
			return false;
		if (rd(e, ph, 4) == PT_INTERP)
			return true;
	}
	return false;
}

/*
 * Go marks its binaries with sections; without section headers (sstrip)
 * the build-info blob's magic is looked for where Go puts it, 16-byte
 * aligned, as debug/buildinfo does (so a C string literal rarely fools it).
 */
static bool is_go(const struct elf_view *e)
{
	static const char magic[] = "\xff Go buildinf:";
	uint64_t shoff = RD(e, 0, 32, 40, 4, 8);
	uint64_t shentsize = RD(e, 0, 46, 58, 2, 2);
	uint64_t shnum = RD(e, 0, 48, 60, 2, 2);
	uint64_t shstrndx = RD(e, 0, 50, 62, 2, 2);
	uint64_t str, strsz, sh;

	if (shnum == 0 || shoff == 0) {
		for (size_t off = 0; off + 16 <= e->len; off += 16)
			if (memcmp(e->p + off, magic, sizeof(magic) - 1) == 0)
				return true;
		return false;
	}
	sh = shoff + shstrndx * shentsize;
	if (shentsize < 40 || !in_file(e, sh, shentsize))
		return false;
	str = RD(e, sh, 16, 24, 4, 8);
	strsz = RD(e, sh, 20, 32, 4, 8);
	if (!in_file(e, str, strsz))
		return false;
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t name;
		const char *s;

		sh = shoff + i * shentsize;
		if (!in_file(e, sh, shentsize))
			return false;
		name = rd(e, sh, 4);
		if (name >= strsz)
			continue;
		s = (const char *)e->p + str + name;
		if (!memchr(s, '\0', strsz - name))
			continue;
		if (!strcmp(s, ".go.buildinfo") ||
		    !strcmp(s, ".note.go.buildid"))
			return true;
	}
	return false;
}

/*
 * When the kernel sets AT_SECURE for this exec, the loader drops every
 * LD_PRELOAD path with a slash (and netshim would stand down anyway).
 */
static unsigned int secure_exec(const char *path, const struct stat *st)
{
	struct statvfs vfs;

	if (geteuid() != getuid() || getegid() != getgid())
		return SECURE_IDS;
	/* There the kernel grants nothing, so nothing is secure. */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ||
	    (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)))
		return 0;
	if ((st->st_mode & S_ISUID) && st->st_uid != getuid())
		return SECURE_SETUID;
	/* Without group execute, S_ISGID means mandatory locking. */
	if ((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    st->st_gid != getgid())
		return SECURE_SETGID;
	/* root already holds every capability a file could grant. */
	if (getuid() != 0 &&
	    getxattr(path, "security.capability", NULL, 0) > 0)
		return SECURE_FCAPS;
	return 0;
}

/* The file execvp() would run: the first executable regular file. */
static bool find_program(const char *prog, char *out, size_t cap)
{
	const char *path = getenv("PATH"), *p, *end;
	int err = ENOENT;
	struct stat st;

	if (strchr(prog, '/')) {
		snprintf(out, cap, "%s", prog);
		return stat(out, &st) == 0;
	}
	if (!path)
		path = "/bin:/usr/bin"; /* glibc's default */
	for (p = path; ; p = end + 1) {
		int len;

		end = strchrnul(p, ':');
		len = (int)(end - p);
		/* An empty element is the working directory. */
		if (snprintf(out, cap, "%.*s%s%s", len, p, len ? "/" : "",
			     prog) < (int)cap && stat(out, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(out, X_OK) == 0)
				return true;
			err = EACCES;
		}
		if (!*end)
			break;
	}
	errno = err;
	return false;
}

/* Class and machine of the library, to compare with the program's. */
static bool lib_ident(const char *lib, int *cls, int *mach)
{
	unsigned char h[20];
	int fd = open(lib, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, h, sizeof(h));
	close(fd);
	return n == (ssize_t)sizeof(h) && elf_ident(h, sizeof(h), cls, mach);
}

static void check_elf(int fd, const char *lib, struct cli_reach *r)
{
	struct elf_view e;
	struct stat st;
	const char *base = strrchr(r->elf, '/');
	uint64_t type;
	void *map;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 64)
		return;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return;
	e.p = map;
	e.len = (size_t)st.st_size;
	if (!elf_ident(e.p, e.len, &r->elf_class, &r->elf_machine))
		goto out;
	e.is64 = e.p[EI_CLASS] == ELFCLASS64;
	e.msb = e.p[EI_DATA] == ELFDATA2MSB;
	/* Only programs and PIEs run; the rest fails in exec. */
	type = rd(&e, 16, 2);
	if (type != ET_EXEC && type != ET_DYN)
		goto out;
	base = base ? base + 1 : r->elf;
	/* The loader itself has no PT_INTERP, and run as a program it
	 * preloads like any other. */
	if (!has_interp(&e) && strncmp(base, "ld-", 3) &&
	    strncmp(base, "ld.so", 5) && strncmp(base, "ld64.so", 7))
		r->flags |= CLI_REACH_STATIC;
	if (is_go(&e))
		r->flags |= CLI_REACH_GO;
	r->flags |= secure_exec(r->elf, &st);
	if (!(r->flags & CLI_REACH_STATIC) && lib &&
	    lib_ident(lib, &r->lib_class, &r->lib_machine) &&
	    (r->lib_class != r->elf_class ||
	     r->lib_machine != r->elf_machine))
		r->flags |= CLI_REACH_CLASS;
out:
	munmap(map, (size_t)st.st_size);
}

int cli_reach_check(const char *prog, const char *lib, struct cli_reach *r)
{
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (!find_program(prog, r->path, sizeof(r->path))) {
		r->err = errno;
		return -1;
	}
	snprintf(r->elf, sizeof(r->elf), "%s", r->path);
	/* Follow #! as the kernel does (it allows 4 nested interpreters). */
	for (int depth = 0;; depth++) {
		char head[256], *p, *q;
		int fd = open(r->elf, O_RDONLY | O_CLOEXEC);
		ssize_t len;

		if (fd < 0) {
			r->err = errno;
			return depth ? 0 : -1;
		}
		len = read(fd, head, sizeof(head) - 1);
		if (len < 2 || head[0] != '#' || head[1] != '!' || depth > 4) {
			check_elf(fd, lib, r);
			close(fd);
			break;
		}
		close(fd);
		head[len] = '\0';
		for (p = head + 2; *p == ' ' || *p == '\t'; p++)
			;
		for (q = p; *q && !strchr(" \t\n", *q); q++)
			;
		*q = '\0';
		if (!*p)
			break;
		snprintf(r->elf, sizeof(r->elf), "%s", p);
	}
	if (r->flags & (SECURE_SETUID | SECURE_SETGID | SECURE_FCAPS |
			SECURE_IDS))
		r->flags |= CLI_REACH_SECURE;
	for (unsigned int f = r->flags & 0xff; f; f &= f - 1)
		n++;
	/* A static Go program needs the static line only. */
	return (r->flags & CLI_REACH_STATIC) && (r->flags & CLI_REACH_GO) ?
		       n - 1 : n;
}

static const char *machine(int cls, int mach)
{
	static char buf[32];

	if (mach == EM_386)
		return "32-bit x86";
	if (mach == EM_X86_64)
		return cls == ELFCLASS32 ? "x32" : "64-bit x86";
	snprintf(buf, sizeof(buf), "%d-bit machine %d",
		 cls == ELFCLASS64 ? 64 : 32, mach);
	return buf;
}

/* "netshim CMD: PATH is" or "...: PATH runs ELF, which is" then @what. */
static void say(FILE *out, const char *cmd, const struct cli_reach *r,
		const char *what)
{
	fprintf(out, "netshim %s: %s ", cmd, r->path);
	if (strcmp(r->path, r->elf))
		fprintf(out, "runs %s, which ", r->elf);
	fprintf(out, "%s\n", what);
}

void cli_reach_print(FILE *out, const char *cmd, const struct cli_reach *r)
{
	static const char nothing[] = ": LD_PRELOAD cannot reach it, "
				      "nothing will be traced";
	char line[512];

	if (r->flags & CLI_REACH_STATIC) {
		snprintf(line, sizeof(line), "is %s%s",
			 r->flags & CLI_REACH_GO ?
				 "a statically linked Go program" :
				 "statically linked", nothing);
		say(out, cmd, r, line);
	}
	if (r->flags & CLI_REACH_SECURE) {
		snprintf(line, sizeof(line), "%s: the loader ignores "
			 "LD_PRELOAD in secure-execution mode, nothing will "
			 "be traced",
			 r->flags & SECURE_SETUID ? "is set-user-ID" :
			 r->flags & SECURE_SETGID ? "is set-group-ID" :
			 r->flags & SECURE_FCAPS ? "has file capabilities" :
			 "will run with a user or group id other than the "
			 "real one");
		say(out, cmd, r, line);
	}
	if ((r->flags & CLI_REACH_GO) && !(r->flags & CLI_REACH_STATIC))
		say(out, cmd, r, "is a Go program: its sockets use raw system "
		    "calls that LD_PRELOAD cannot see; only cgo name lookups "
		    "are traced. Try GODEBUG=netdns=cgo, or "
		    "GODEBUG=multipathtcp=0 to stop MPTCP listeners");
	if (r->flags & CLI_REACH_CLASS) {
		snprintf(line, sizeof(line), "is a %s program",
			 machine(r->elf_class, r->elf_machine));
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " and the library is %s: the loader skips the "
			 "library, nothing will be traced",
			 machine(r->lib_class, r->lib_machine));
		say(out, cmd, r, line);
	}
}
