// SPDX-License-Identifier: LGPL-2.1-or-later
/* One event to one line: strace-like text or a JSON object. Both come from
 * the same field walk, so the two formats cannot drift apart. */
#include "format.h"
#include "compiler.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

#define STR_MAX 255	/* longest program string shown (host names, ...) */
#define LIST_MAX 64	/* most results listed */

struct out {
	struct ns_buf *b;
	bool json;
	bool brief;	/* drop lists: the full line did not fit */
	bool cut;	/* a list was longer than LIST_MAX */
	int n;		/* fields written at this level */
	const char *sep;	/* text: between fields */
};

/* Starts a field: the separator, then in JSON the key (none for list
 * elements, @k NULL). Text is positional and shows no keys. */
static void key(struct out *o, const char *k)
{
	if (o->n++)
		ns_buf_str(o->b, o->json ? "," : o->sep);
	if (o->json && k) {
		ns_buf_putc(o->b, '"');
		ns_buf_str(o->b, k);
		ns_buf_mem(o->b, "\":", 2);
	}
}

/* Opens a JSON object or list (text: '{' or '['), returning the caller's
 * field count to hand back to close(). */
static int open_(struct out *o, const char *k, char c)
{
	int saved;

	key(o, k);
	saved = o->n;
	ns_buf_putc(o->b, c);
	o->n = 0;
	return saved;
}

static void close_(struct out *o, int saved, char c)
{
	ns_buf_putc(o->b, c);
	o->n = saved;
}

static void f_int(struct out *o, const char *k, long v)
{
	key(o, k);
	ns_buf_i64(o->b, v);
}

static void f_null(struct out *o, const char *k)
{
	key(o, k);
	ns_buf_str(o->b, o->json ? "null" : "NULL");
}

static void f_str(struct out *o, const char *k, const char *s)
{
	if (!s) {
		f_null(o, k);
		return;
	}
	key(o, k);
	if (o->json)
		ns_buf_jstr(o->b, s, STR_MAX);
	else
		ns_buf_cstr(o->b, s, STR_MAX);
}

/* A symbolic name where one is known, else the number. */
static void f_sym(struct out *o, const char *k, const char *name, long v)
{
	key(o, k);
	if (!name) {
		ns_buf_i64(o->b, v);
		return;
	}
	if (o->json)
		ns_buf_putc(o->b, '"');
	ns_buf_str(o->b, name);
	if (o->json)
		ns_buf_putc(o->b, '"');
}

static void f_flags(struct out *o, const char *k,
		    const struct ns_flagtab *tab, unsigned long v)
{
	key(o, k);
	if (o->json)
		ns_buf_putc(o->b, '"');
	ns_fmt_flags(o->b, tab, v);
	if (o->json)
		ns_buf_putc(o->b, '"');
}

/* "SOCK_STREAM|SOCK_CLOEXEC": the base type by name, then its flags. */
static void f_socktype(struct out *o, const char *k, int type)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	const char *name = ns_sym_name(&ns_socktypes, type & ~flags);

	key(o, k);
	if (o->json)
		ns_buf_putc(o->b, '"');
	if (name)
		ns_buf_str(o->b, name);
	else
		ns_buf_i64(o->b, type & ~flags);
	if (flags) {
		ns_buf_putc(o->b, '|');
		ns_fmt_flags(o->b, &ns_sock_flags, (unsigned long)flags);
	}
	if (o->json)
		ns_buf_putc(o->b, '"');
}

/* Addresses: a JSON string; in text bare (127.0.0.1:80, [::1]:80) except
 * AF_UNIX paths, which are quoted and escaped like every program string. */
static void f_addr(struct out *o, const char *k, const struct sockaddr *sa,
		   socklen_t len, bool port)
{
	char mem[256];
	struct ns_buf tmp;

	if (!sa) {
		f_null(o, k);
		return;
	}
	ns_buf_init(&tmp, mem, sizeof(mem) - 1);
	ns_fmt_sockaddr(&tmp, sa, len, port);
	mem[tmp.len] = '\0';
	key(o, k);
	if (o->json)
		ns_buf_jstr(o->b, mem, sizeof(mem));
	else if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNIX)
		ns_buf_cstr(o->b, mem, sizeof(mem));
	else
		ns_buf_str(o->b, mem);
}

/* An argument the kernel refused to read (EFAULT): its value only. */
static void f_ptr(struct out *o, const char *k, const void *p)
{
	key(o, k);
	if (o->json)
		ns_buf_putc(o->b, '"');
	ns_buf_hex(o->b, (uintptr_t)p);
	if (o->json)
		ns_buf_putc(o->b, '"');
}

static void f_triple(struct out *o, int family, int type, int protocol)
{
	f_sym(o, "family", ns_sym_name(&ns_families, family), family);
	f_socktype(o, "type", type);
	f_sym(o, "protocol", ns_name_protocol(family, protocol), protocol);
}

/* The socket the call acts on: text 5<AF_INET SOCK_STREAM IPPROTO_TCP>,
 * JSON "fd":5,"sock":{...} or "sock":null. */
static void f_fd(struct out *o, const struct ns_event *ev)
{
	const struct ns_sock *s = ev->sock;
	int saved;

	if (o->json) {
		f_int(o, "fd", ev->fd);
		if (!s) {
			f_null(o, "sock");
			return;
		}
		saved = open_(o, "sock", '{');
		f_triple(o, s->family, s->type, s->protocol);
		close_(o, saved, '}');
		return;
	}
	f_int(o, "fd", ev->fd);
	if (!s)
		return;
	saved = o->n;
	ns_buf_putc(o->b, '<');
	o->n = 0;
	/* Space separated inside the angle brackets, as strace -yy does. */
	o->sep = " ";
	f_triple(o, s->family, s->type, s->protocol);
	o->sep = ", ";
	ns_buf_putc(o->b, '>');
	o->n = saved;
}

static bool readable(const struct ns_event *ev)
{
	return ev->err != EFAULT;
}

static void f_sockaddr_arg(struct out *o, const struct ns_event *ev,
			   const struct sockaddr *sa, socklen_t len)
{
	if (sa && !readable(ev))
		f_ptr(o, "addr", sa);
	else
		f_addr(o, "addr", sa, len, true);
}

static void f_optval(struct out *o, const struct ns_event *ev, bool after)
{
	const void *val = ev->u.opt.val;
	socklen_t len = ev->u.opt.len;
	int v;

	/* getsockopt's value exists only once the call succeeded. */
	if (!val || (after && ev->ret != 0))
		return;
	if (!readable(ev)) {
		f_ptr(o, "value", val);
	} else if (ns_sockopt_is_string(ev->u.opt.level, ev->u.opt.name)) {
		char s[64];
		size_t n = len < sizeof(s) - 1 ? len : sizeof(s) - 1;

		memcpy(s, val, n);
		s[n] = '\0';
		f_str(o, "value", s);
	} else if (len == sizeof(int)) {
		memcpy(&v, val, sizeof(v));
		f_int(o, "value", v);
	}
}

static void f_results(struct out *o, const struct addrinfo *res)
{
	int saved, i = 0, inner;

	if (o->brief)
		return;
	saved = open_(o, "results", '[');
	for (; res; res = res->ai_next, i++) {
		if (i == LIST_MAX) {
			o->cut = true;
			break;
		}
		inner = open_(o, NULL, '{');
		f_sym(o, "family", ns_sym_name(&ns_families, res->ai_family),
		      res->ai_family);
		f_addr(o, "addr", res->ai_addr, res->ai_addrlen, true);
		close_(o, inner, '}');
	}
	close_(o, saved, ']');
}

static void f_hostent(struct out *o, const struct hostent *he)
{
	int saved, inner;

	if (o->brief || !he)
		return;
	saved = open_(o, "results", '[');
	for (int i = 0; he->h_addr_list[i]; i++) {
		if (i == LIST_MAX) {
			o->cut = true;
			break;
		}
		struct sockaddr_storage ss = { .ss_family = he->h_addrtype };
		struct sockaddr_in *sin = (void *)&ss;
		struct sockaddr_in6 *sin6 = (void *)&ss;
		socklen_t len = he->h_addrtype == AF_INET6 ? sizeof(*sin6)
							   : sizeof(*sin);

		if (he->h_addrtype == AF_INET6 &&
		    he->h_length == sizeof(sin6->sin6_addr))
			memcpy(&sin6->sin6_addr, he->h_addr_list[i], 16);
		else if (he->h_addrtype == AF_INET &&
			 he->h_length == sizeof(sin->sin_addr))
			memcpy(&sin->sin_addr, he->h_addr_list[i], 4);
		else
			len = sizeof(sa_family_t);
		inner = open_(o, NULL, '{');
		f_sym(o, "family", ns_sym_name(&ns_families, he->h_addrtype),
		      he->h_addrtype);
		f_addr(o, "addr", (struct sockaddr *)&ss, len, false);
		close_(o, inner, '}');
	}
	close_(o, saved, ']');
}

static void f_hints(struct out *o, const struct addrinfo *h)
{
	int saved;

	if (!h) {
		f_null(o, "hints");
		return;
	}
	saved = open_(o, "hints", '{');
	f_sym(o, "family", ns_sym_name(&ns_families, h->ai_family),
	      h->ai_family);
	if (h->ai_socktype)
		f_socktype(o, "socktype", h->ai_socktype);
	else
		f_int(o, "socktype", 0);
	f_sym(o, "protocol", ns_name_protocol(AF_INET, h->ai_protocol),
	      h->ai_protocol);
	f_flags(o, "flags", &ns_ai_flags, (unsigned)h->ai_flags);
	close_(o, saved, '}');
}

/* The EAI_* or h_errno name of a lookup's failure, or NULL. */
static const char *lookup_error(const struct ns_event *ev)
{
	switch (ev->call) {
	case NS_CALL_getaddrinfo:
	case NS_CALL_getnameinfo:
		return ev->ret ? ns_sym_name(&ns_eai_codes, (int)ev->ret)
			       : NULL;
	case NS_CALL_gethostbyname:
	case NS_CALL_gethostbyname2:
		return ev->ret ? ns_sym_name(&ns_herrno_codes, ev->u.ghbn.herr)
			       : NULL;
	default:
		return NULL;
	}
}

static void args_socket(struct out *o, const struct ns_event *ev)
{
	int saved;

	f_triple(o, ev->u.sock.family, ev->u.sock.type, ev->u.sock.protocol);
	if (ev->call == NS_CALL_socket) {
		if (!o->json)
			return;		/* text shows the fd as the result */
		if (ev->ret >= 0)
			f_int(o, "fd", ev->ret);
		else
			f_null(o, "fd");
		return;
	}
	if (ev->ret != 0)
		return;
	saved = open_(o, "fds", '[');
	f_int(o, NULL, ev->u.sock.sv[0]);
	f_int(o, NULL, ev->u.sock.sv[1]);
	close_(o, saved, ']');
}

static void args_lookup(struct out *o, const struct ns_event *ev)
{
	const char *err = lookup_error(ev);

	switch (ev->call) {
	case NS_CALL_getaddrinfo:
		f_str(o, "node", ev->u.gai.node);
		f_str(o, "service", ev->u.gai.service);
		f_hints(o, ev->u.gai.hints);
		if (ev->ret == 0)
			f_results(o, ev->u.gai.res);
		break;
	case NS_CALL_gethostbyname2:
	case NS_CALL_gethostbyname:
		f_str(o, "node", ev->u.ghbn.name);
		if (ev->call == NS_CALL_gethostbyname2)
			f_sym(o, "family",
			      ns_sym_name(&ns_families, ev->u.ghbn.family),
			      ev->u.ghbn.family);
		f_hostent(o, ev->u.ghbn.he);
		break;
	case NS_CALL_getnameinfo:
		f_sockaddr_arg(o, ev, ev->u.gni.sa, ev->u.gni.salen);
		f_flags(o, "flags", &ns_ni_flags, (unsigned)ev->u.gni.flags);
		if (ev->ret == 0) {
			f_str(o, "host", ev->u.gni.host);
			f_str(o, "serv", ev->u.gni.serv);
		}
		break;
	default:	/* freeaddrinfo: nothing to show */
		return;
	}
	if (o->json) {
		if (err)
			f_str(o, "error", err);
		else if (ev->ret)	/* a code without a name: its number */
			f_int(o, "error", ev->call == NS_CALL_gethostbyname ||
						  ev->call == NS_CALL_gethostbyname2
					  ? ev->u.ghbn.herr
					  : ev->ret);
		else
			f_null(o, "error");
	}
}

static void args(struct out *o, const struct ns_event *ev)
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
		f_int(o, "first", ev->u.fds.a);
		f_int(o, "last", ev->u.fds.b);
		f_flags(o, "flags", &ns_close_range_flags,
			(unsigned long)ev->u.fds.c);
		return;
	case NS_CALL_closefrom:
		f_int(o, "lowfd", ev->u.fds.a);
		return;
	default:
		break;
	}
	f_fd(o, ev);
	switch (ev->call) {
	case NS_CALL_connect:
	case NS_CALL_bind:
		f_sockaddr_arg(o, ev, ev->u.addr.sa, ev->u.addr.len);
		break;
	case NS_CALL_accept:
	case NS_CALL_accept4:
		/* The peer's address is an output, there on success. */
		if (ev->ret >= 0 && ev->u.addr.sa)
			f_addr(o, "addr", ev->u.addr.sa, ev->u.addr.len, true);
		else
			f_null(o, "addr");
		if (ev->call == NS_CALL_accept4)
			f_flags(o, "flags", &ns_sock_flags,
				(unsigned)ev->u.addr.flags);
		break;
	case NS_CALL_listen:
		f_int(o, "backlog", ev->u.num.n);
		break;
	case NS_CALL_shutdown:
		f_sym(o, "how", ns_sym_name(&ns_shutdown_how, ev->u.num.n),
		      ev->u.num.n);
		break;
	case NS_CALL_setsockopt:
	case NS_CALL_getsockopt:
		f_sym(o, "level", ns_sym_name(&ns_levels, ev->u.opt.level),
		      ev->u.opt.level);
		f_sym(o, "option",
		      ns_name_sockopt(ev->u.opt.level, ev->u.opt.name),
		      ev->u.opt.name);
		f_optval(o, ev, ev->call == NS_CALL_getsockopt);
		f_int(o, "optlen", ev->u.opt.len);
		break;
	case NS_CALL_sendto:
	case NS_CALL_sendmsg:
		f_int(o, "len", (long)ev->u.send.len);
		f_flags(o, "flags", &ns_msg_flags, (unsigned)ev->u.send.flags);
		f_sockaddr_arg(o, ev, ev->u.send.sa, ev->u.send.salen);
		break;
	case NS_CALL_dup2:
	case NS_CALL_dup3:
		f_int(o, "newfd", ev->u.fds.a);
		if (ev->call == NS_CALL_dup3)
			f_flags(o, "flags", &ns_dup3_flags,
				(unsigned long)ev->u.fds.b);
		break;
	case NS_CALL_fcntl:
		f_sym(o, "cmd", ns_sym_name(&ns_fcntl_cmds, (int)ev->u.fds.a),
		      ev->u.fds.a);
		f_int(o, "arg", ev->u.fds.b);
		break;
	default:	/* close, dup: the fd says it all */
		break;
	}
}

static void header(struct out *o, const struct ns_event *ev)
{
	struct ns_buf *b = o->b;

	if (o->json) {
		ns_buf_str(b, "{\"ts\":\"");
		ns_fmt_time(b, &ev->ts, true);
		ns_buf_putc(b, '"');
		o->n = 1;
		f_int(o, "pid", ev->pid);
		f_int(o, "tid", ev->tid);
		f_str(o, "prog", ev->prog);
		f_str(o, "call", ns_call_name(ev->call));
		return;
	}
	ns_fmt_time(b, &ev->ts, false);
	ns_buf_putc(b, ' ');
	ns_buf_str(b, ev->prog ? ev->prog : "?");
	ns_buf_putc(b, '[');
	ns_buf_i64(b, ev->pid);
	ns_buf_putc(b, '/');
	ns_buf_i64(b, ev->tid);
	ns_buf_mem(b, "] ", 2);
	ns_buf_str(b, ns_call_name(ev->call));
	ns_buf_putc(b, '(');
	o->n = 0;
}

static void f_bt(struct out *o, const struct ns_event *ev)
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
	saved = open_(o, "bt", '[');
	for (int i = 0; i < ev->nbt; i++)
		f_str(o, NULL, ev->bt[i]);
	close_(o, saved, ']');
}

static void trailer(struct out *o, const struct ns_event *ev)
{
	const char *err = ev->err ? ns_name_errno(ev->err) : NULL;
	struct ns_buf *b = o->b;

	if (o->json) {
		f_int(o, "ret", ev->ret);
		if (!ev->err)
			f_null(o, "errno");
		else
			f_sym(o, "errno", err, ev->err);
		f_int(o, "dur_ns", (long)ev->dur_ns);
		if (ev->policy)
			f_str(o, "policy", ev->policy);
		f_bt(o, ev);
		if (o->brief || o->cut) {
			key(o, "truncated");
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
	if (lookup_error(ev)) {
		ns_buf_putc(b, ' ');
		ns_buf_str(b, lookup_error(ev));
	}
	ns_buf_mem(b, " <", 2);
	ns_buf_u64(b, ev->dur_ns / 1000);
	ns_buf_mem(b, "us>", 3);
	if (ev->policy) {
		ns_buf_str(b, " policy: ");
		ns_buf_esc(b, ev->policy, STR_MAX);
	}
	f_bt(o, ev);
	if (o->brief || o->cut)
		ns_buf_str(b, " (truncated)");
	ns_buf_putc(b, '\n');
}

static size_t render(const struct ns_event *ev, bool json, bool brief,
		     char *mem, size_t cap, bool *overflow)
{
	struct ns_buf b;
	struct out o = { &b, json, brief, false, 0, ", " };

	ns_buf_init(&b, mem, cap);
	header(&o, ev);
	args(&o, ev);
	trailer(&o, ev);
	*overflow = b.overflow;
	return b.len;
}

size_t ns_format_event(const struct ns_event *ev, enum ns_format fmt,
		       char *mem, size_t cap)
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
