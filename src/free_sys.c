// SPDX-License-Identifier: LGPL-2.1-or-later
/* The freestanding engine's libc calls that are system calls: the clock
 * through the vDSO, the process's ids, randomness, sleeping, and the
 * error texts of the sink. */
#include "free.h"
#include "sys.h"

#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

typedef int (*vdso_clock_fn)(clockid_t, struct timespec *);

/* Set once by ns_free_init before any thread serves a call. */
static vdso_clock_fn vdso_clock;

/*
 * The vDSO is an ELF shared object the kernel maps into every process
 * (vdso(7)): its dynamic section gives the symbol table, its DT_HASH the
 * number of symbols (x86_64's is linked with both hash styles,
 * arch/x86/entry/vdso/Makefile at v6.1). A linear walk: it runs once.
 */
static void *vdso_sym(const Elf64_Ehdr *eh, const char *want)
{
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const Elf64_Word *hash = NULL;
	const char *str = NULL;
	uintptr_t bias = 0;
	bool load = false;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !load) {
			bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
			load = true;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const void *)((const char *)eh +
					     ph[i].p_offset);
		}
	}
	if (!load || !dyn)
		return NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(bias + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(bias + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const void *)(bias + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (Elf64_Word i = 0; i < hash[1]; i++) {	/* nchain */
		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC ||
		    sym[i].st_shndx == SHN_UNDEF ||
		    strcmp(str + sym[i].st_name, want) != 0)
			continue;
		return (void *)(bias + sym[i].st_value);
	}
	return NULL;
}

void ns_free_init(const unsigned long *auxv)
{
	for (; auxv && auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == AT_SYSINFO_EHDR && auxv[1])
			vdso_clock = (vdso_clock_fn)vdso_sym(
				(const Elf64_Ehdr *)auxv[1],
				"__vdso_clock_gettime");
}

/* 0, or -errno (no errno here: sys.h); the engine's clocks never fail. */
int clock_gettime(clockid_t clk, struct timespec *ts)
{
	if (vdso_clock)
		return vdso_clock(clk, ts);
	return (int)ns_syscall(SYS_clock_gettime, clk, ts);
}

/* As libc's: the error number itself, errno untouched. */
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *t,
		    struct timespec *rest)
{
	return -(int)ns_syscall(SYS_clock_nanosleep, clk, flags, t, rest);
}

pid_t getpid(void)
{
	return (pid_t)ns_syscall(SYS_getpid);
}

int ns_free_gettid(void)
{
	return (int)ns_syscall(SYS_gettid);
}

pid_t gettid(void)
{
	return (pid_t)ns_syscall(SYS_gettid);
}

/* The bytes, or -errno. */
ssize_t getrandom(void *buf, size_t len, unsigned flags)
{
	return ns_syscall(SYS_getrandom, buf, len, flags);
}

int sched_yield(void)
{
	return (int)ns_syscall(SYS_sched_yield);
}

const char *ns_free_strerror(int err)
{
	/* glibc's texts (strerrordesc_np), so that both builds say the
	 * same about a trace file. */
	switch (err) {
	case EPERM:	return "Operation not permitted";
	case ENOENT:	return "No such file or directory";
	case EINTR:	return "Interrupted system call";
	case EIO:	return "Input/output error";
	case ENXIO:	return "No such device or address";
	case EBADF:	return "Bad file descriptor";
	case EAGAIN:	return "Resource temporarily unavailable";
	case ENOMEM:	return "Cannot allocate memory";
	case EACCES:	return "Permission denied";
	case EEXIST:	return "File exists";
	case ENOTDIR:	return "Not a directory";
	case EISDIR:	return "Is a directory";
	case EINVAL:	return "Invalid argument";
	case EMFILE:	return "Too many open files";
	case EFBIG:	return "File too large";
	case ENOSPC:	return "No space left on device";
	case EROFS:	return "Read-only file system";
	case EPIPE:	return "Broken pipe";
	case ENAMETOOLONG: return "File name too long";
	case ELOOP:	return "Too many levels of symbolic links";
	case EDQUOT:	return "Disk quota exceeded";
	default:	return NULL;
	}
}
