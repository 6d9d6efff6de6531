/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trap front: system calls that bypass libc, trapped in the program by
 * a seccomp filter (SECCOMP_RET_TRAP) and served by a SIGSYS handler. */
#ifndef NS_TRAP_H
#define NS_TRAP_H

#include "../src/config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

/* Nothing here is for other folders: the front starts itself from the
 * library's set-up (start.c, NS_STARTER): before the program's code runs
 * it installs the handler and the filter when NETSHIM_RAW asks for them,
 * or the handler alone when an earlier image's filter survived exec. */

/* si_errno of netshim's own traps (SECCOMP_RET_DATA): 'ns'. */
#define TRAP_MARK 0x6e73

/* netshim's system-call instruction, on a page at a fixed address so that
 * the filter of an image that exec'd us still lets it through (site.c).
 * The page holds a second one, for exec only, that the filter of a run
 * started by `netshim run` sends to netshim (SECCOMP_RET_USER_NOTIF), so
 * that netshim puts the blob into the static program it starts. */
#define TRAP_SITE_ADDR 0x6e7300000000UL
bool trap_site_map(void);
/* The addresses right after the syscall instructions (what seccomp_data's
 * instruction_pointer holds). */
uint64_t trap_site_ip(void);
uint64_t trap_notify_ip(void);
/* The kernel's convention: -errno on failure. */
long trap_sys(long nr, long a, long b, long c, long d, long e, long f);
/* Whether processes @a and @b share one address space (kcmp(2),
 * KCMP_VM: a vfork or CLONE_VM child and its parent). kcmp needs no
 * ptrace right over a process of the same credentials; without it, not
 * shared. */
static inline bool trap_same_vm(int a, int b)
{
	return trap_sys(SYS_kcmp, a, b, 1 /* KCMP_VM */, 0, 0, 0) == 0;
}
/* The same from the second instruction. */
long trap_sys_notify(long nr, long a, long b, long c, long d, long e, long f);

/* Where libc's code is, and its syscall(2)'s instruction (filter.c). */
struct trap_libc {
	uint64_t lo, hi;	/* the executable segment */
	uint64_t syscall_ip;	/* after syscall(2)'s instruction */
};
extern struct trap_libc trap_libc;
bool trap_is_go(void);
bool trap_find_libc(void);
/* Builds and installs the filter for @calls (libc's calls let through
 * when trap_libc says where it is): 0 or -errno. With @listen, a listener
 * for exec from the second instruction: its number, or -errno. */
int trap_filter_install(ns_callmask calls, bool listen);
/* Whether @ip (after a syscall instruction) is in libc, not syscall(2). */
bool trap_in_libc(uint64_t ip);

/* The SIGSYS handler (handler.c): installed, SIGSYS out of every mask. */
bool trap_handler_install(void);
/* What exec needs to give a dynamic program the library again: the
 * library's path and the NETSHIM_* and LD_PRELOAD entries (exec.c). */
void trap_exec_keep(const char *entry);
void trap_exec_library(const char *path);
long trap_exec(long nr, const long *a);
/* Whether a static target's exec goes to netshim's listener (the blob of
 * a run), not refused. */
extern bool trap_exec_listened;

/* Serves socket-family call @nr: through the library's hooks
 * (dispatch.c), or the engine's entry points (the blob's serve.c);
 * -errno on failure. @mask: the program's signal mask at the trap, which
 * the blob's handler, blocking every asynchronous signal, puts back while
 * a call that may block waits in the kernel. */
long trap_dispatch(long nr, const long *a, const uint64_t *mask);

/* The blob's handler's sa_mask: every asynchronous signal, so that no
 * handler of the program's runs inside the engine, which keeps no
 * per-thread state (the program owns %fs); the signals a fault raises
 * stay open, so a bug still dies as it would. The library's handler
 * blocks nothing: its engine guards itself with TLS. */
#define TRAP_BIT(sig) (1ULL << ((sig) - 1))
#ifdef NS_FREESTANDING
#define TRAP_HANDLER_MASK						\
	(~(TRAP_BIT(SIGSYS) | TRAP_BIT(SIGSEGV) | TRAP_BIT(SIGBUS) |	\
	   TRAP_BIT(SIGILL) | TRAP_BIT(SIGFPE) | TRAP_BIT(SIGTRAP) |	\
	   TRAP_BIT(SIGKILL) | TRAP_BIT(SIGSTOP)))
#else
#define TRAP_HANDLER_MASK 0ULL
#endif

#endif
