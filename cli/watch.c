// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim run's exec watch: a seccomp filter in the run's first process
 * that hands netshim every exec, so that a static program a dynamic one
 * starts (runuser, su, a shell script) gets the blob too; and how netshim
 * takes a listener from the process that made it. */
#include "inject.h"
#include "reach.h"
#include "../trap/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define IP(hi) LD(offsetof(struct seccomp_data, instruction_pointer) + \
		  ((hi) ? 4 : 0))

/*
 * execve and execveat go to netshim unless they come from the gate's
 * first instruction: the blob and the library make from there the execs
 * they already prepared (a dynamic program's LD_PRELOAD put back), and
 * their second instruction's (a static target) comes here like any
 * other. Other ABIs pass: the blob is x86_64 code. Installed as root
 * (CAP_SYS_ADMIN): no no_new_privs, so set-user-ID programs work as bare.
 */
int cli_watch_install(void)
{
	struct sock_filter f[] = {
		LD(offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 8),
		LD(offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 0, 5),
		IP(1),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 (uint32_t)(TRAP_BLOB_GATE_IP >> 32), 0, 2),
		IP(0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 (uint32_t)TRAP_BLOB_GATE_IP, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

/* The string at @addr in process @pid, NUL-ended in @out; false if it
 * cannot be read or does not fit. */
static bool read_str(pid_t pid, uint64_t addr, char *out, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		/* Page by page: a string may end just before an unmapped
		 * page. */
		size_t n = 4096 - ((addr + got) & 4095);
		struct iovec l = { out + got, n < cap - got ? n : cap - got };
		struct iovec r = { (void *)(uintptr_t)(addr + got), l.iov_len };
		ssize_t k = process_vm_readv(pid, &l, 1, &r, 1, 0);

		if (k <= 0)
			return false;
		if (memchr(out + got, '\0', (size_t)k))
			return true;
		got += (size_t)k;
	}
	return false;
}

/*
 * Whether the exec @req holds runs a static x86_64 program, the file seen
 * as the thread sees it: a relative path from its working directory or
 * execveat's directory, AT_EMPTY_PATH the descriptor itself; #! lines
 * are followed (reach.c). Unreadable or gone: not static (the exec then
 * fails or runs as it would).
 */
bool cli_watch_static(const struct seccomp_notif *req)
{
	bool at = req->data.nr == __NR_execveat;
	char path[PATH_MAX], full[PATH_MAX + 64];
	struct cli_reach reach;
	int dirfd = at ? (int)req->data.args[0] : AT_FDCWD;

	if (!read_str((pid_t)req->pid, req->data.args[at ? 1 : 0], path,
		      sizeof(path)))
		return false;
	if (at && !path[0] && (req->data.args[4] & AT_EMPTY_PATH))
		snprintf(full, sizeof(full), "/proc/%u/fd/%d", req->pid, dirfd);
	else if (path[0] == '/')
		snprintf(full, sizeof(full), "/proc/%u/root%s", req->pid, path);
	else if (dirfd == AT_FDCWD)
		snprintf(full, sizeof(full), "/proc/%u/cwd/%s", req->pid, path);
	else
		snprintf(full, sizeof(full), "/proc/%u/fd/%d/%s", req->pid,
			 dirfd, path);
	if (cli_reach_check(full, NULL, &reach) < 0)
		return false;
	return (reach.flags & CLI_REACH_STATIC) &&
	       reach.elf_class == 2 /* ELFCLASS64 */ &&
	       reach.elf_machine == 62 /* EM_X86_64 */;
}

/* Whether @pid's image has the blob (and so its filter, installed there
 * or inherited): its argument block's magic at TRAP_BLOB_ARGS. */
bool cli_watch_has_blob(pid_t pid)
{
	uint32_t magic = 0;
	struct iovec l = { &magic, sizeof(magic) };
	struct iovec r = { (void *)TRAP_BLOB_ARGS, sizeof(magic) };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == sizeof(magic) &&
	       magic == TRAP_BLOB_MAGIC;
}

/* netshim takes the listener from the program with pidfd_getfd(2): a
 * kernel without it (before 5.6; valgrind) cannot follow execs. */
bool cli_can_take_fds(char *why, size_t cap)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0), fd, err;

	if (pidfd < 0) {
		err = errno;
		fd = -1;
	} else {
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, 0, 0);
		err = errno;
		close(pidfd);
	}
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || err != ENOSYS)
		return true;
	snprintf(why, cap, "this kernel has no %s (Linux 5.%d)",
		 pidfd < 0 ? "pidfd_open" : "pidfd_getfd", pidfd < 0 ? 3 : 6);
	return false;
}

/* The listener the child made, taken with pidfd_getfd(2). */
int cli_take_fd(pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), mine;

	if (pidfd < 0)
		return -1;
	mine = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return mine;
}
