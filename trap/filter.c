// SPDX-License-Identifier: LGPL-2.1-or-later
/* The trap front's seccomp filter: which calls trap, from where. */
#include "trap.h"
#include "../src/compiler.h"
#include "../src/policy.h"
#include "../src/sys.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

struct trap_libc trap_libc;

/* A filter written with labels: jumps name where they go, resolved when
 * the filter is done (BPF jumps are forward offsets). */
#define MAXF 64
enum label { NEXT, L_ALLOW, L_SENDTO, L_GUARD, L_FROM, L_LIBC, L_TRAP,
	     L_ALLOW2, L_NOTIFY, NLABELS };
struct prog {
	struct sock_filter f[MAXF];
	unsigned char jt[MAXF], jf[MAXF];
	unsigned short at[NLABELS];
	unsigned short n;
};

static void put(struct prog *p, unsigned short code, uint32_t k,
		enum label jt, enum label jf)
{
	if (p->n >= MAXF)
		return;
	p->f[p->n] = (struct sock_filter){ code, 0, 0, k };
	p->jt[p->n] = (unsigned char)jt;
	p->jf[p->n] = (unsigned char)jf;
	p->n++;
}

static void here(struct prog *p, enum label l)
{
	p->at[l] = p->n;
}

#define LD_AT(off) put(p, BPF_LD | BPF_W | BPF_ABS, (uint32_t)(off), NEXT, NEXT)
#define LD_IP(hi) LD_AT(offsetof(struct seccomp_data, instruction_pointer) + \
			 ((hi) ? 4 : 0))
#define LD_ARG(n, hi) LD_AT(offsetof(struct seccomp_data, args[n]) + \
			    ((hi) ? 4 : 0))
#define JEQ(k, t, f) put(p, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(k), t, f)
#define JGE(k, t, f) put(p, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)(k), t, f)
#define JSET(k, t, f) put(p, BPF_JMP | BPF_JSET | BPF_K, (uint32_t)(k), t, f)
#define RET(v) put(p, BPF_RET | BPF_K, (v), NEXT, NEXT)
#define TRAP (SECCOMP_RET_TRAP | TRAP_MARK)

static bool resolve(struct prog *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		unsigned t = p->jt[i] ? p->at[p->jt[i]] : i + 1;
		unsigned f = p->jf[i] ? p->at[p->jf[i]] : i + 1;

		if (BPF_CLASS(p->f[i].code) != BPF_JMP)
			continue;
		if (t <= i || f <= i || t - i - 1 > 255 || f - i - 1 > 255)
			return false;
		p->f[i].jt = (unsigned char)(t - i - 1);
		p->f[i].jf = (unsigned char)(f - i - 1);
	}
	return p->n < MAXF;
}

/* The socket-family calls the trap front serves, as the calls they are
 * traced as; dispatch.c re-issues each through its hook. */
static const struct {
	int nr;
	enum ns_call call;
} served[] = {
	{ __NR_socket, NS_CALL_socket },
	{ __NR_socketpair, NS_CALL_socketpair },
	{ __NR_connect, NS_CALL_connect },
	{ __NR_bind, NS_CALL_bind },
	{ __NR_listen, NS_CALL_listen },
	{ __NR_accept, NS_CALL_accept },
	{ __NR_accept4, NS_CALL_accept4 },
	{ __NR_setsockopt, NS_CALL_setsockopt },
	{ __NR_getsockopt, NS_CALL_getsockopt },
	{ __NR_sendmsg, NS_CALL_sendmsg },
};
/*
 * Not close and dup: after exec the dynamic loader (not libc) closes the
 * files it mapped before the next image's netshim has put its handler in
 * place, and the filter, which outlives exec, would kill it. The fd table
 * then learns of a raw close when the number comes back as a new socket,
 * or from the kernel's EBADF or ENOTSOCK.
 */

/* Trapped wherever they come from but netshim's own instruction: signal
 * calls keep SIGSYS netshim's; exec keeps the library in the next image,
 * or, made from the second instruction, goes to netshim's listener. */
static const int guarded[] = {
	__NR_rt_sigaction, __NR_rt_sigprocmask, __NR_execve, __NR_execveat,
};

/*
 * The served calls @calls names trap unless they come from libc's code
 * (but not syscall(2)'s instruction) or from netshim's; sendto only with
 * a destination or MSG_FASTOPEN (registers the filter sees), as the
 * seccomp front's filter. The guarded calls trap unless they come from
 * netshim's instruction; from its second one they go to the listener
 * (without one the kernel fails them with ENOSYS). A static program has
 * no libc (trap_libc empty): its calls trap wherever they come from.
 * Instruction pointers are 64 bits, loaded as two words; libc's segment
 * must not cross a 4 GiB line (trap_filter_install checks).
 */
static bool build(struct prog *p, ns_callmask calls, bool listen)
{
	uint64_t site = trap_site_ip();
	unsigned i;

	memset(p, 0, sizeof(*p));
	LD_AT(offsetof(struct seccomp_data, arch));
	JEQ(AUDIT_ARCH_X86_64, NEXT, L_ALLOW);
	LD_AT(offsetof(struct seccomp_data, nr));
	for (i = 0; i < NS_ARRAY_SIZE(guarded); i++)
		JEQ(guarded[i], L_GUARD, NEXT);
	for (i = 0; i < NS_ARRAY_SIZE(served); i++)
		if (calls & NS_CALLBIT(served[i].call))
			JEQ(served[i].nr, L_FROM, NEXT);
	if (calls & NS_CALLBIT(NS_CALL_sendto))
		JEQ(__NR_sendto, L_SENDTO, NEXT);
	here(p, L_ALLOW);
	RET(SECCOMP_RET_ALLOW);
	here(p, L_SENDTO);
	LD_ARG(4, 0);
	JEQ(0, NEXT, L_FROM);
	LD_ARG(4, 1);
	JEQ(0, NEXT, L_FROM);
	LD_ARG(3, 0);
	JSET(0x20000000 /* MSG_FASTOPEN */, L_FROM, L_ALLOW2);
	here(p, L_GUARD);
	LD_IP(1);
	JEQ(site >> 32, NEXT, L_TRAP);
	LD_IP(0);
	JEQ((uint32_t)site, L_ALLOW2, NEXT);
	JEQ((uint32_t)trap_notify_ip(), L_NOTIFY, L_TRAP);
	here(p, L_FROM);
	LD_IP(1);
	JEQ(site >> 32, NEXT, L_LIBC);
	LD_IP(0);
	JEQ((uint32_t)site, L_ALLOW2, L_LIBC);
	here(p, L_LIBC);
	if (trap_libc.hi) {
		LD_IP(1);
		JEQ(trap_libc.lo >> 32, NEXT, L_TRAP);
		LD_IP(0);
		JEQ((uint32_t)trap_libc.syscall_ip, L_TRAP, NEXT);
		JGE((uint32_t)trap_libc.lo, NEXT, L_TRAP);
		JGE((uint32_t)trap_libc.hi, L_TRAP, L_ALLOW2);
	}
	here(p, L_TRAP);
	RET(TRAP);
	here(p, L_ALLOW2);
	RET(SECCOMP_RET_ALLOW);
	/* Without a listener of its own the filter lets the second
	 * instruction's exec through to an older filter's: netshim run's
	 * (NETSHIM_EXEC_WATCHED), whose listener is netshim's. */
	here(p, L_NOTIFY);
	RET(listen ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW);
	return resolve(p);
}

static bool has_cap_sys_admin(void)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t eff, perm, inh; } data[2];

	if (trap_sys(SYS_capget, (long)&hdr, (long)data, 0, 0, 0, 0) != 0)
		return false;
	return data[0].eff & (1u << 21);	/* CAP_SYS_ADMIN */
}

/*
 * Without CAP_SYS_ADMIN the kernel wants no_new_privs first (seccomp(2));
 * set only then, since it keeps set-user-ID programs exec'd later from
 * gaining privileges. TSYNC: threads that already run get it too; it
 * cannot be asked together with NEW_LISTENER (seccomp(2)), which only the
 * blob asks for, in a program that runs no thread yet. Installed by
 * netshim's instruction, since a filter inherited through exec may trap
 * nothing there but could one day.
 */
int trap_filter_install(ns_callmask calls, bool listen)
{
	static struct prog p;
	struct sock_fprog fp;
	long r;

	if (trap_libc.lo >> 32 != trap_libc.hi >> 32)
		return -ERANGE;
	if (!build(&p, calls, listen))
		return -E2BIG;
	fp = (struct sock_fprog){ .len = p.n, .filter = p.f };
	if (!has_cap_sys_admin()) {
		r = trap_sys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
		if (r < 0)
			return (int)r;
	}
	r = trap_sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		     listen ? SECCOMP_FILTER_FLAG_NEW_LISTENER
			    : SECCOMP_FILTER_FLAG_TSYNC,
		     (long)&fp, 0, 0, 0);
	return r < 0 ? (int)r : listen ? (int)r : 0;
}

bool trap_in_libc(uint64_t ip)
{
	return ip >= trap_libc.lo && ip < trap_libc.hi &&
	       ip != trap_libc.syscall_ip;
}
