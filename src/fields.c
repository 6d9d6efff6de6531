// SPDX-License-Identifier: LGPL-2.1-or-later
/* Rendering of one field of an event (a number, a name, an address, a
 * list) as JSON or as strace-like text. */
#include "fields.h"
#include "compiler.h"

#include <errno.h>
#include <string.h>

void ns_f_sep(struct ns_out *o)
{
	ns_buf_str(o->b, o->sep);
}

/* Opens a JSON object or list (text: '{' or '['), returning the caller's
 * field count to hand back to close(). */
int ns_f_open(struct ns_out *o, struct ns_key k, char c)
{
	int saved;

	ns_f_key(o, k);
	saved = o->n;
	ns_buf_putc(o->b, c);
	o->n = 0;
	return saved;
}

void ns_f_close(struct ns_out *o, int saved, char c)
{
	ns_buf_putc(o->b, c);
	o->n = saved;
}

/* Symbols and flags are bare in text, strings in JSON. */
void ns_f_quote(struct ns_out *o)
{
	if (o->json)
		ns_buf_putc(o->b, '"');
}

void ns_f_int(struct ns_out *o, struct ns_key k, long v)
{
	ns_f_key(o, k);
	ns_buf_i64(o->b, v);
}

void ns_f_null(struct ns_out *o, struct ns_key k)
{
	ns_f_key(o, k);
	ns_buf_mem(o->b, o->json ? "null" : "NULL", 4);
}

void ns_f_str(struct ns_out *o, struct ns_key k, const char *s)
{
	if (!s) {
		ns_f_null(o, k);
		return;
	}
	ns_f_key(o, k);
	if (o->json)
		ns_buf_jstr(o->b, s, o->brief ? STR_BRIEF : STR_MAX);
	else
		ns_buf_cstr(o->b, s, o->brief ? STR_BRIEF : STR_MAX);
}

/* A symbolic name where one is known, else the number. */
void ns_f_sym(struct ns_out *o, struct ns_key k, const char *name, long v)
{
	ns_f_key(o, k);
	if (!name) {
		ns_buf_i64(o->b, v);
		return;
	}
	ns_f_quote(o);
	ns_buf_str(o->b, name);
	ns_f_quote(o);
}

void ns_f_flags(struct ns_out *o, struct ns_key k, const struct ns_flagtab *tab,
		unsigned long v)
{
	ns_f_key(o, k);
	ns_f_quote(o);
	ns_fmt_flags(o->b, tab, v);
	ns_f_quote(o);
}

/* "SOCK_STREAM|SOCK_CLOEXEC": the base type by name, then its flags. */
void ns_f_socktype(struct ns_out *o, struct ns_key k, int type)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	const char *name = ns_sym_name(&ns_socktypes, type & ~flags);

	ns_f_key(o, k);
	ns_f_quote(o);
	if (name)
		ns_buf_str(o->b, name);
	else
		ns_buf_i64(o->b, type & ~flags);
	if (flags) {
		ns_buf_putc(o->b, '|');
		ns_fmt_flags(o->b, &ns_sock_flags, (unsigned long)flags);
	}
	ns_f_quote(o);
}

/* Addresses: a JSON string; in text bare (127.0.0.1:80, [::1]:80) except
 * AF_UNIX paths, which are quoted and escaped like every program string. */
void ns_f_addr(struct ns_out *o, struct ns_key k, const struct sockaddr *sa,
	       socklen_t len, bool port)
{
	char mem[256];
	struct ns_buf tmp;

	if (!sa) {
		ns_f_null(o, k);
		return;
	}
	ns_buf_init(&tmp, mem, sizeof(mem) - 1);
	ns_fmt_sockaddr(&tmp, sa, len, port);
	mem[tmp.len] = '\0';
	ns_f_key(o, k);
	if (o->json)
		ns_buf_jstr(o->b, mem, sizeof(mem));
	else if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNIX)
		ns_buf_cstr(o->b, mem, sizeof(mem));
	else
		ns_buf_str(o->b, mem);
}

/* An argument the kernel refused to read (EFAULT): its value only. */
void ns_f_ptr(struct ns_out *o, struct ns_key k, const void *p)
{
	ns_f_key(o, k);
	ns_f_quote(o);
	ns_buf_hex(o->b, (uintptr_t)p);
	ns_f_quote(o);
}

static void triple(struct ns_out *o, int family, int type, int protocol)
{
	ns_f_sym(o, K(family), ns_sym_name(&ns_families, family), family);
	ns_f_socktype(o, K(type), type);
	ns_f_sym(o, K(protocol), ns_name_protocol(family, protocol), protocol);
}

/*
 * Most of a program's events are about one kind of socket, so each thread
 * keeps the text of the last triple it rendered (half of what an event on
 * a socket cost). The text depends on the format, on the separator and on
 * whether it opens its object: a socket() event has it after the call's
 * name, the events on that socket in "sock", hence one entry for each. A
 * signal handler arriving while the cache is in use renders its own.
 */
#ifdef NS_FREESTANDING
/* No TLS in a static program (%fs is the program's), and a cache shared
 * by the threads that run the blob's handler at once would need a lock:
 * each event renders its triple. */
void ns_f_triple(struct ns_out *o, int family, int type, int protocol)
{
	triple(o, family, type, protocol);
}
#else
static __thread struct ns_tricache {
	int family, type, protocol;
	const char *sep;
	bool json;
	unsigned char len;	/* 0: nothing held */
	char text[192];
} tricache[2] __attribute__((tls_model("initial-exec")));
static __thread bool tricache_busy __attribute__((tls_model("initial-exec")));

void ns_f_triple(struct ns_out *o, int family, int type, int protocol)
{
	struct ns_tricache *c = &tricache[o->n == 0];

	if (tricache_busy) {
		triple(o, family, type, protocol);
		return;
	}
	tricache_busy = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (c->family != family || c->type != type ||
	    c->protocol != protocol || c->json != o->json ||
	    c->sep != o->sep || !c->len) {
		struct ns_buf tb;
		struct ns_out to = *o;

		ns_buf_init(&tb, c->text, sizeof(c->text));
		to.b = &tb;
		triple(&to, family, type, protocol);
		c->len = tb.overflow ? 0 : (unsigned char)tb.len;
		c->family = family;
		c->type = type;
		c->protocol = protocol;
		c->json = o->json;
		c->sep = o->sep;
	}
	if (c->len) {
		ns_buf_mem(o->b, c->text, c->len);
		o->n += 3;
	} else {
		triple(o, family, type, protocol);
	}
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	tricache_busy = false;
}
#endif

/* The socket the call acts on: text 5<AF_INET SOCK_STREAM IPPROTO_TCP>,
 * JSON "fd":5,"sock":{...} or "sock":null. */
void ns_f_fd(struct ns_out *o, const struct ns_event *ev)
{
	const struct ns_sock *s = ev->sock;
	int saved;

	if (o->json) {
		ns_f_int(o, K(fd), ev->fd);
		if (!s) {
			ns_f_null(o, K(sock));
			return;
		}
		saved = ns_f_open(o, K(sock), '{');
		ns_f_triple(o, s->family, s->type, s->protocol);
		ns_f_close(o, saved, '}');
		return;
	}
	ns_f_int(o, K(fd), ev->fd);
	if (!s)
		return;
	saved = o->n;
	ns_buf_putc(o->b, '<');
	o->n = 0;
	/* Space separated inside the angle brackets, as strace -yy does. */
	o->sep = " ";
	ns_f_triple(o, s->family, s->type, s->protocol);
	o->sep = ", ";
	ns_buf_putc(o->b, '>');
	o->n = saved;
}

/* Whether the kernel read the call's input memory: it refuses a bad
 * descriptor before looking at the address (bind(2), sendto(2)), and says
 * EFAULT for memory it could not read. */
bool ns_f_readable(const struct ns_event *ev)
{
	return ev->err != EFAULT && ev->err != EBADF && ev->err != ENOTSOCK;
}

void ns_f_sockaddr_arg(struct ns_out *o, const struct ns_event *ev,
		       const struct sockaddr *sa, socklen_t len)
{
	if (sa && !ns_f_readable(ev))
		ns_f_ptr(o, K(addr), sa);
	else
		ns_f_addr(o, K(addr), sa, len, true);
}

/* The option's value, from the copy the front made of what was readable. */
void ns_f_optval(struct ns_out *o, const struct ns_event *ev)
{
	size_t n = ev->u.opt.vlen;
	int v;

	if (!ev->u.opt.val || !n)
		return;
	if (ns_sockopt_is_string(ev->u.opt.level, ev->u.opt.name)) {
		char s[NS_OPTVAL_MAX + 1];

		memcpy(s, ev->u.opt.val, n);
		s[n] = '\0';
		ns_f_str(o, K(value), s);
	} else if (ev->u.opt.len == sizeof(int) && n == sizeof(int)) {
		memcpy(&v, ev->u.opt.val, sizeof(v));
		ns_f_int(o, K(value), v);
	}
}

void ns_f_results(struct ns_out *o, const struct addrinfo *res)
{
	int saved, i = 0, inner;

	if (o->brief)
		return;
	saved = ns_f_open(o, K(results), '[');
	for (; res; res = res->ai_next, i++) {
		if (i == LIST_MAX) {
			o->cut = true;
			break;
		}
		inner = ns_f_open(o, K(), '{');
		ns_f_sym(o, K(family), ns_sym_name(&ns_families, res->ai_family),
			 res->ai_family);
		ns_f_addr(o, K(addr), res->ai_addr, res->ai_addrlen, true);
		ns_f_close(o, inner, '}');
	}
	ns_f_close(o, saved, ']');
}

void ns_f_hostent(struct ns_out *o, const struct hostent *he)
{
	int saved, inner;

	if (o->brief || !he)
		return;
	saved = ns_f_open(o, K(results), '[');
	for (int i = 0; he->h_addr_list[i]; i++) {
		if (i == LIST_MAX) {
			o->cut = true;
			break;
		}
		struct sockaddr_storage ss = { .ss_family = he->h_addrtype };
		struct sockaddr_in *sin = (void *)&ss;
		struct sockaddr_in6 *sin6 = (void *)&ss;
		socklen_t len =
		    he->h_addrtype == AF_INET6 ? sizeof(*sin6) : sizeof(*sin);

		if (he->h_addrtype == AF_INET6 &&
		    he->h_length == sizeof(sin6->sin6_addr))
			memcpy(&sin6->sin6_addr, he->h_addr_list[i], 16);
		else if (he->h_addrtype == AF_INET &&
			 he->h_length == sizeof(sin->sin_addr))
			memcpy(&sin->sin_addr, he->h_addr_list[i], 4);
		else
			len = sizeof(sa_family_t);
		inner = ns_f_open(o, K(), '{');
		ns_f_sym(o, K(family), ns_sym_name(&ns_families, he->h_addrtype),
			 he->h_addrtype);
		ns_f_addr(o, K(addr), (struct sockaddr *)&ss, len, false);
		ns_f_close(o, inner, '}');
	}
	ns_f_close(o, saved, ']');
}

void ns_f_hints(struct ns_out *o, const struct addrinfo *h)
{
	int saved;

	if (!h) {
		ns_f_null(o, K(hints));
		return;
	}
	saved = ns_f_open(o, K(hints), '{');
	ns_f_sym(o, K(family), ns_sym_name(&ns_families, h->ai_family),
		 h->ai_family);
	if (h->ai_socktype)
		ns_f_socktype(o, K(socktype), h->ai_socktype);
	else
		ns_f_int(o, K(socktype), 0);
	ns_f_sym(o, K(protocol), ns_name_protocol(AF_INET, h->ai_protocol),
		 h->ai_protocol);
	ns_f_flags(o, K(flags), &ns_ai_flags, (unsigned)h->ai_flags);
	ns_f_close(o, saved, '}');
}
