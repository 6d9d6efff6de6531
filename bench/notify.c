/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The floor of a seccomp user-notification front, without netshim: socket
 * and setsockopt go to a thread of this process that answers each one
 * CONTINUE at once (seccomp_unotify(2)). What bench/run's notify-floor
 * mode measures: the kernel's round trip alone. */
#include "bench.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static int lfd = -1;
static pthread_barrier_t ready;

static void *answer(void *arg)
{
	struct seccomp_notif_sizes sz = { 0 };
	struct seccomp_notif_resp resp;
	struct seccomp_notif *req;
	size_t n = sizeof(*req);

	(void)arg;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 &&
	    sz.seccomp_notif > n)
		n = sz.seccomp_notif;
	req = malloc(n);
	pthread_barrier_wait(&ready);
	if (!req)
		bench_die("notify", "malloc");
	for (;;) {
		memset(req, 0, n);
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			bench_die("notify", "SECCOMP_IOCTL_NOTIF_RECV");
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req->id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		/* ENOENT: the caller was interrupted meanwhile. */
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 &&
		    errno != ENOENT)
			bench_die("notify", "SECCOMP_IOCTL_NOTIF_SEND");
	}
	return NULL;
}

/* From here on the calling thread, and the threads it creates, send
 * socket and setsockopt to the answering thread, which is made first so
 * that it is not under the filter itself. */
void bench_notify_start(void)
{
	static struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setsockopt, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	uint64_t sync = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	pthread_t th;

	pthread_barrier_init(&ready, NULL, 2);
	if (pthread_create(&th, NULL, answer, NULL) != 0)
		bench_die("notify", "pthread_create");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		bench_die("notify", "PR_SET_NO_NEW_PRIVS");
	lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (lfd < 0)
		bench_die("notify", "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");
	/* As netshim's supervisor asks (Linux 6.6+): wake-ups stay on the
	 * caller's CPU. Older kernels refuse it; the floor is then theirs. */
	ioctl(lfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync);
	pthread_barrier_wait(&ready);
}
