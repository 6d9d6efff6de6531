// SPDX-License-Identifier: LGPL-2.1-or-later
/* The seccomp filter that sends the socket system calls to netshim, and
 * its installation in the program's process between fork and exec. */
#include "front.h"
#include "run.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

#define LD_NR	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			 offsetof(struct seccomp_data, nr))
#define LD_ARG(n, hi) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			       offsetof(struct seccomp_data, args[n]) + \
				       ((hi) ? 4 : 0))
#define RET(v)	BPF_STMT(BPF_RET | BPF_K, (v))
/* To the NOTIFY return if the number is @nr (@to: instructions to it). */
#define IS(nr, to) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), (to), 0)

/* The system calls netshim serves (calls.h), as the calls they are traced
 * as. */
#define SC_SERVED(name) { __NR_##name, NS_CALL_##name },
#define SC_KERNEL(name)
#define SC_LIBC(name)
const struct sc_served sc_served[] = {
#define NS_X(name, ret, params, how, ...) SC_##how(name)
	NS_CALL_TABLE(NS_X)
#undef NS_X
};
const unsigned sc_nserved = NS_ARRAY_SIZE(sc_served);
#define served sc_served

/* Let through, but netshim learns the name, namespace or credentials
 * anew. */
static const int learned[] = {
	__NR_execve, __NR_execveat, __NR_setns, __NR_unshare,
	SC_CREDS_CALLS,
};

/* Whether sendto has a destination or MSG_FASTOPEN: from the first
 * instruction, to NOTIFY or ALLOW at its end. */
static const struct sock_filter sendto_check[] = {
	LD_ARG(4, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),	/* to NOTIFY */
	LD_ARG(4, 1),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
	LD_ARG(3, 0),					/* flags */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MSG_FASTOPEN, 0, 1),
	RET(SECCOMP_RET_USER_NOTIF),
	RET(SECCOMP_RET_ALLOW),
};

/* The architecture test (3) and the number's load (1), a test a number,
 * sendto's test (1), ALLOW and NOTIFY (2), then sendto's check. */
#define FILTER_MAX (4 + NS_ARRAY_SIZE(served) + NS_ARRAY_SIZE(learned) + \
		    1 + 2 + NS_ARRAY_SIZE(sendto_check))
static struct sock_filter filter[FILTER_MAX];
static unsigned short filter_len;

/*
 * Only the calls netshim acts on leave the program (ns_policy_acts_on):
 * every other system call costs the filter's few instructions. sendto
 * leaves only with a destination or MSG_FASTOPEN (registers the filter can
 * see); sendmsg keeps its destination in memory, so every sendmsg is sent
 * and those without a destination or MSG_FASTOPEN are let through
 * untouched. Other ABIs (i386 and x32 calls) are let through: netshim
 * does not trace them. Made before the fork: the child only installs it.
 */
void ns_sc_filter(ns_callmask calls)
{
	struct sock_filter *f = filter;
	bool sendto = calls & NS_CALLBIT(NS_CALL_sendto);
	unsigned n = 0, k = 0, nrs[FILTER_MAX];

	/* sendto has a test of its own. */
	for (size_t i = 0; i < NS_ARRAY_SIZE(served); i++)
		if ((calls & NS_CALLBIT(served[i].call)) &&
		    served[i].call != NS_CALL_sendto)
			nrs[k++] = (unsigned)served[i].nr;
	for (size_t i = 0; i < NS_ARRAY_SIZE(learned); i++)
		nrs[k++] = (unsigned)learned[i];
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)LD_NR;
	/* Each number jumps to the NOTIFY after the list, then sendto's
	 * test and the ALLOW. */
	for (unsigned i = 0; i < k; i++)
		f[n++] = (struct sock_filter)IS(nrs[i],
						(unsigned char)(k - i + sendto));
	if (sendto)
		f[n++] = (struct sock_filter)IS(__NR_sendto, 2);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_USER_NOTIF);
	if (sendto) {
		memcpy(f + n, sendto_check, sizeof(sendto_check));
		n += NS_ARRAY_SIZE(sendto_check);
	}
	filter_len = (unsigned short)n;
}

static int install(unsigned long flags)
{
	struct sock_fprog prog;

	if (!filter_len)	/* no ns_sc_filter: every call it can serve */
		ns_sc_filter(~(ns_callmask)0);
	prog = (struct sock_fprog){ .len = filter_len, .filter = filter };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags,
			    &prog);
}

/*
 * Without CAP_SYS_ADMIN the kernel wants no_new_privs first (seccomp(2)),
 * and that stops set-user-ID programs from gaining their privileges: it is
 * only set when needed. A kernel without WAIT_KILLABLE_RECV (before 5.19)
 * answers EINVAL to it; the filter then goes in without.
 */
static int install_filter(bool *killable)
{
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER |
			      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	int fd = install(flags);

	if (fd < 0 && errno == EACCES &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		fd = install(flags);
	*killable = fd >= 0;
	if (fd < 0 && errno == EINVAL) {
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = install(flags);
	}
	return fd;
}

/* The child's report: its errno (0: the listener is at @fd in the
 * child), and whether the filter is killable. Sent with write(2): the
 * filter is in place then, and sendmsg would go to the listener nobody
 * serves yet. */
struct report {
	int err;
	int killable;
	int fd;
};

static bool xfer(int fd, void *p, size_t n, bool out)
{
	ssize_t r;

	do
		r = out ? write(fd, p, n) : read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n;
}

/* In the child: only async-signal-safe calls between fork and exec. */
static NS_NOINLINE void child(int sock, char *const argv[])
{
	struct report r = { 0, 0, -1 };
	bool killable;
	char go;
	int lfd = install_filter(&killable);

	if (lfd < 0) {
		r.err = errno;
		xfer(sock, &r, sizeof(r), true);
		_exit(0);
	}
	r.killable = killable;
	r.fd = lfd;
	/* The parent takes its copy with pidfd_getfd, then says go. */
	if (!xfer(sock, &r, sizeof(r), true) || !xfer(sock, &go, 1, false))
		_exit(125);
	/* Only netshim may hold the listener: if it dies, the kernel then
	 * answers ENOSYS to the program instead of letting it wait. */
	close(lfd);
	close(sock);
	/* A path is exec'd as it is: execvp(3) hands a file the kernel
	 * cannot run (ENOEXEC: a 32-bit program without IA32 emulation)
	 * to /bin/sh, which bash does only for text files. */
	if (strchr(argv[0], '/'))
		execv(argv[0], argv);
	else
		execvp(argv[0], argv);
	r.err = errno;
	dprintf(2, "netshim run: %s: %s\n", argv[0], strerror(r.err));
	_exit(r.err == ENOENT ? 127 : 126);
}

/* Our copy of the child's listener. */
static int take_listener(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), lfd;

	if (pidfd < 0)
		return -1;
	lfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return lfd;
}

pid_t ns_sc_spawn(char *const argv[], int *lfd, bool *killable)
{
	struct report r = { 0, 0, -1 };
	int sv[2], status, err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return -err;
	}
	if (pid == 0) {
		close(sv[0]);
		child(sv[1], argv);
	}
	close(sv[1]);
	*lfd = -1;
	if (xfer(sv[0], &r, sizeof(r), false) && !r.err && r.fd >= 0) {
		*lfd = take_listener(pid, r.fd);
		if (*lfd < 0)
			r.err = errno;
	}
	if (*lfd >= 0 && xfer(sv[0], "g", 1, true)) {
		close(sv[0]);
		*killable = r.killable;
		return pid;
	}
	close(sv[0]);	/* the child, waiting for "g", exits 125 */
	if (*lfd >= 0)
		close(*lfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -(r.err ? r.err : ECHILD);
}

int ns_sc_probe(void)
{
	bool killable;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(install_filter(&killable) < 0 ? (errno & 0xff) : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

const char *ns_sc_why(int err)
{
	switch (err) {
	case EBUSY:
		return "the program is already under another seccomp "
		       "supervisor (EBUSY)";
	case ENOSYS:
	case EINVAL:
		return "this kernel has no seccomp user notification";
	case EACCES:
	case EPERM:
		return "seccomp filters are not permitted here";
	default:
		return strerror(err);
	}
}
