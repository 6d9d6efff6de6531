// SPDX-License-Identifier: LGPL-2.1-or-later
/* The SIGSYS handler: serves netshim's traps, keeps SIGSYS netshim's and
 * unblocked, and hands every other SIGSYS to the program's own handler. */
#include "trap.h"
#include "../src/event.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif
#define BIT(sig) TRAP_BIT(sig)

/* The kernel's struct sigaction (rt_sigaction(2), x86_64). */
struct kact {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* What the program asked SIGSYS to do: chained for SIGSYS that are not
 * netshim's. Written only by the handler, which SIGSYS does not race. */
static struct kact program;
static int trap_pid;

#ifdef NS_FREESTANDING
#define SAVE_ERRNO(x) ((void)0)
#define RESTORE_ERRNO(x) ((void)0)

/* Whether this process is the one whose dispositions `program` holds:
 * pthread_atfork is libc's, so a process that is not trap_pid asks the
 * kernel whether it shares our memory (vfork, CLONE_VM: not its own) or
 * has a copy (fork: it is now); without kcmp, a copy is assumed. */
static bool owner(void)
{
	int pid = (int)trap_sys(SYS_getpid, 0, 0, 0, 0, 0, 0);

	if (pid == trap_pid)
		return true;
	if (trap_same_vm(pid, trap_pid))
		return false;
	trap_pid = pid;
	return true;
}
#else
#include <pthread.h>
#define SAVE_ERRNO(x) int x = errno
#define RESTORE_ERRNO(x) (errno = (x))

/* A forked child is a process of its own: its SIGSYS handler is its own
 * to record (a vfork child, sharing our memory, is not). */
static void forked(void)
{
	trap_pid = (int)trap_sys(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

static bool owner(void)
{
	return trap_sys(SYS_getpid, 0, 0, 0, 0, 0, 0) == trap_pid;
}
#endif

static long sys(long nr, long a, long b, long c, long d)
{
	return trap_sys(nr, a, b, c, d, 0, 0);
}

/*
 * rt_sigaction: SIGSYS's handler stays netshim's and the program's is
 * recorded (what it reads back is its own); no handler may block SIGSYS
 * while it runs, since a trap with SIGSYS blocked kills the process (the
 * kernel resets the handler, kernel/signal.c, force_sig_info_to_task).
 */
static long emul_sigaction(const long *a)
{
	int sig = (int)a[0];
	const struct kact *act = (const struct kact *)a[1];
	struct kact *old = (struct kact *)a[2], copy;

	if (a[3] != 8)
		return -EINVAL;
	if (sig != SIGSYS) {
		if (act) {
			copy = *act;
			copy.mask &= ~BIT(SIGSYS);
			act = &copy;
		}
		return sys(SYS_rt_sigaction, sig, (long)act, (long)old, 8);
	}
	copy = program;
	/* A child sharing our memory (vfork, posix_spawn) has its own
	 * dispositions in the kernel, not here: it keeps ours. */
	if (act && owner()) {
		program = *act;
		program.mask &= ~BIT(SIGSYS);
	}
	if (old)
		*old = copy;
	return 0;
}

/*
 * rt_sigprocmask: the mask to change is the one saved in the signal
 * frame, which rt_sigreturn puts back when this handler returns; SIGSYS
 * stays out of it (and SIGKILL and SIGSTOP, as the kernel does).
 */
static long emul_sigprocmask(ucontext_t *uc, const long *a)
{
	uint64_t *mask = (uint64_t *)&uc->uc_sigmask, old = *mask, set;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		set = *(const uint64_t *)a[1];
		switch (a[0]) {
		case SIG_BLOCK: set |= old; break;
		case SIG_UNBLOCK: set = old & ~set; break;
		case SIG_SETMASK: break;
		default: return -EINVAL;
		}
		*mask = set & ~(BIT(SIGSYS) | BIT(SIGKILL) | BIT(SIGSTOP));
	}
	if (a[2])
		*(uint64_t *)a[2] = old;
	return 0;
}

/* Dies of @sig as the program would have with no handler for it. */
static void die_of(int sig)
{
	struct kact dfl = { SIG_DFL, 0, NULL, 0 };
	uint64_t un = BIT(sig);

	sys(SYS_rt_sigaction, sig, (long)&dfl, 0, 8);
	sys(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&un, 0, 8);
	sys(SYS_tgkill, sys(SYS_getpid, 0, 0, 0, 0),
	    sys(SYS_gettid, 0, 0, 0, 0), sig, 0);
}

/* A SIGSYS that is not netshim's: what the program's handler says. A trap
 * of another filter is forced: with SIG_IGN or SIG_DFL it kills. */
static void chain(int sig, siginfo_t *si, void *uc)
{
	struct kact h = program;

	if (h.handler == SIG_IGN && si->si_code != SYS_SECCOMP)
		return;
	if (h.handler == SIG_DFL || h.handler == SIG_IGN) {
		die_of(sig);
		return;
	}
	if (h.flags & SA_RESETHAND)
		program.handler = SIG_DFL;
	if (h.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))h.handler)(sig, si, uc);
	else
		((void (*)(int))h.handler)(sig);
}

/* A call re-issued as it came, from netshim's instruction. */
static long verbatim(long nr, const long *a)
{
	return trap_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * SA_SIGINFO|SA_ONSTACK|SA_NODEFER: it runs on the program's alternate
 * stack when it has one (a Go thread's 32 KiB gsignal stack), and SIGSYS
 * stays unblocked inside it, as a call it makes may trap again. Registers
 * of the call from the frame (x86_64: rdi, rsi, rdx, r10, r8, r9; the
 * number in si_syscall); the result, or -errno, goes to rax, which
 * rt_sigreturn hands to the program as the call's.
 */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	SAVE_ERRNO(saved);
	long a[6], nr, ret;

	if (si->si_code != SYS_SECCOMP || si->si_errno != TRAP_MARK) {
		chain(sig, si, ctx);
		RESTORE_ERRNO(saved);
		return;
	}
	nr = si->si_syscall;
	a[0] = g[REG_RDI];
	a[1] = g[REG_RSI];
	a[2] = g[REG_RDX];
	a[3] = g[REG_R10];
	a[4] = g[REG_R8];
	a[5] = g[REG_R9];
	switch (nr) {
	case SYS_rt_sigaction:
		ret = emul_sigaction(a);
		break;
	case SYS_rt_sigprocmask:
		ret = emul_sigprocmask(uc, a);
		break;
	case SYS_execve:
	case SYS_execveat:
		ret = trap_exec(nr, a);
		break;
	default:
		/* From libc's code: a filter of the image that exec'd this
		 * one, which knew another libc; the hook already saw it. */
		if (trap_in_libc((uint64_t)(uintptr_t)si->si_call_addr)) {
			ret = verbatim(nr, a);
			break;
		}
		ret = trap_dispatch(nr, a, (const uint64_t *)&uc->uc_sigmask);
	}
	g[REG_RAX] = ret;
	RESTORE_ERRNO(saved);
}

/* rt_sigaction(2) without libc wants SA_RESTORER and the code that
 * returns from a handler: rt_sigreturn, as libc's __restore_rt. */
void trap_restore_rt(void) __attribute__((visibility("hidden")));
__asm__(".text\n"
	".align 16\n"
	"trap_restore_rt:\n"
	"\tmovq $15, %rax\n"	/* __NR_rt_sigreturn */
	"\tsyscall\n"
	"\thlt\n");

/*
 * Installed by netshim's instruction (a filter inherited through exec
 * traps rt_sigaction from anywhere else); the handlers already there and
 * this thread's mask lose SIGSYS.
 */
bool trap_handler_install(void)
{
	struct kact h = { (void *)on_sigsys,
			  SA_SIGINFO | SA_ONSTACK | SA_NODEFER | 0x04000000,
			  NULL, TRAP_HANDLER_MASK };
	uint64_t un = BIT(SIGSYS);

	trap_pid = (int)sys(SYS_getpid, 0, 0, 0, 0);
#ifndef NS_FREESTANDING
	pthread_atfork(NULL, NULL, forked);
#endif
	if (sys(SYS_rt_sigaction, SIGSYS, 0, (long)&program, 8) < 0)
		return false;
	h.restorer = (void *)trap_restore_rt;
	if (sys(SYS_rt_sigaction, SIGSYS, (long)&h, 0, 8) < 0)
		return false;
	for (int s = 1; s <= 64; s++) {
		struct kact k;

		if (s == SIGSYS || s == SIGKILL || s == SIGSTOP ||
		    sys(SYS_rt_sigaction, s, 0, (long)&k, 8) < 0 ||
		    !(k.mask & BIT(SIGSYS)))
			continue;
		k.mask &= ~BIT(SIGSYS);
		sys(SYS_rt_sigaction, s, (long)&k, 0, 8);
	}
	sys(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&un, 0, 8);
	return true;
}
