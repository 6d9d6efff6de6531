// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim's own system-call instructions, at an address every image of the
 * process agrees on. */
#include "blob.h"
#include "trap.h"
#include "../src/sys.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/*
 * syscall(2)'s calling convention in, the kernel's answer out: number in
 * rdi, arguments in rsi, rdx, rcx, r8, r9 and on the stack (x86_64 ABI),
 * moved to rax, rdi, rsi, rdx, r10, r8, r9 (syscall(2), "Architecture
 * calling conventions"). The same stub twice: at 0 for every call
 * netshim makes, at NOTIFY_OFF for the execs netshim's listener serves.
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
_Static_assert(TRAP_SITE_ADDR + AFTER_SYSCALL == TRAP_BLOB_GATE_IP,
	       "netshim run's exec watch knows the gate's address");
#define NOTIFY_OFF 64

/* mmap and mprotect are no calls the filter traps; made by an instruction
 * of our own since the gate is what is being built. The trap front is
 * x86_64 only (start.c): elsewhere there is no gate. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define raw6 ns_raw_syscall6
#else
static long raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	return -ENOSYS;
}
#endif

/*
 * The filter outlives exec (seccomp(2)): the page is mapped at one fixed
 * address so that the next image's netshim, mapping it again there, owns
 * instructions every earlier filter knows. MAP_FIXED_NOREPLACE: a kernel
 * before 4.17 takes the flag as a hint, hence the address check.
 */
bool trap_site_map(void)
{
	long p = raw6(SYS_mmap, TRAP_SITE_ADDR, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		      0);

	if (p != (long)TRAP_SITE_ADDR) {
		if ((unsigned long)p < -4096UL)
			raw6(SYS_munmap, p, 4096, 0, 0, 0, 0);
		return false;
	}
	memcpy((void *)TRAP_SITE_ADDR, code, sizeof(code));
	memcpy((void *)(TRAP_SITE_ADDR + NOTIFY_OFF), code, sizeof(code));
	return raw6(SYS_mprotect, TRAP_SITE_ADDR, 4096,
		    PROT_READ | PROT_EXEC, 0, 0, 0) == 0;
}

uint64_t trap_site_ip(void)
{
	return TRAP_SITE_ADDR + AFTER_SYSCALL;
}

uint64_t trap_notify_ip(void)
{
	return TRAP_SITE_ADDR + NOTIFY_OFF + AFTER_SYSCALL;
}

typedef long (*trap_site_fn)(long, long, long, long, long, long, long);

long trap_sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return ((trap_site_fn)TRAP_SITE_ADDR)(nr, a, b, c, d, e, f);
}

long trap_sys_notify(long nr, long a, long b, long c, long d, long e, long f)
{
	return ((trap_site_fn)(TRAP_SITE_ADDR + NOTIFY_OFF))(nr, a, b, c, d,
							     e, f);
}
