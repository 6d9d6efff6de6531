// SPDX-License-Identifier: LGPL-2.1-or-later
/* sendto and sendmsg as the policies want them, for every front: the
 * v4-mapped refusal of NETSHIM_FAMILY=ipv6 and NETSHIM_TFO's MSG_FASTOPEN
 * gone round by connect, then send. */
#include "call.h"
#include "compiler.h"
#include "policy.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>

/* The kernel's sendmsg, or the failure a NETSHIM_FAIL rule for the
 * program's call (sendto or sendmsg) puts in its place. */
static ssize_t real_send(const struct ns_ops *o, struct ns_call_rec *r,
			 int fd, const struct msghdr *msg, int flags)
{
	int err;

	if (ns_fault_wants(&r->cfg->fault, r->ev.call) &&
	    (err = ns_rules_fd(o, r, fd, msg->msg_name, msg->msg_namelen, -1,
			       -1)))
		return -err;
	return o->sendmsg(r, r->kfd, msg, flags);
}

/* A TCP socket Fast Open applies to, not yet connected. */
static bool tfo_candidate(const struct ns_ops *o, struct ns_call_rec *r,
			  int fd)
{
	struct ns_fdinfo info;

	return o->lookup(r, fd, &info) && ns_info_is_tcp(&info) &&
	       !(info.state & NS_FD_CONNECTED);
}

/* connect(), non-blocking when the send asked for MSG_DONTWAIT as the
 * kernel's MSG_FASTOPEN connect then is (tcp_sendmsg_fastopen). Only a
 * blocking socket is switched, and only for the connect. */
static int connect_for_send(const struct ns_ops *o, struct ns_call_rec *r,
			    const struct msghdr *msg, int flags)
{
	int fl = -1, ret;

	if ((flags & MSG_DONTWAIT) &&
	    (fl = o->fcntl(r, r->kfd, F_GETFL, 0)) >= 0 && !(fl & O_NONBLOCK))
		o->fcntl(r, r->kfd, F_SETFL, fl | O_NONBLOCK);
	else
		fl = -1;
	ret = o->connect(r, r->kfd, msg->msg_name, msg->msg_namelen);
	if (fl >= 0)
		o->fcntl(r, r->kfd, F_SETFL, fl);
	return ret;
}

/*
 * What MSG_FASTOPEN does, without it: connect, then send. A non-blocking
 * socket gets EINPROGRESS and nothing is sent, as the kernel answers
 * MSG_FASTOPEN without a cookie (tcp(7)); a blocking one sends the data
 * once connected. A success leaves errno as the program had it.
 */
static ssize_t fastopen_by_hand(const struct ns_ops *o, struct ns_call_rec *r,
				int fd, const struct msghdr *msg, int flags)
{
	struct msghdr plain = *msg;
	ssize_t ret;

	ret = connect_for_send(o, r, msg, flags);
	if (ret < 0 && ret != -EISCONN)
		return ret;
	o->set_state(r, fd, NS_FD_CONNECTED);
	plain.msg_name = NULL;
	plain.msg_namelen = 0;
	ret = o->sendmsg(r, r->kfd, &plain, flags & ~MSG_FASTOPEN);
	r->rescued = ret >= 0;
	return ret;
}

ssize_t ns_do_send(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   const struct msghdr *msg, int flags)
{
	struct ns_tfo_plan tfo;
	const char *why;
	ssize_t ret;
	int err;

	if (unlikely(err = ns_plan_destination(r->cfg, msg->msg_name,
					       msg->msg_namelen, &why))) {
		ns_rec_deny(r, err, why);
		return -1;
	}
	ns_plan_tfo_send(r->cfg, flags, &tfo);
	if (tfo.drop && tfo_candidate(o, r, fd)) {
		ns_rec_note(r, "tfo=drop: connect, then send without "
			       "MSG_FASTOPEN", 0, NULL);
		ret = fastopen_by_hand(o, r, fd, msg, flags);
	} else {
		ret = real_send(o, r, fd, msg, flags);
		if (ret < 0 && tfo.retry && ns_tfo_refused((int)-ret) &&
		    tfo_candidate(o, r, fd)) {
			ns_rec_note(r, "tfo=retry: kernel refused MSG_FASTOPEN",
				    (int)-ret, ", connect, then send");
			ret = fastopen_by_hand(o, r, fd, msg, flags);
		}
	}
	ns_rec_after(r, ret, ret < 0 ? (int)-ret : 0);
	if ((flags & MSG_FASTOPEN) && (ret >= 0 || ret == -EINPROGRESS))
		o->set_state(r, fd, NS_FD_CONNECTED);
	return ret < 0 ? -1 : ret;
}

size_t ns_iov_bytes(const struct msghdr *msg)
{
	size_t total = 0;

	if (!msg->msg_iov || msg->msg_iovlen > IOV_MAX)
		return 0;
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return total;
}
