// SPDX-License-Identifier: LGPL-2.1-or-later
/* One event to one line: strace-like text or a JSON object. Both come from
 * the same field walk, so the two formats cannot drift apart. */
#include "fields.h"
#include "compiler.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

/* Whether a lookup failed, with its EAI_* code or h_errno in @code and
 * that code's name, NULL when it has none. */
static bool lookup_failed(const struct ns_event *ev, int *code,
			  const char **name)
{
	if (!ev->ret)
		return false;
	switch (ev->call) {
	case NS_CALL_getaddrinfo:
	case NS_CALL_getnameinfo:
		*code = (int)ev->ret;
		*name = ns_sym_name(&ns_eai_codes, *code);
		return true;
	case NS_CALL_gethostbyname:
	case NS_CALL_gethostbyname2:
		*code = ev->u.ghbn.herr;
		*name = ns_sym_name(&ns_herrno_codes, *code);
		return true;
	default:
		return false;
	}
}

static void args_socket(struct ns_out *o, const struct ns_event *ev)
{
	int saved;

	ns_f_triple(o, ev->u.sock.family, ev->u.sock.type, ev->u.sock.protocol);
	if (ev->call == NS_CALL_socket) {
		if (!o->json)
			return; /* text shows the fd as the result */
		if (ev->ret >= 0)
			ns_f_int(o, "fd", ev->ret);
		else
			ns_f_null(o, "fd");
		return;
	}
	if (ev->ret != 0)
		return;
	saved = ns_f_open(o, "fds", '[');
	ns_f_int(o, NULL, ev->u.sock.sv[0]);
	ns_f_int(o, NULL, ev->u.sock.sv[1]);
	ns_f_close(o, saved, ']');
}

static void args_lookup(struct ns_out *o, const struct ns_event *ev)
{
	const char *name;
	int code;

	switch (ev->call) {
	case NS_CALL_getaddrinfo:
		ns_f_str(o, "node", ev->u.gai.node);
		ns_f_str(o, "service", ev->u.gai.service);
		ns_f_hints(o, ev->u.gai.hints);
		if (ev->ret == 0)
			ns_f_results(o, ev->u.gai.res);
		break;
	case NS_CALL_gethostbyname2:
	case NS_CALL_gethostbyname:
		ns_f_str(o, "node", ev->u.ghbn.name);
		if (ev->call == NS_CALL_gethostbyname2)
			ns_f_sym(o, "family",
				 ns_sym_name(&ns_families, ev->u.ghbn.family),
				 ev->u.ghbn.family);
		ns_f_hostent(o, ev->u.ghbn.he);
		break;
	case NS_CALL_getnameinfo:
		ns_f_sockaddr_arg(o, ev, ev->u.gni.sa, ev->u.gni.salen);
		ns_f_flags(o, "flags", &ns_ni_flags, (unsigned)ev->u.gni.flags);
		if (ev->ret == 0) {
			ns_f_str(o, "host", ev->u.gni.host);
			ns_f_str(o, "serv", ev->u.gni.serv);
		}
		break;
	default: /* freeaddrinfo: nothing to show */
		return;
	}
	if (!o->json)
		return;		/* text says it after the result */
	if (!lookup_failed(ev, &code, &name))
		ns_f_null(o, "error");
	else
		ns_f_sym(o, "error", name, code);
}

static void args(struct ns_out *o, const struct ns_event *ev)
{
	switch (ev->call) {
	case NS_CALL_socket:
	case NS_CALL_socketpair:
		args_socket(o, ev);
		return;
	case NS_CALL_getaddrinfo:
	case NS_CALL_freeaddrinfo:
	case NS_CALL_gethostbyname:
	case NS_CALL_gethostbyname2:
	case NS_CALL_getnameinfo:
		args_lookup(o, ev);
		return;
	case NS_CALL_close_range:
		ns_f_int(o, "first", ev->u.fds.a);
		ns_f_int(o, "last", ev->u.fds.b);
		ns_f_flags(o, "flags", &ns_close_range_flags,
			   (unsigned long)ev->u.fds.c);
		return;
	case NS_CALL_closefrom:
		ns_f_int(o, "lowfd", ev->u.fds.a);
		return;
	default:
		break;
	}
	ns_f_fd(o, ev);
	switch (ev->call) {
	case NS_CALL_connect:
	case NS_CALL_bind:
		ns_f_sockaddr_arg(o, ev, ev->u.addr.sa, ev->u.addr.len);
		break;
	case NS_CALL_accept:
	case NS_CALL_accept4:
		/* The peer's address is an output, there on success. */
		if (ev->ret >= 0 && ev->u.addr.sa)
			ns_f_addr(o, "addr", ev->u.addr.sa, ev->u.addr.len,
				  true);
		else
			ns_f_null(o, "addr");
		if (ev->call == NS_CALL_accept4)
			ns_f_flags(o, "flags", &ns_sock_flags,
				   (unsigned)ev->u.addr.flags);
		break;
	case NS_CALL_listen:
		ns_f_int(o, "backlog", ev->u.num.n);
		break;
	case NS_CALL_shutdown:
		ns_f_sym(o, "how", ns_sym_name(&ns_shutdown_how, ev->u.num.n),
			 ev->u.num.n);
		break;
	case NS_CALL_setsockopt:
	case NS_CALL_getsockopt:
		ns_f_sym(o, "level", ns_sym_name(&ns_levels, ev->u.opt.level),
			 ev->u.opt.level);
		ns_f_sym(o, "option",
			 ns_name_sockopt(ev->u.opt.level, ev->u.opt.name),
			 ev->u.opt.name);
		ns_f_optval(o, ev);
		ns_f_int(o, "optlen", ev->u.opt.len);
		break;
	case NS_CALL_sendto:
	case NS_CALL_sendmsg:
		ns_f_int(o, "len", (long)ev->u.send.len);
		ns_f_flags(o, "flags", &ns_msg_flags,
			   (unsigned)ev->u.send.flags);
		ns_f_sockaddr_arg(o, ev, ev->u.send.sa, ev->u.send.salen);
		break;
	case NS_CALL_dup2:
	case NS_CALL_dup3:
		ns_f_int(o, "newfd", ev->u.fds.a);
		if (ev->call == NS_CALL_dup3)
			ns_f_flags(o, "flags", &ns_dup3_flags,
				   (unsigned long)ev->u.fds.b);
		break;
	case NS_CALL_fcntl:
		ns_f_sym(o, "cmd",
			 ns_sym_name(&ns_fcntl_cmds, (int)ev->u.fds.a),
			 ev->u.fds.a);
		ns_f_int(o, "arg", ev->u.fds.b);
		break;
	default: /* close, dup: the fd says it all */
		break;
	}
}

/* Who made the call: ,"pid":P,"tid":T,"prog":"..." or prog[P/T]. */
static void who(struct ns_out *o, const struct ns_event *ev)
{
	if (o->json) {
		ns_f_int(o, "pid", ev->pid);
		ns_f_int(o, "tid", ev->tid);
		ns_f_str(o, "prog", ev->prog);
		return;
	}
	/* argv[0] is the program's to choose: escaped like any string, so a
	 * newline in it cannot forge an event line. */
	ns_buf_esc(o->b, ev->prog ? ev->prog : "?", STR_MAX);
	ns_buf_putc(o->b, '[');
	ns_buf_i64(o->b, ev->pid);
	ns_buf_putc(o->b, '/');
	ns_buf_i64(o->b, ev->tid);
	ns_buf_putc(o->b, ']');
}

/*
 * A thread's events all say the same pid, tid and program: each thread
 * keeps that part as text (a third of a JSON event's instructions went
 * into it). A signal handler arriving while it is in use writes its own.
 */
static __thread struct {
	int pid, tid;
	char prog[64];	/* by content: programs rewrite argv[0] in place */
	bool json, brief, busy;
	unsigned short len;
	char text[STR_MAX * 6 + 64];
} whom __attribute__((tls_model("initial-exec")));

/* @prog is what the cache holds; a name too long to hold never matches. */
static bool same_prog(const char *held, const char *prog)
{
	size_t i;

	if (!prog || !held[0])
		return false;
	for (i = 0; held[i] && held[i] == prog[i]; i++)
		;
	return !held[i] && !prog[i];
}

static void who_cached(struct ns_out *o, const struct ns_event *ev)
{
	if (whom.busy) {
		who(o, ev);
		return;
	}
	whom.busy = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (whom.pid != ev->pid || whom.tid != ev->tid ||
	    !same_prog(whom.prog, ev->prog) || whom.json != o->json ||
	    whom.brief != o->brief || !whom.len) {
		struct ns_buf tb;
		struct ns_out to = *o;

		ns_buf_init(&tb, whom.text, sizeof(whom.text));
		to.b = &tb;
		who(&to, ev);
		whom.len = (unsigned short)tb.len;
		whom.pid = ev->pid;
		whom.tid = ev->tid;
		whom.prog[0] = '\0';
		if (ev->prog && strlen(ev->prog) < sizeof(whom.prog))
			strcpy(whom.prog, ev->prog);
		whom.json = o->json;
		whom.brief = o->brief;
	}
	ns_buf_mem(o->b, whom.text, whom.len);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	whom.busy = false;
}

static void header(struct ns_out *o, const struct ns_event *ev)
{
	struct ns_buf *b = o->b;

	if (o->json) {
		ns_buf_str(b, "{\"ts\":\"");
		ns_fmt_time(b, &ev->ts, true);
		ns_buf_putc(b, '"');
		o->n = 1;
		who_cached(o, ev);
		o->n = 4;	/* ts, pid, tid, prog */
		ns_f_str(o, "call", ns_call_name(ev->call));
		return;
	}
	ns_fmt_time(b, &ev->ts, false);
	ns_buf_putc(b, ' ');
	who_cached(o, ev);
	ns_buf_putc(b, ' ');
	ns_buf_str(b, ns_call_name(ev->call));
	ns_buf_putc(b, '(');
	o->n = 0;
}

static void backtrace(struct ns_out *o, const struct ns_event *ev)
{
	int saved;

	if (o->brief || !ev->nbt)
		return;
	if (!o->json) {
		ns_buf_str(o->b, " bt:");
		for (int i = 0; i < ev->nbt; i++) {
			ns_buf_str(o->b, i ? " < " : " ");
			ns_buf_esc(o->b, ev->bt[i], STR_MAX);
		}
		return;
	}
	saved = ns_f_open(o, "bt", '[');
	for (int i = 0; i < ev->nbt; i++)
		ns_f_str(o, NULL, ev->bt[i]);
	ns_f_close(o, saved, ']');
}

static void trailer(struct ns_out *o, const struct ns_event *ev)
{
	const char *name;
	int code;
	const char *err = ev->err ? ns_name_errno(ev->err) : NULL;
	struct ns_buf *b = o->b;

	if (o->json) {
		ns_f_int(o, "ret", ev->ret);
		if (!ev->err)
			ns_f_null(o, "errno");
		else
			ns_f_sym(o, "errno", err, ev->err);
		ns_f_int(o, "dur_ns", (long)ev->dur_ns);
		if (ev->policy)
			ns_f_str(o, "policy", ev->policy);
		if (ev->injected)
			ns_f_str(o, "injected", ev->injected);
		backtrace(o, ev);
		if (o->brief || o->cut) {
			ns_f_key(o, "truncated");
			ns_buf_str(b, "true");
		}
		ns_buf_mem(b, "}\n", 2);
		return;
	}
	ns_buf_mem(b, ") = ", 4);
	ns_buf_i64(b, ev->ret);
	if (ev->err) {
		ns_buf_putc(b, ' ');
		if (err)
			ns_buf_str(b, err);
		else
			ns_buf_i64(b, ev->err);
	}
	if (lookup_failed(ev, &code, &name)) {
		ns_buf_putc(b, ' ');
		if (name)
			ns_buf_str(b, name);
		else
			ns_buf_i64(b, code);
	}
	ns_buf_mem(b, " <", 2);
	ns_buf_u64(b, ev->dur_ns / 1000);
	ns_buf_mem(b, "us>", 3);
	if (ev->policy) {
		ns_buf_str(b, " policy: ");
		ns_buf_esc(b, ev->policy, STR_MAX);
	}
	if (ev->injected) {
		ns_buf_str(b, " injected: ");
		ns_buf_esc(b, ev->injected, STR_MAX);
	}
	backtrace(o, ev);
	if (o->brief || o->cut)
		ns_buf_str(b, " (truncated)");
	ns_buf_putc(b, '\n');
}

static size_t render(const struct ns_event *ev, bool json, bool brief,
		     char *mem, size_t cap, bool *overflow)
{
	struct ns_buf b;
	struct ns_out o = { &b, json, brief, false, 0, ", " };

	ns_buf_init(&b, mem, cap);
	header(&o, ev);
	args(&o, ev);
	trailer(&o, ev);
	*overflow = b.overflow;
	return b.len;
}

size_t ns_format_event(const struct ns_event *ev, enum ns_format fmt, char *mem,
		       size_t cap)
{
	bool json = fmt == NS_FORMAT_JSON, overflow;
	size_t n = render(ev, json, false, mem, cap, &overflow);

	if (likely(!overflow))
		return n;
	/* Without lists every field is bounded, so this fits. */
	n = render(ev, json, true, mem, cap, &overflow);
	if (overflow)
		mem[n - 1] = '\n';
	return n;
}
