// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim diff: an event reduced to what two runs of a program should share
 * (its call, arguments, result and errno), shown as a line, and tallied for
 * the summary of what differs. */
#include "diff.h"
#include "cli.h"
#include "jout.h"
#include "../src/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Calls whose result is a new descriptor: its number is the kernel's. */
static bool returns_fd(const char *c)
{
	return is(c, "socket") || is(c, "accept") || is(c, "accept4") ||
	       is(c, "dup") || is(c, "dup2") || is(c, "dup3") ||
	       is(c, "fcntl");
}

/* "127.0.0.1:41234" -> "127.0.0.1:*": the port the kernel picked. */
static void strip_port(struct ns_buf *b, size_t from)
{
	size_t i = b->len;

	while (i > from && b->p[i - 1] >= '0' && b->p[i - 1] <= '9')
		i--;
	if (i < b->len && i > from && b->p[i - 1] == ':') {
		b->len = i;
		ns_buf_putc(b, '*');
	}
}

static void value(struct ns_buf *n, struct ns_buf *s, const struct cli_ev *ev,
		  int k, bool peer_port)
{
	const struct cli_jtok *t = &ev->j->tok[k];
	size_t from = n->len;

	if (t->type == CLI_JSTR && !strncmp(t->str, "0x", 2)) {
		ns_buf_str(n, "PTR");	/* a pointer: EFAULT's address */
	} else {
		cli_jsonl_text(n, ev->j, k, cli_jsonl_quoted(t->key));
		if (peer_port)
			strip_port(n, from);
	}
	if (s->cap)
		cli_jsonl_text(s, ev->j, k, cli_jsonl_quoted(t->key));
}

void cli_diff_norm(const struct cli_ev *ev, char **norm, char **shown)
{
	/* @shown NULL: only the comparison's form (most events match and
	 * are never shown). */
	static char nm[8192], sm[8192];
	struct ns_buf n, s;
	const struct cli_json *j = ev->j;
	bool in = false, first = true;
	/* The peer of an accept or getnameinfo has the client's port. */
	bool peer = is(ev->call, "accept") || is(ev->call, "accept4") ||
		    is(ev->call, "getnameinfo");

	ns_buf_init(&n, nm, sizeof(nm) - 1);
	ns_buf_init(&s, sm, shown ? sizeof(sm) - 1 : 0);
	ns_buf_str(&n, ev->call);
	ns_buf_str(&s, ev->call);
	ns_buf_putc(&n, '(');
	ns_buf_putc(&s, '(');
	for (unsigned k = 1; k < j->tok[0].end; k = j->tok[k].end) {
		const char *key = j->tok[k].key;

		if (!strcmp(key, "call")) {
			in = true;
			continue;
		}
		if (!strcmp(key, "ret"))
			break;
		if (!in || !strcmp(key, "error"))
			continue;
		if (!first) {
			ns_buf_str(&n, ", ");
			ns_buf_str(&s, ", ");
		}
		first = false;
		ns_buf_str(&s, key);
		ns_buf_putc(&s, '=');
		if (!strcmp(key, "fd") || !strcmp(key, "newfd") ||
		    !strcmp(key, "fds")) {
			ns_buf_str(&n, "fd");
			if (shown)
				cli_jsonl_text(&s, j, (int)k, false);
			continue;
		}
		ns_buf_str(&n, key);
		ns_buf_putc(&n, '=');
		value(&n, &s, ev, (int)k, peer && (!strcmp(key, "addr") ||
						   !strcmp(key, "serv")));
	}
	ns_buf_str(&n, ") = ");
	ns_buf_str(&s, ") = ");
	if (returns_fd(ev->call) && ev->ret >= 0)
		ns_buf_str(&n, "fd");
	else
		ns_buf_i64(&n, ev->ret);
	ns_buf_i64(&s, ev->ret);
	for (int i = 0; i < 2; i++) {
		const char *e = i ? ev->gai : ev->err;

		if (!e)
			continue;
		ns_buf_putc(&n, ' ');
		ns_buf_esc(&n, e, 64);
		ns_buf_putc(&s, ' ');
		ns_buf_esc(&s, e, 64);
	}
	if (ev->policy) {
		ns_buf_str(&n, "  policy: ");
		ns_buf_esc(&n, ev->policy, SIZE_MAX);
		ns_buf_str(&s, "  policy: ");
		ns_buf_esc(&s, ev->policy, SIZE_MAX);
	}
	if (ev->injected) {
		ns_buf_str(&n, "  injected: ");
		ns_buf_esc(&n, ev->injected, SIZE_MAX);
		ns_buf_str(&s, "  injected: ");
		ns_buf_esc(&s, ev->injected, SIZE_MAX);
	}
	nm[n.len] = '\0';
	*norm = cli_xstrdup(nm);
	if (shown) {
		sm[s.len] = '\0';
		*shown = cli_xstrdup(sm);
	}
}

/* ------------------------------------------------------------------ */

enum cat { C_FAMILY, C_PROTOCOL, C_OPTION, C_ERROR, C_POLICY, C_INJECTED,
	   C_N };
static const char *const cat_names[C_N] = {
	"families", "protocols", "options", "errors", "policies", "injected",
};

struct tally {
	UT_hash_handle hh;
	enum cat cat;
	long long n[2];
	char key[];		/* category letter, value */
};

static struct tally *tallies;

static void tally(int side, enum cat c, const char *v)
{
	size_t n = strlen(v) + 2;
	char small[256], *key = n <= sizeof(small) ? small : cli_xmalloc(n);
	struct tally *t;

	/* Every event counts something: no malloc for the key. */
	key[0] = (char)('a' + c);
	memcpy(key + 1, v, n - 1);
	HASH_FIND(hh, tallies, key, n - 1, t);
	if (!t) {
		t = cli_xmalloc(sizeof(*t) + n);
		memset(t, 0, sizeof(*t));
		t->cat = c;
		memcpy(t->key, key, n);
		HASH_ADD(hh, tallies, key[0], n - 1, t);
	}
	if (key != small)
		free(key);
	t->n[side]++;
}

void cli_diff_tally(int side, const struct cli_ev *ev)
{
	const struct cli_json *j = ev->j;
	char tmp[256];

	if (is(ev->call, "socket") || is(ev->call, "socketpair")) {
		const char *f = cli_json_str(j, cli_json_get(j, 0, "family"));
		const char *p = cli_json_str(j, cli_json_get(j, 0, "protocol"));

		if (f)
			tally(side, C_FAMILY, f);
		if (p && ev->ret >= 0)
			tally(side, C_PROTOCOL, p);
	} else if (ev->has_sock && ev->proto) {
		tally(side, C_PROTOCOL, ev->proto);
	}
	if (is(ev->call, "setsockopt")) {
		const char *o = cli_json_str(j, cli_json_get(j, 0, "option"));

		cli_fmt(tmp, sizeof(tmp), "%s on %s: %s", o ? o : "?",
			ev->proto ? ev->proto : "?", ev->err ? ev->err : "ok");
		tally(side, C_OPTION, tmp);
	}
	if ((ev->err || ev->gai) && !is(ev->err, "EINPROGRESS") &&
	    !is(ev->err, "EAGAIN") && !is(ev->err, "EWOULDBLOCK") &&
	    !is(ev->err, "EINTR") && !is(ev->err, "EALREADY")) {
		cli_fmt(tmp, sizeof(tmp), "%s %s", ev->call,
			ev->gai ? ev->gai : ev->err);
		tally(side, C_ERROR, tmp);
	}
	if (ev->policy)
		tally(side, C_POLICY, ev->policy);
	if (ev->injected)
		tally(side, C_INJECTED, ev->injected);
}

static int by_key(struct tally *a, struct tally *b)
{
	return strcmp(a->key, b->key);
}

bool cli_diff_summary(long long na, long long nb, bool differ)
{
	bool any = false;

	HASH_SRT(hh, tallies, by_key);
	for (int c = 0; c < C_N; c++) {
		bool head = false;

		for (struct tally *t = tallies; t; t = t->hh.next) {
			if (t->cat != (enum cat)c || t->n[0] == t->n[1])
				continue;
			/* Counts of the same thing differ with timing; only
			 * errors are worth a count. */
			if (c != C_ERROR && t->n[0] && t->n[1])
				continue;
			if (!any)
				printf("%sWhat differs (A: %lld events, "
				       "B: %lld "
				       "events):\n", differ ? "\n" : "", na,
				       nb);
			any = true;
			if (!head)
				printf("  %s:\n", cat_names[c]);
			head = true;
			printf("    %s ", !t->n[1] ? "only in A:" :
			       !t->n[0] ? "only in B:" : "A and B:  ");
			cli_tput(t->key + 1, SIZE_MAX, 1024);
			if (t->n[0] && t->n[1])
				printf(" (A %lld, B %lld)\n", t->n[0], t->n[1]);
			else
				printf(" (%lld)\n", t->n[0] + t->n[1]);
		}
	}
	if (differ && !any)
		printf("\nThe families, protocols, options and errors are the "
		       "same (A: %lld events, B: %lld events).\n", na, nb);
	return any || differ;
}
