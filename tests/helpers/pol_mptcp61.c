// SPDX-License-Identifier: LGPL-2.1-or-later
/* Runs a program on a kernel that refuses TCP_FASTOPEN on MPTCP as 6.1 does. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/*
 * Linux 6.1 answers setsockopt(IPPROTO_TCP, TCP_FASTOPEN) on an MPTCP
 * socket with ENOPROTOOPT; this kernel accepts it. A seccomp filter hands
 * every setsockopt(IPPROTO_TCP, TCP_FASTOPEN) to us (the parent), and we
 * refuse it when the socket is MPTCP, let it through otherwise.
 */

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setsockopt, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* args[1] is the level, args[2] the option: their low words
		 * (little endian). Other ABIs (i386 calls) pass untouched. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_FASTOPEN, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]),
		.filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int send_fd(int sock, int fd)
{
	char c = 'L';
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(u.buf, 0, sizeof(u.buf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The thread group of @tid, for pidfd_open (which wants a leader). */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* SO_PROTOCOL of descriptor @fd of process @pid, or -1. */
static int protocol_of(pid_t pid, int fd)
{
	int pidfd, local, proto = -1;
	socklen_t len = sizeof(proto);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno == EINVAL) {
		pid = tgid_of(pid);
		if (pid > 0)
			pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	if (pidfd < 0)
		return -1;
	local = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (local < 0)
		return -1;
	if (getsockopt(local, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
		proto = -1;
	close(local);
	return proto;
}

static void answer(int lfd, struct seccomp_notif *req,
		   struct seccomp_notif_resp *resp)
{
	int proto = protocol_of((pid_t)req->pid, (int)req->data.args[0]);

	resp->id = req->id;
	resp->val = 0;
	if (proto == IPPROTO_MPTCP) {
		resp->error = -ENOPROTOOPT;
		resp->flags = 0;
	} else {
		resp->error = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	/* ENOENT: the caller went away (a signal) meanwhile. */
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		perror("pol_mptcp61: SECCOMP_IOCTL_NOTIF_SEND");
}

/* Answers notifications until the child is gone; its exit status. */
static int supervise(int lfd, pid_t pid)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int status;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		perror("pol_mptcp61: SECCOMP_GET_NOTIF_SIZES");
		return 125;
	}
	req = calloc(1, sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif
							: sizeof(*req));
	resp = calloc(1, sz.seccomp_notif_resp > sizeof(*resp)
			     ? sz.seccomp_notif_resp
			     : sizeof(*resp));
	if (!req || !resp)
		return 125;
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			perror("pol_mptcp61: waitpid");
			return 125;
		}
		/* A bounded wait: the child's exit is seen within 100ms. */
		if (poll(&p, 1, 100) <= 0 || !(p.revents & POLLIN))
			continue;
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
			continue; /* EINTR, or the caller was killed */
		memset(resp, 0, sz.seccomp_notif_resp);
		answer(lfd, req, resp);
	}
	free(req);
	free(resp);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int sv[2], lfd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: pol_mptcp61 PROGRAM [ARGS...]\n");
		return 125;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("pol_mptcp61: socketpair");
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		perror("pol_mptcp61: fork");
		return 125;
	}
	if (pid == 0) {
		close(sv[0]);
		/* The helper gone, nothing is left to answer: go too. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() == 1)
			_exit(125);
		lfd = install_filter();
		if (lfd < 0) {
			perror("pol_mptcp61: seccomp");
			_exit(125);
		}
		if (send_fd(sv[1], lfd) < 0) {
			perror("pol_mptcp61: sending the listener");
			_exit(125);
		}
		close(lfd);
		close(sv[1]);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "pol_mptcp61: %s: %s\n", argv[1],
			strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	close(sv[1]);
	lfd = recv_fd(sv[0]);
	close(sv[0]);
	if (lfd < 0) {
		/* The child failed before the filter: report its status. */
		int status;

		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			return WEXITSTATUS(status);
		return 125;
	}
	return supervise(lfd, pid);
}
