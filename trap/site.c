// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim's own system-call instruction, at an address every image of the
 * process agrees on. */
#include "trap.h"
#include "../src/sys.h"

#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/*
 * syscall(2)'s calling convention in, the kernel's answer out: number in
 * rdi, arguments in rsi, rdx, rcx, r8, r9 and on the stack (x86_64 ABI),
 * moved to rax, rdi, rsi, rdx, r10, r8, r9 (syscall(2), "Architecture
 * calling conventions").
 */
static const unsigned char code[] = {
	0x48, 0x89, 0xf8,		/* mov %rdi,%rax */
	0x48, 0x89, 0xf7,		/* mov %rsi,%rdi */
	0x48, 0x89, 0xd6,		/* mov %rdx,%rsi */
	0x48, 0x89, 0xca,		/* mov %rcx,%rdx */
	0x4d, 0x89, 0xc2,		/* mov %r8,%r10 */
	0x4d, 0x89, 0xc8,		/* mov %r9,%r8 */
	0x4c, 0x8b, 0x4c, 0x24, 0x08,	/* mov 0x8(%rsp),%r9 */
	0x0f, 0x05,			/* syscall */
	0xc3,				/* ret */
};
#define AFTER_SYSCALL (sizeof(code) - 1)

/*
 * The filter outlives exec (seccomp(2)): the page is mapped at one fixed
 * address so that the next image's netshim, mapping it again there, owns
 * an instruction every earlier filter lets through. Mapped by system call
 * (mmap is not a call the filter traps, and no hook wraps it).
 */
bool trap_site_map(void)
{
	long p = syscall(SYS_mmap, TRAP_SITE_ADDR, 4096UL,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1L, 0L);

	if (p != (long)TRAP_SITE_ADDR) {
		/* A kernel before 4.17 takes the flag as a hint. */
		if (p != -1)
			syscall(SYS_munmap, p, 4096UL);
		return false;
	}
	memcpy((void *)TRAP_SITE_ADDR, code, sizeof(code));
	return syscall(SYS_mprotect, TRAP_SITE_ADDR, 4096UL,
		       PROT_READ | PROT_EXEC) == 0;
}

uint64_t trap_site_ip(void)
{
	return TRAP_SITE_ADDR + AFTER_SYSCALL;
}

long trap_sys(long nr, long a, long b, long c, long d, long e, long f)
{
	long (*site)(long, long, long, long, long, long, long) =
		(long (*)(long, long, long, long, long, long, long))
			TRAP_SITE_ADDR;

	return site(nr, a, b, c, d, e, f);
}
