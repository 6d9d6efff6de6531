// SPDX-License-Identifier: LGPL-2.1-or-later
/* Talking to the kernel about one notification: reading and writing the
 * program's memory, answering, continuing, installing descriptors. */
#include "front.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

bool sc_killable;

int sc_read(struct sc_call *c, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = { buf, n };
	struct iovec remote = { (void *)(uintptr_t)addr, n };

	if (!n)
		return 0;
	if (!addr)
		return -1;
	return process_vm_readv((pid_t)c->req.pid, &local, 1, &remote, 1,
				0) == (ssize_t)n ? 0 : -1;
}

int sc_write(struct sc_call *c, uint64_t addr, const void *buf, size_t n)
{
	struct iovec local = { (void *)buf, n };
	struct iovec remote = { (void *)(uintptr_t)addr, n };

	if (!n)
		return 0;
	if (!addr || !sc_valid(c))
		return -1;
	return process_vm_writev((pid_t)c->req.pid, &local, 1, &remote, 1,
				 0) == (ssize_t)n ? 0 : -1;
}

bool sc_valid(struct sc_call *c)
{
	return ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->req.id) == 0;
}

static void send_resp(struct sc_call *c, struct seccomp_notif_resp *r)
{
	r->id = c->req.id;
	/* ENOENT: the thread that asked is gone (killed). */
	while (ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_SEND, r) < 0 &&
	       errno == EINTR)
		;
	c->answered = true;
}

static void answer(struct sc_call *c, long ret, int err)
{
	struct seccomp_notif_resp r = { 0 };

	if (err)
		r.error = -err;
	else
		r.val = ret;
	send_resp(c, &r);
}

void sc_flush(struct sc_call *c)
{
	if (c->pending) {
		c->pending = false;
		answer(c, c->pend_ret, c->pend_err);
	}
}

void sc_reply(struct sc_call *c, long ret, int err)
{
	if (c->answered)
		return;	/* ADDFD_FLAG_SEND did, or it waits for sc_emit */
	if (c->trace) {
		c->pending = true;
		c->answered = true;
		c->pend_ret = ret;
		c->pend_err = err;
		return;
	}
	answer(c, ret, err);
}

void sc_continue(struct sc_call *c)
{
	struct seccomp_notif_resp r = { 0 };

	r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	send_resp(c, &r);
}

int sc_addfd(struct sc_call *c, int fd, bool cloexec, int at, bool send)
{
	struct seccomp_notif_addfd a = {
		.id = c->req.id,
		.flags = (at >= 0 ? SECCOMP_ADDFD_FLAG_SETFD : 0) |
			 (send ? SECCOMP_ADDFD_FLAG_SEND : 0),
		.srcfd = (uint32_t)fd,
		.newfd = at >= 0 ? (uint32_t)at : 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int ret;

	do
		ret = ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (send)
		c->answered = true;
	return ret;
}

