// SPDX-License-Identifier: LGPL-2.1-or-later
/* setsockopt as the policies want it, for every front: NETSHIM_TFO's drop
 * and retry, NETSHIM_MPTCP=fallback's swap, and the options remembered for
 * the swap to replay. */
#include "call.h"
#include "buf.h"
#include "names.h"
#include "policy.h"
#include "swap.h"

#include <errno.h>

size_t ns_opt_copy(unsigned char *dst, int level, int name, const void *val,
		   size_t n)
{
	const unsigned char *v = val;
	size_t i;

	if (!val || n > NS_OPTVAL_MAX)
		return 0;
	if (!ns_sockopt_is_string(level, name)) {
		__builtin_memcpy(dst, v, n);
		return n;
	}
	for (i = 0; i < n && v[i]; i++)
		dst[i] = v[i];
	return i;
}

/* Options are remembered so that fallback can replay them on a TCP
 * socket; one that cannot be copied whole is counted as lost. */
static void remember_opt(const struct ns_ops *o, struct ns_call_rec *r,
			 int fd, int level, int name, const void *val,
			 socklen_t len)
{
	unsigned char copy[NS_OPTVAL_MAX];
	size_t n = ns_sockopt_read_len(level, name, len);

	n = ns_sockopt_replayable(level, name)
		    ? ns_opt_copy(copy, level, name, val, n)
		    : 0;
	if (ns_sockopt_is_string(level, name) && n)
		o->add_opt(r, fd, level, name, copy, (unsigned)n);
	else if (n && n == len)
		o->add_opt(r, fd, level, name, copy, (unsigned)n);
	else
		o->add_opt(r, fd, level, name, NULL, NS_FD_OPTVAL + 1);
}

/* Notes "PREFIX OPTION SUFFIX" ("TCP_FASTOPEN", else "the option") then
 * the kernel's errno and @tail. */
static void note_option(struct ns_call_rec *r, const char *prefix, int level,
			int name, const char *suffix, int err,
			const char *tail)
{
	const char *s = ns_name_sockopt(level, name);
	char what[96];
	struct ns_buf b;

	if (!r->trace)
		return;
	ns_buf_init(&b, what, sizeof(what) - 1);
	ns_buf_str(&b, prefix);
	ns_buf_str(&b, s ? s : "the option");
	ns_buf_str(&b, suffix);
	what[b.len] = '\0';
	ns_rec_note(r, what, err, tail);
}

static bool is_tcp(const struct ns_ops *o, struct ns_call_rec *r, int fd)
{
	struct ns_fdinfo info;

	return o->lookup(r, fd, &info) && ns_info_is_tcp(&info);
}

/*
 * The kernel refused an option with @err. NETSHIM_TFO=retry reports
 * success for TCP Fast Open on a TCP socket and goes on without it;
 * NETSHIM_MPTCP=fallback puts a TCP socket that takes the option in the
 * MPTCP socket's place. Returns 0 when the program gets success.
 */
static int refused(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   const struct ns_tfo_plan *tfo, int err, int level, int name,
		   const void *val, socklen_t len)
{
	struct ns_fdinfo info;

	if (tfo->retry && ns_tfo_refused(err) && is_tcp(o, r, fd)) {
		note_option(r, "tfo=retry: kernel refused ", level, name, "",
			    err, ", went on without it");
		return 0;
	}
	if (!ns_mptcp_option_refused(err) || !o->lookup(r, fd, &info))
		return -err;
	switch (ns_plan_replace(r->cfg, &info)) {
	case NS_REPLACE_NO:
		return -err;
	case NS_REPLACE_SERVED:
		/* Its connections are MPTCP ones; a new listener would not
		 * be the socket they came from. */
		note_option(r, "mptcp=fallback: kernel refused ", level, name,
			    " on MPTCP", err,
			    "; a listener that accepted connections is "
			    "kept: use mptcp=strip or tfo=retry");
		return -err;
	case NS_REPLACE_SOCKET:
	case NS_REPLACE_LISTENER:
		break;
	}
	note_option(r, "mptcp=fallback: kernel refused ", level, name,
		    " on MPTCP", err, NULL);
	if (ns_swap_to_tcp(o, r, fd, &info, level, name, val, len) < 0)
		return -err;	/* the kernel's first answer stands */
	remember_opt(o, r, fd, level, name, val, len);
	return 0;
}

int ns_do_setsockopt(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		     int level, int name, const void *val, socklen_t len)
{
	struct ns_tfo_plan tfo;
	int ret, err = 0;

	ns_plan_tfo_sockopt(r->cfg, level, name, len, &tfo);
	if (tfo.drop && is_tcp(o, r, fd)) {
		/* Never reaches the kernel; the program goes on without. */
		ns_rec_after(r, 0, 0);
		r->rescued = true;
		ns_rec_note(r, "tfo=drop: not passed to the kernel", 0, NULL);
		return 0;
	}
	/* An injected refusal goes where the kernel's would: to tfo=retry
	 * and mptcp=fallback. */
	if (ns_fault_wants(&r->cfg->fault, NS_CALL_setsockopt))
		err = ns_rules_fd(o, r, fd, NULL, 0, level, name);
	ret = err ? -err : o->setsockopt(r, r->kfd, level, name, val, len);
	ns_rec_after(r, ret, ret < 0 ? -ret : 0);
	if (ret < 0) {
		ret = refused(o, r, fd, &tfo, -ret, level, name, val, len);
		if (ret == 0) {
			ns_rec_after(r, 0, 0);	/* the duration covers the
						 * swap */
			r->rescued = true;
		}
	} else if (ns_policy_records_options(r->cfg)) {
		remember_opt(o, r, fd, level, name, val, len);
	}
	return ret < 0 ? -1 : ret;
}
