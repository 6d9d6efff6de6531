// SPDX-License-Identifier: LGPL-2.1-or-later
/* One event to one line: strace-like text or a JSON object. Both come from
 * the same field walk, so the two formats cannot drift apart. */
#include "fields.h"
#include "compiler.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
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
			ns_f_int(o, K(fd), ev->ret);
		else
			ns_f_null(o, K(fd));
		return;
	}
	if (ev->ret != 0)
		return;
	saved = ns_f_open(o, K(fds), '[');
	ns_f_int(o, K(), ev->u.sock.sv[0]);
	ns_f_int(o, K(), ev->u.sock.sv[1]);
	ns_f_close(o, saved, ']');
}

static void args_lookup(struct ns_out *o, const struct ns_event *ev)
{
	const char *name;
	int code;

	switch (ev->call) {
	case NS_CALL_getaddrinfo:
		ns_f_str(o, K(node), ev->u.gai.node);
		ns_f_str(o, K(service), ev->u.gai.service);
		ns_f_hints(o, ev->u.gai.hints);
		if (ev->ret == 0)
			ns_f_results(o, ev->u.gai.res);
		break;
	case NS_CALL_gethostbyname2:
	case NS_CALL_gethostbyname:
		ns_f_str(o, K(node), ev->u.ghbn.name);
		if (ev->call == NS_CALL_gethostbyname2)
			ns_f_sym(o, K(family),
				 ns_sym_name(&ns_families, ev->u.ghbn.family),
				 ev->u.ghbn.family);
		ns_f_hostent(o, ev->u.ghbn.he);
		break;
	case NS_CALL_getnameinfo:
		ns_f_sockaddr_arg(o, ev, ev->u.gni.sa, ev->u.gni.salen);
		ns_f_flags(o, K(flags), &ns_ni_flags, (unsigned)ev->u.gni.flags);
		if (ev->ret == 0) {
			ns_f_str(o, K(host), ev->u.gni.host);
			ns_f_str(o, K(serv), ev->u.gni.serv);
		}
		break;
	default: /* freeaddrinfo: nothing to show */
		return;
	}
	if (!o->json)
		return;		/* text says it after the result */
	if (!lookup_failed(ev, &code, &name))
		ns_f_null(o, K(error));
	else
		ns_f_sym(o, K(error), name, code);
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
		ns_f_int(o, K(first), ev->u.fds.a);
		ns_f_int(o, K(last), ev->u.fds.b);
		ns_f_flags(o, K(flags), &ns_close_range_flags,
			   (unsigned long)ev->u.fds.c);
		return;
	case NS_CALL_closefrom:
		ns_f_int(o, K(lowfd), ev->u.fds.a);
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
			ns_f_addr(o, K(addr), ev->u.addr.sa, ev->u.addr.len,
				  true);
		else
			ns_f_null(o, K(addr));
		if (ev->call == NS_CALL_accept4)
			ns_f_flags(o, K(flags), &ns_sock_flags,
				   (unsigned)ev->u.addr.flags);
		break;
	case NS_CALL_listen:
		ns_f_int(o, K(backlog), ev->u.num.n);
		break;
	case NS_CALL_shutdown:
		ns_f_sym(o, K(how), ns_sym_name(&ns_shutdown_how, ev->u.num.n),
			 ev->u.num.n);
		break;
	case NS_CALL_setsockopt:
	case NS_CALL_getsockopt:
		ns_f_sym(o, K(level), ns_sym_name(&ns_levels, ev->u.opt.level),
			 ev->u.opt.level);
		ns_f_sym(o, K(option),
			 ns_name_sockopt(ev->u.opt.level, ev->u.opt.name),
			 ev->u.opt.name);
		ns_f_optval(o, ev);
		ns_f_int(o, K(optlen), ev->u.opt.len);
		break;
	case NS_CALL_sendto:
	case NS_CALL_sendmsg:
		ns_f_int(o, K(len), (long)ev->u.send.len);
		ns_f_flags(o, K(flags), &ns_msg_flags,
			   (unsigned)ev->u.send.flags);
		ns_f_sockaddr_arg(o, ev, ev->u.send.sa, ev->u.send.salen);
		break;
	case NS_CALL_dup2:
	case NS_CALL_dup3:
		ns_f_int(o, K(newfd), ev->u.fds.a);
		if (ev->call == NS_CALL_dup3)
			ns_f_flags(o, K(flags), &ns_dup3_flags,
				   (unsigned long)ev->u.fds.b);
		break;
	case NS_CALL_fcntl:
		ns_f_sym(o, K(cmd),
			 ns_sym_name(&ns_fcntl_cmds, (int)ev->u.fds.a),
			 ev->u.fds.a);
		ns_f_int(o, K(arg), ev->u.fds.b);
		break;
	default: /* close, dup: the fd says it all */
		break;
	}
}

/* Who made the call: ,"pid":P,"tid":T,"prog":"..." or prog[P/T]. */
static void who(struct ns_out *o, const struct ns_event *ev)
{
	if (o->json) {
		ns_f_int(o, K(pid), ev->pid);
		ns_f_int(o, K(tid), ev->tid);
		ns_f_str(o, K(prog), ev->prog);
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

/* ,"call":"NAME" for each call, padded for ns_buf_padded(); names are
 * identifiers, nothing to escape. */
static const struct {
	char s[32];
	unsigned char len;
} call_keys[NS_CALL_COUNT] = {
#define NS_X(name, ...) { ",\"call\":\"" #name "\"", sizeof(#name) + 9 },
	NS_CALL_TABLE(NS_X)
#undef NS_X
};

/* The header up to the microseconds: {"ts":"YYYY-MM-DDTHH:MM:SS or
 * HH:MM:SS. */
static void head_second(const struct ns_out *o, struct ns_buf *b,
			const struct ns_event *ev)
{
	if (o->json)
		ns_buf_mem(b, "{\"ts\":\"", 7);
	ns_fmt_second(b, ev->ts.tv_sec, o->json);
}

/* After them: ","pid":P,"tid":T,"prog":"..." or " prog[P/T] ". */
static void head_who(const struct ns_out *o, struct ns_buf *b,
		     const struct ns_event *ev)
{
	struct ns_out to = *o;

	to.b = b;
	if (o->json) {
		ns_buf_putc(b, '"');
		to.n = 1;
		who(&to, ev);
		return;
	}
	ns_buf_putc(b, ' ');
	who(&to, ev);
	ns_buf_putc(b, ' ');
}

/*
 * A thread's events share the second, the pid, the tid and the program:
 * each thread keeps the header's text on either side of the microseconds
 * (half of a JSON event's instructions went into it) and makes it again
 * when one of them changes. A signal handler arriving while the cache is
 * in use writes its own.
 */
#ifndef NS_FREESTANDING
static __thread struct {
	int64_t sec;
	int pid, tid;
	char prog[64];	/* by content: programs rewrite argv[0] in place */
	bool json, brief, busy;
	unsigned char len1;
	unsigned short len2;
	char second[32];
	char who[STR_MAX * 6 + 64];
} head __attribute__((tls_model("initial-exec")));

/* @prog is what the cache holds; a name too long to hold never matches. */
static bool same_prog(const char *held, const char *prog)
{
	/* glibc's strcmp compares a word at a time; a byte loop cost fifty
	 * instructions an event. */
	return prog && held[0] && strcmp(held, prog) == 0;
}

static void head_cached(const struct ns_out *o, const struct ns_event *ev)
{
	bool same_kind = head.json == o->json && head.brief == o->brief;
	struct ns_buf tb;

	if (head.sec != ev->ts.tv_sec || !same_kind || !head.len1) {
		ns_buf_init(&tb, head.second, sizeof(head.second));
		head_second(o, &tb, ev);
		head.len1 = (unsigned char)tb.len;
		head.sec = ev->ts.tv_sec;
	}
	if (head.pid != ev->pid || head.tid != ev->tid ||
	    !same_prog(head.prog, ev->prog) || !same_kind || !head.len2) {
		ns_buf_init(&tb, head.who, sizeof(head.who));
		head_who(o, &tb, ev);
		head.len2 = (unsigned short)tb.len;
		head.pid = ev->pid;
		head.tid = ev->tid;
		head.prog[0] = '\0';
		if (ev->prog && strlen(ev->prog) < sizeof(head.prog))
			strcpy(head.prog, ev->prog);
	}
	head.json = o->json;
	head.brief = o->brief;
	ns_buf_mem(o->b, head.second, head.len1);
	ns_fmt_frac(o->b, ev->ts.tv_nsec, o->json);
	ns_buf_mem(o->b, head.who, head.len2);
}
#endif

static void header(struct ns_out *o, const struct ns_event *ev)
{
	struct ns_buf *b = o->b;

#ifdef NS_FREESTANDING
	/* No TLS in a static program (%fs is the program's), and the
	 * threads running the blob's handler at once would share one
	 * cache: each event writes its header. */
	head_second(o, b, ev);
	ns_fmt_frac(b, ev->ts.tv_nsec, o->json);
	head_who(o, b, ev);
#else
	if (head.busy) {
		head_second(o, b, ev);
		ns_fmt_frac(b, ev->ts.tv_nsec, o->json);
		head_who(o, b, ev);
	} else {
		head.busy = true;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		head_cached(o, ev);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		head.busy = false;
	}
#endif
	if (o->json) {
		ns_buf_padded(b, call_keys[ev->call].s, call_keys[ev->call].len,
			      sizeof(call_keys[0].s));
		o->n = 5;	/* ts, pid, tid, prog, call */
		return;
	}
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
	saved = ns_f_open(o, K(bt), '[');
	for (int i = 0; i < ev->nbt; i++)
		ns_f_str(o, K(), ev->bt[i]);
	ns_f_close(o, saved, ']');
}

static void trailer(struct ns_out *o, const struct ns_event *ev)
{
	const char *name;
	int code;
	const char *err = ev->err ? ns_name_errno(ev->err) : NULL;
	struct ns_buf *b = o->b;

	if (o->json) {
		ns_f_int(o, K(ret), ev->ret);
		if (!ev->err) {
			/* Most calls succeed: two fields in one copy. */
			static const char mid[NS_KEY_ROOM] =
				",\"errno\":null,\"dur_ns\":";

			ns_buf_padded(b, mid, strlen(mid), NS_KEY_COPY);
			o->n += 2;
		} else {
			ns_f_sym(o, K(errno), err, ev->err);
			ns_f_key(o, K(dur_ns));
		}
		/* JSON readers take integers up to 2^63 - 1. */
		ns_buf_u64(b, ev->dur_ns > INT64_MAX ? INT64_MAX : ev->dur_ns);
		if (ev->policy)
			ns_f_str(o, K(policy), ev->policy);
		if (ev->injected)
			ns_f_str(o, K(injected), ev->injected);
		if (ev->raw) {
			ns_f_key(o, K(raw));
			ns_buf_str(b, "true");
		}
		backtrace(o, ev);
		if (o->brief || o->cut) {
			ns_f_key(o, K(truncated));
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
	if (ev->raw)
		ns_buf_str(b, " [raw]");
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
