// SPDX-License-Identifier: LGPL-2.1-or-later
/* Putting the blob into one program stopped by ptrace just past its exec:
 * system calls made by the program from a `syscall; int3` written over its
 * instruction pointer, the blob's set-up run on its stack, everything put
 * back and the program let go with the signals that came meanwhile. */
#include "inject.h"
#include "../trap/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MAX_HELD 64

struct tracee {
	pid_t pid;
	int mem;			/* /proc/PID/mem */
	struct user_regs_struct saved;	/* as the exec left them */
	unsigned char code[3];		/* what the syscall;int3 covers */
	bool code_out;			/* code[] is replaced */
	int held[MAX_HELD], nheld;	/* signals for the detach */
	int wstatus;			/* how it ended, when it did */
	char *why;
	size_t cap;
};

static bool mem_io(struct tracee *t, bool wr, uint64_t addr, void *buf,
		   size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? pwrite(t->mem, (char *)buf + done, len - done,
					(off_t)(addr + done)) :
				 pread(t->mem, (char *)buf + done, len - done,
				       (off_t)(addr + done));
		if (n <= 0) {
			snprintf(t->why, t->cap, "%s its memory: %s",
				 wr ? "writing" : "reading",
				 n ? strerror(errno) : "short");
			return false;
		}
		done += (size_t)n;
	}
	return true;
}

/* A signal reported while we drive the program is the program's: keep
 * it for the detach. Standard signals coalesce as pending ones do. */
static void hold(struct tracee *t, int sig)
{
	for (int i = 0; i < t->nheld; i++)
		if (t->held[i] == sig && sig < SIGRTMIN)
			return;
	if (t->nheld < MAX_HELD)
		t->held[t->nheld++] = sig;
}

/*
 * Only our instructions run while we drive it: a fault the kernel raised
 * (si_code > 0, not a kill(2)) is ours, and continuing would only repeat
 * it.
 */
static bool faulted(struct tracee *t, int sig)
{
	struct user_regs_struct r;
	siginfo_t si;

	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL &&
	    sig != SIGFPE && sig != SIGTRAP)
		return false;
	if (ptrace(PTRACE_GETSIGINFO, t->pid, 0, &si) < 0 || si.si_code <= 0)
		return false;
	if (ptrace(PTRACE_GETREGS, t->pid, 0, &r) < 0)
		r.rip = 0;
	snprintf(t->why, t->cap, "set-up faulted: %s at %#llx",
		 sigabbrev_np(sig), (unsigned long long)r.rip);
	return true;
}

/*
 * Continues @t until it traps on an int3 of ours: at @rip if not 0, else
 * anywhere in the blob's span. false when it ended (wstatus set).
 */
static bool run_to_trap(struct tracee *t, uint64_t rip)
{
	struct user_regs_struct r;
	int st, sig = 0;

	for (;;) {
		if (ptrace(PTRACE_CONT, t->pid, 0, sig) < 0 && errno != ESRCH) {
			snprintf(t->why, t->cap, "PTRACE_CONT: %s",
				 strerror(errno));
			return false;
		}
		sig = 0;
		if (waitpid(t->pid, &st, __WALL) < 0) {
			snprintf(t->why, t->cap, "waitpid: %s",
				 strerror(errno));
			return false;
		}
		if (!WIFSTOPPED(st)) {
			t->wstatus = st;
			snprintf(t->why, t->cap, "it ended during set-up");
			return false;
		}
		/* An interrupt or group-stop trap (seized): resume. */
		if (st >> 16)
			continue;
		if (WSTOPSIG(st) == SIGTRAP &&
		    ptrace(PTRACE_GETREGS, t->pid, 0, &r) == 0 &&
		    (rip ? r.rip == rip :
		     r.rip - TRAP_BLOB_BASE <= TRAP_BLOB_SPAN))
			return true;
		if (faulted(t, WSTOPSIG(st)))
			return false;
		hold(t, WSTOPSIG(st));
	}
}

/* One system call made by the program; -errno or its value. */
static long rsys(struct tracee *t, long nr, long a, long b, long c, long d,
		 long e, long f, bool *ok)
{
	struct user_regs_struct r = t->saved;

	r.rax = (unsigned long)nr;
	/* No syscall restart on the way out of this stop. */
	r.orig_rax = (unsigned long)-1;
	r.rdi = (unsigned long)a;
	r.rsi = (unsigned long)b;
	r.rdx = (unsigned long)c;
	r.r10 = (unsigned long)d;
	r.r8 = (unsigned long)e;
	r.r9 = (unsigned long)f;
	*ok = ptrace(PTRACE_SETREGS, t->pid, 0, &r) == 0 &&
	      run_to_trap(t, t->saved.rip + 3) &&
	      ptrace(PTRACE_GETREGS, t->pid, 0, &r) == 0;
	return *ok ? (long)r.rax : -EIO;
}

/*
 * A PTRACE_EVENT_EXEC stop is still inside execve, whose return would
 * overwrite rax: let it return to an int3 put at the entry point, then
 * put the byte back (design, "Injection hygiene").
 */
static bool step_out(struct tracee *t)
{
	uint64_t entry = t->saved.rip;
	unsigned char byte, cc = 0xcc;

	if (!mem_io(t, false, entry, &byte, 1) ||
	    !mem_io(t, true, entry, &cc, 1))
		return false;
	if (!run_to_trap(t, entry + 1))
		return false;
	if (!mem_io(t, true, entry, &byte, 1) ||
	    ptrace(PTRACE_GETREGS, t->pid, 0, &t->saved) < 0)
		return false;
	t->saved.rip = entry;
	return true;
}

static uint64_t page_down(uint64_t a) { return a & ~4095ul; }
static uint64_t page_up(uint64_t a) { return (a + 4095) & ~4095ul; }

/* Maps the blob's segments read-write; CLI_INJ_TAKEN when one is in use,
 * after unmapping what was mapped. */
static enum cli_inject_result map_all(struct tracee *t,
				      const struct cli_blob *b)
{
	bool ok;
	int i;

	for (i = 0; i < b->nseg; i++) {
		uint64_t lo = page_down(b->seg[i].vaddr);
		uint64_t len = page_up(b->seg[i].vaddr + b->seg[i].memsz) - lo;
		long r = rsys(t, SYS_mmap, (long)lo, (long)len,
			      PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS |
			      MAP_FIXED_NOREPLACE, -1, 0, &ok);

		if (!ok)
			return CLI_INJ_FAILED;
		if (r == (long)lo)
			continue;
		/* A kernel before 4.17 takes the flag for a hint. */
		if (r > 0)
			rsys(t, SYS_munmap, r, (long)len, 0, 0, 0, 0, &ok);
		if (r > 0 || r == -EEXIST)
			break;
		snprintf(t->why, t->cap, "mmap at %#llx: %s",
			 (unsigned long long)lo, strerror((int)-r));
		return CLI_INJ_FAILED;
	}
	if (i == b->nseg)
		return CLI_INJ_OK;
	snprintf(t->why, t->cap, "the blob's address %#llx is in use",
		 (unsigned long long)page_down(b->seg[i].vaddr));
	while (i-- > 0) {
		uint64_t lo = page_down(b->seg[i].vaddr);

		rsys(t, SYS_munmap, (long)lo,
		     (long)(page_up(b->seg[i].vaddr + b->seg[i].memsz) - lo),
		     0, 0, 0, 0, &ok);
	}
	return CLI_INJ_TAKEN;
}

/* The file's bytes, the args block netshim fills in, final protections. */
static bool fill(struct tracee *t, const struct cli_inject_req *rq)
{
	const struct cli_blob *b = rq->blob;
	uint32_t in[2] = { rq->flags, (uint32_t)rq->env_len };
	bool ok;

	for (int i = 0; i < b->nseg; i++)
		if (!mem_io(t, true, b->seg[i].vaddr, b->image + b->seg[i].off,
			    b->seg[i].filesz))
			return false;
	if (!mem_io(t, true, TRAP_BLOB_ARGS +
		    offsetof(struct trap_blob_args, flags), in, sizeof(in)) ||
	    !mem_io(t, true, TRAP_BLOB_ARGS +
		    offsetof(struct trap_blob_args, env), (void *)rq->env,
		    rq->env_len))
		return false;
	for (int i = 0; i < b->nseg; i++) {
		uint64_t lo = page_down(b->seg[i].vaddr);
		long r = rsys(t, SYS_mprotect, (long)lo,
			      (long)(page_up(b->seg[i].vaddr +
					     b->seg[i].memsz) - lo),
			      b->seg[i].prot, 0, 0, 0, &ok);

		if (ok && r < 0)
			snprintf(t->why, t->cap, "mprotect: %s",
				 strerror((int)-r));
		if (!ok || r < 0)
			return false;
	}
	return true;
}

/* blob.h's entry convention: rdi the stack at exec, rsi the args, a
 * stack below the red zone; it ends on an int3 with the answer in rax. */
static bool call_entry(struct tracee *t, const struct cli_blob *b,
		       struct trap_blob_args *out)
{
	struct user_regs_struct r = t->saved;

	r.rip = b->entry;
	r.rdi = t->saved.rsp;
	r.rsi = TRAP_BLOB_ARGS;
	r.rsp = (t->saved.rsp - 1024) & ~15ul;
	r.rax = 0;
	r.orig_rax = (unsigned long)-1;
	if (ptrace(PTRACE_SETREGS, t->pid, 0, &r) < 0 || !run_to_trap(t, 0))
		return false;
	return mem_io(t, false, TRAP_BLOB_ARGS +
		      offsetof(struct trap_blob_args, status), &out->status,
		      sizeof(*out) - offsetof(struct trap_blob_args, status));
}

/* netshim's own copy of the program's listener; the program's closed. */
static int take_listener(struct tracee *t, int theirs)
{
	int pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0), fd = -1;
	bool ok;

	if (pidfd >= 0) {
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, theirs, 0);
		close(pidfd);
	}
	if (fd < 0) {
		snprintf(t->why, t->cap, "taking its listener: %s",
			 strerror(errno));
		return -1;
	}
	rsys(t, SYS_close, theirs, 0, 0, 0, 0, 0, &ok);
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Registers and code as the exec left them, then let go: the first held
 * signal by the detach, the others queued again before it. */
static bool let_go(struct tracee *t)
{
	if (t->code_out && !mem_io(t, true, t->saved.rip, t->code, 3))
		return false;
	t->code_out = false;
	if (ptrace(PTRACE_SETREGS, t->pid, 0, &t->saved) < 0)
		return false;
	for (int i = 1; i < t->nheld; i++)
		syscall(SYS_tgkill, t->pid, t->pid, t->held[i]);
	return ptrace(PTRACE_DETACH, t->pid, 0, t->nheld ? t->held[0] : 0) ==
	       0;
}

/* Never run a program half set up: it ends here. */
static enum cli_inject_result fail(struct tracee *t)
{
	int st = SIGKILL;

	if (t->wstatus != -1)
		return CLI_INJ_GONE;
	kill(t->pid, SIGKILL);
	while (waitpid(t->pid, &st, __WALL) == t->pid && WIFSTOPPED(st))
		;
	/* Reaped here: the caller's to account for. */
	t->wstatus = WIFSTOPPED(st) ? SIGKILL : st;
	return CLI_INJ_FAILED;
}

enum cli_inject_result cli_inject(pid_t pid, const struct cli_inject_req *rq,
				  int *listener, int *wstatus, char *why,
				  size_t cap)
{
	struct tracee t = { .pid = pid, .wstatus = -1, .why = why,
			    .cap = cap };
	struct trap_blob_args out;
	enum cli_inject_result res = CLI_INJ_FAILED;
	char path[40];
	int fd = -1;

	*listener = -1;
	why[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	t.mem = open(path, O_RDWR | O_CLOEXEC);
	if (t.mem < 0) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &t.saved) < 0) {
		snprintf(why, cap, "PTRACE_GETREGS: %s", strerror(errno));
		goto out;
	}
	if (rq->at_exec_event && !step_out(&t))
		goto out;
	if (!mem_io(&t, false, t.saved.rip, t.code, 3) ||
	    !mem_io(&t, true, t.saved.rip, "\x0f\x05\xcc", 3))
		goto out;
	t.code_out = true;
	res = map_all(&t, rq->blob);
	if (res == CLI_INJ_TAKEN) {
		/* Nothing changed: the caller still holds it, stopped. */
		if (!mem_io(&t, true, t.saved.rip, t.code, 3) ||
		    ptrace(PTRACE_SETREGS, pid, 0, &t.saved) < 0)
			res = CLI_INJ_FAILED;
		goto out;
	}
	if (res != CLI_INJ_OK)
		goto out;
	res = CLI_INJ_FAILED;
	if (!fill(&t, rq) || !call_entry(&t, rq->blob, &out))
		goto out;
	if (out.status < 0) {
		out.why[sizeof(out.why) - 1] = '\0';
		snprintf(why, cap, "%s%s%s", out.why, out.why[0] ? ": " : "",
			 strerror(-out.status));
		goto out;
	}
	if ((rq->flags & TRAP_BLOB_F_LISTEN) && out.listener < 0) {
		snprintf(why, cap, "the blob made no listener");
		goto out;
	}
	if ((rq->flags & TRAP_BLOB_F_LISTEN) &&
	    (fd = take_listener(&t, out.listener)) < 0)
		goto out;
	if (!let_go(&t)) {
		if (!why[0])
			snprintf(why, cap, "letting it go: %s",
				 strerror(errno));
		goto out;
	}
	*listener = fd;
	fd = -1;
	res = CLI_INJ_OK;
out:
	if (fd >= 0)
		close(fd);
	if (res == CLI_INJ_FAILED)
		res = fail(&t);
	if (t.mem >= 0)
		close(t.mem);
	*wstatus = t.wstatus;
	return res;
}
