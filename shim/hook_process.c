// SPDX-License-Identifier: LGPL-2.1-or-later
/* vfork and clone: not traced, only marked, so that a child sharing the
 * program's memory (and so the fd table) is told from the program itself
 * without a getpid(2) on every close. */
#include "shim.h"

#include <sched.h>
#include <stdarg.h>

__thread unsigned char shim_vforked __attribute__((tls_model("initial-exec")))
#ifndef __x86_64__
	= SHIM_VFORK_CLONE	/* no vfork hook here: always ask the kernel */
#endif
	;

/* Called by the vfork trampoline: marks the thread (its child runs on this
 * thread's memory, TLS included) and says where libc's vfork is. */
void *shim_vfork_prepare(void);
void *shim_vfork_prepare(void)
{
	if (shim_vforked != SHIM_VFORK_CLONE)
		shim_vforked = SHIM_VFORK_PENDING;
	return (void *)SHIM_REAL(vfork);
}

#ifdef __x86_64__
/*
 * vfork(2) returns twice on one stack: no C function can wrap it, as the
 * child's return would clobber the frame the parent returns through. The
 * trampoline calls shim_vfork_prepare with the stack aligned, then jumps to
 * libc's vfork, which returns to our caller as if called from there.
 */
__asm__(".text\n"
	".globl vfork\n"
	".type vfork, @function\n"
	"vfork:\n"
#ifdef __CET__
	"	endbr64\n"
#endif
	"	subq $8, %rsp\n"
	"	call shim_vfork_prepare\n"
	"	addq $8, %rsp\n"
	"	jmp *%rax\n"
	".size vfork, .-vfork\n");
#endif

/* A child made with CLONE_VM but not CLONE_THREAD shares our memory and
 * may run beside us for as long as it likes: the thread stays marked. */
NS_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg,
		    ...)
{
	va_list ap;
	pid_t *ptid;
	void *tls;
	pid_t *ctid;

	/* clone(2) reads these only when the flags ask; passed on as they
	 * came, whatever they are. */
	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	if ((flags & CLONE_VM) && !(flags & CLONE_THREAD))
		shim_vforked = SHIM_VFORK_CLONE;
	return SHIM_REAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
}
