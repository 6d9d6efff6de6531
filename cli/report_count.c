// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report's counts: calls, errors, families, protocols, destinations,
 * policies, injected faults and first failures, as text or JSON members. */
#include "../src/buf.h"
#include "cli.h"
#include "../src/event.h"
#include "jsonl.h"
#include "report.h"
#include "jout.h"
#include "../src/names.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* One counted thing: a call, an errno of a call, a family, an address... */
struct item {
	UT_hash_handle hh;
	long long n;
	long long errors;	/* destinations: attempts that failed */
	unsigned seq;		/* order of first appearance */
	char *family;		/* destinations */
	/* first failures: where, and JSON fragments of errno and error */
	char *ts, *prog, *file, *jerrno, *jerror;
	long long pid;
	unsigned long line;
	char **bt;
	unsigned nbt;
	size_t split;		/* two-part keys: where part two starts */
	char key[];		/* part one, NUL, part two, NUL */
};

struct table {
	struct item *h;
	unsigned seq;
};

static struct table calls, errors, families, protocols, dests, policies,
	injected, firsts;
long long cli_report_nevents;
static const struct cli_json *jp;

/* Find or add the @n bytes of @key in @t. */
static struct item *count_n(struct table *t, const char *key, size_t n)
{
	struct item *it;

	HASH_FIND(hh, t->h, key, n, it);
	if (!it) {
		it = cli_xmalloc(sizeof(*it) + n + 1);
		memset(it, 0, sizeof(*it));
		memcpy(it->key, key, n);
		it->key[n] = '\0';
		it->split = n;
		it->seq = t->seq++;
		HASH_ADD_KEYPTR(hh, t->h, it->key, n, it);
	}
	it->n++;
	return it;
}

static struct item *count(struct table *t, const char *key)
{
	return count_n(t, key, strlen(key));
}

/* A key of two parts, (call, code): kept apart whatever bytes they hold,
 * since the trace is the program's to fill. */
static struct item *count2(struct table *t, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *key = cli_xmalloc(la + lb + 2);
	struct item *it;

	memcpy(key, a, la + 1);
	memcpy(key + la + 1, b, lb + 1);
	it = count_n(t, key, la + 1 + lb);
	it->split = la + 1;
	free(key);
	return it;
}

/* The parts of a two-part key. */
static const char *part1(const struct item *it)
{
	return it->key;
}

static const char *part2(const struct item *it)
{
	return it->key + it->split;
}

static const char *get_str(int obj, const char *key)
{
	return cli_json_str(jp, cli_json_get(jp, obj, key));
}

/* A name, or a number's text: errno 77 and protocol 0 count too. */
static const char *name_of(int i, char *tmp, size_t size)
{
	if (i < 0)
		return NULL;
	if (jp->tok[i].type == CLI_JSTR)
		return jp->tok[i].str;
	if (jp->tok[i].type == CLI_JNUM) {
		snprintf(tmp, size, "%.*s", (int)jp->tok[i].len,
			 jp->tok[i].str);
		return tmp;
	}
	return NULL;
}

/* A JSON value as JSON text, for copying it into the output. */
static char *fragment(int i)
{
	char tmp[64];

	if (cli_json_none(jp, i))
		return cli_xstrdup("null");
	if (jp->tok[i].type == CLI_JNUM) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)jp->tok[i].len,
			 jp->tok[i].str);
		return cli_xstrdup(tmp);
	}
	if (jp->tok[i].type == CLI_JSTR) {
		size_t cap = jp->tok[i].len * 6 + 3;
		char *mem = cli_xmalloc(cap + 1);
		struct ns_buf b;

		ns_buf_init(&b, mem, cap);
		ns_buf_jstr(&b, jp->tok[i].str, SIZE_MAX);
		mem[b.len] = '\0';
		return mem;
	}
	return cli_xstrdup("null");
}

/*
 * The protocol a socket() call made: "IPPROTO_IP" (0) asks the kernel to
 * pick TCP or UDP, and the engine knows which, as sock.protocol shows on
 * the socket's later calls.
 */
static const char *socket_protocol(int fam_i, int type_i, int proto_i,
				   char *tmp, size_t size)
{
	const char *fam = cli_json_str(jp, fam_i);
	const char *type = cli_json_str(jp, type_i);
	const char *proto = name_of(proto_i, tmp, size);
	char base[32];
	int f, t;

	if (!fam || !type || !proto ||
	    (strcmp(proto, "IPPROTO_IP") && strcmp(proto, "0")))
		return proto;
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(type, "|"), type);
	if (!ns_sym_value(&ns_families, fam, &f) ||
	    !ns_sym_value(&ns_socktypes, base, &t))
		return proto;
	return ns_name_protocol(f, ns_effective_protocol(f, t, 0)) ?: proto;
}

static void count_sockets(const char *call, bool ok)
{
	char tmp[32], ftmp[32], key[80];
	const char *s, *fam;
	int sock;

	if (!strcmp(call, "socket") || !strcmp(call, "socketpair")) {
		if (!ok)
			return;
		sock = 0;
		s = socket_protocol(cli_json_get(jp, 0, "family"),
				    cli_json_get(jp, 0, "type"),
				    cli_json_get(jp, 0, "protocol"), tmp,
				    sizeof(tmp));
	} else {
		sock = cli_json_get(jp, 0, "sock");
		if (sock < 0 || jp->tok[sock].type != CLI_JOBJ)
			return;
		s = name_of(cli_json_get(jp, sock, "protocol"), tmp,
			    sizeof(tmp));
	}
	fam = name_of(cli_json_get(jp, sock, "family"), ftmp, sizeof(ftmp));
	if (fam)
		count(&families, fam);
	if (!s)
		return;
	/* Protocol numbers mean something only within their family. */
	if (jp->tok[cli_json_get(jp, sock, "protocol")].type == CLI_JNUM &&
	    fam) {
		snprintf(key, sizeof(key), "%s %s", fam, s);
		s = key;
	}
	count(&protocols, s);
}

/* Outcomes of non-blocking and interrupted calls, not failures: a
 * connect under way, nothing to read yet, a signal (connect(2), read(2)). */
static bool not_a_failure(const char *code)
{
	static const char *const codes[] = { "EINPROGRESS", "EAGAIN",
		"EWOULDBLOCK", "EINTR", "EALREADY" };

	for (size_t i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(code, codes[i]))
			return true;
	return false;
}

static void count_failure(const char *call, const char *file,
			  unsigned long line)
{
	int e = cli_json_get(jp, 0, "error"), en = cli_json_get(jp, 0,
								  "errno");
	const char *code;
	struct item *it;
	char tmp[32];
	int bt;

	/* A lookup's own error says more than the errno of EAI_SYSTEM. */
	code = name_of(cli_json_none(jp, e) ? en : e, tmp, sizeof(tmp));
	count2(&errors, call, code ? code : "?");
	if (!cli_jsonl_failed(jp) || not_a_failure(code))
		return;
	it = count2(&firsts, call, code ? code : "?");
	if (it->n > 1)
		return;
	it->ts = cli_xstrdup(get_str(0, "ts"));
	it->prog = cli_xstrdup(get_str(0, "prog"));
	it->file = cli_xstrdup(file);
	it->line = line;
	cli_json_int(jp, cli_json_get(jp, 0, "pid"), &it->pid);
	it->jerrno = fragment(en);
	it->jerror = fragment(e);
	bt = cli_json_get(jp, 0, "bt");
	if (bt < 0 || jp->tok[bt].type != CLI_JARR || !jp->tok[bt].n)
		return;
	it->bt = cli_xmalloc(jp->tok[bt].n * sizeof(*it->bt));
	for (unsigned k = (unsigned)bt + 1; k < jp->tok[bt].end;
	     k = jp->tok[k].end)
		it->bt[it->nbt++] = fragment((int)k);
}

static bool in_progress(void)
{
	const char *e = get_str(0, "errno");

	return e && !strcmp(e, "EINPROGRESS");
}

void cli_report_count(const struct cli_ev *ev)
{
	const char *file = ev->file;
	unsigned long line = ev->line;
	const char *call, *policy;
	bool failed;
	long long ret = 0;

	jp = ev->j;
	call = get_str(0, "call");
	policy = get_str(0, "policy");
	failed = cli_jsonl_failed(jp);

	cli_report_nevents++;
	cli_json_int(jp, cli_json_get(jp, 0, "ret"), &ret);
	count(&calls, call);
	count_sockets(call, ret >= 0);
	if (!strcmp(call, "connect") || !strcmp(call, "sendto") ||
	    !strcmp(call, "sendmsg")) {
		const char *addr = get_str(0, "addr");
		char tmp[32];

		if (addr) {
			struct item *d = count(&dests, addr);
			int sock = cli_json_get(jp, 0, "sock");
			const char *fam = name_of(cli_json_get(jp, sock,
							      "family"),
						  tmp, sizeof(tmp));

			if (!d->family && fam)
				d->family = cli_xstrdup(fam);
			/* A non-blocking connect under way has not failed. */
			if (failed && !in_progress())
				d->errors++;
		}
	}
	if (policy)
		count(&policies, policy);
	if (get_str(0, "injected"))	/* a NETSHIM_FAIL rule acted */
		count(&injected, get_str(0, "injected"));
	if (failed)
		count_failure(call, file, line);
}

static int by_count(struct item *a, struct item *b)
{
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int by_seq(struct item *a, struct item *b)
{
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Calls in the engine's order (the man page's), unknown ones after. */
static unsigned call_rank(const char *call)
{
	enum ns_call c;

	return ns_call_by_name(call, &c) ? (unsigned)c : NS_CALL_COUNT;
}

/* The call is the whole key of the calls table, part one of the others. */
static int by_call(struct item *a, struct item *b)
{
	unsigned ra = call_rank(part1(a)), rb = call_rank(part1(b));

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == NS_CALL_COUNT) {
		int c = strcmp(part1(a), part1(b));

		if (c)
			return c;
	}
	return by_count(a, b);
}

static void sort_tables(void)
{
	HASH_SRT(hh, calls.h, by_call);
	HASH_SRT(hh, errors.h, by_call);
	HASH_SRT(hh, families.h, by_count);
	HASH_SRT(hh, protocols.h, by_count);
	HASH_SRT(hh, dests.h, by_count);
	HASH_SRT(hh, policies.h, by_count);
	HASH_SRT(hh, injected.h, by_count);
	HASH_SRT(hh, firsts.h, by_seq);
}

static void jstr(const char *s)
{
	cli_jput(s);
}

/* "key": n members of a flat table. */
static void json_counts(const char *name, struct table *t, bool last)
{
	struct item *it;

	printf("  \"%s\": {", name);
	for (it = t->h; it; it = it->hh.next) {
		printf("%s\n    ", it == t->h ? "" : ",");
		jstr(it->key);
		printf(": %lld", it->n);
	}
	printf("%s}%s\n", t->h ? "\n  " : "", last ? "" : ",");
}

static void json_errors(void)
{
	const char *prev = NULL;

	printf("  \"errors\": {");
	for (struct item *it = errors.h; it; it = it->hh.next) {
		if (!prev || strcmp(prev, part1(it))) {
			printf("%s\n    ", prev ? "\n    }," : "");
			jstr(part1(it));
			printf(": {");
			prev = part1(it);
		} else {
			putchar(',');
		}
		printf("\n      ");
		jstr(part2(it));
		printf(": %lld", it->n);
	}
	printf("%s},\n", prev ? "\n    }\n  " : "");
}

void cli_report_counts_json(void)
{
	sort_tables();
	json_counts("calls", &calls, false);
	json_errors();
	json_counts("families", &families, false);
	json_counts("protocols", &protocols, false);
	printf("  \"destinations\": {");
	for (struct item *it = dests.h; it; it = it->hh.next) {
		printf("%s\n    ", it == dests.h ? "" : ",");
		jstr(it->key);
		printf(": {\"family\": ");
		if (it->family)
			jstr(it->family);
		else
			printf("null");
		printf(", \"count\": %lld, \"errors\": %lld}", it->n,
		       it->errors);
	}
	printf("%s},\n", dests.h ? "\n  " : "");
	json_counts("policies", &policies, false);
	json_counts("injected", &injected, false);
	printf("  \"first_failures\": [");
	for (struct item *it = firsts.h; it; it = it->hh.next) {
		printf("%s\n    {\"call\": ", it == firsts.h ? "" : ",");
		jstr(part1(it));
		printf(", \"errno\": %s, \"error\": %s, \"count\": %lld,\n"
		       "     \"file\": ", it->jerrno, it->jerror, it->n);
		jstr(it->file);
		printf(", \"line\": %lu, \"ts\": ", it->line);
		jstr(it->ts);
		printf(", \"pid\": %lld, \"prog\": ", it->pid);
		jstr(it->prog);
		printf(", \"bt\": [");
		for (unsigned k = 0; k < it->nbt; k++)
			printf("%s%s", k ? ", " : "", it->bt[k]);
		printf("]}");
	}
	printf("%s],\n", firsts.h ? "\n  " : "");
}

/* Text strings are C-escaped, as in the text trace format. */
static int tstr(const char *s, size_t max)
{
	char mem[1024];
	struct ns_buf b;

	ns_buf_init(&b, mem, sizeof(mem));
	ns_buf_esc(&b, s, max);
	fwrite(b.p, 1, b.len, stdout);
	return (int)b.len;
}

/* Spaces after a field of @n characters up to @width, and one more. */
static void pad(int n, int width)
{
	printf("%*s ", width > n ? width - n : 0, "");
}

static void text_counts(const char *title, struct table *t)
{
	int w = 0;

	if (!t->h)
		return;
	for (struct item *it = t->h; it; it = it->hh.next)
		if ((int)strlen(it->key) > w)
			w = (int)strlen(it->key);
	printf("\n%s:\n", title);
	for (struct item *it = t->h; it; it = it->hh.next) {
		int n;

		printf("  ");
		n = tstr(it->key, 200);
		printf("%*s  %6lld", w > n ? w - n : 0, "", it->n);
		if (t == &dests)
			printf("  %-9s %lld failed", it->family ?: "?",
			       it->errors);
		putchar('\n');
	}
}

void cli_report_counts_text(void)
{
	sort_tables();
	text_counts("Calls", &calls);
	if (errors.h) {
		printf("\nErrors:\n");
		for (struct item *it = errors.h; it; it = it->hh.next) {
			printf("  ");
			pad(tstr(part1(it), 64), 14);
			pad(tstr(part2(it), 64), 16);
			printf(" %6lld\n", it->n);
		}
	}
	text_counts("Families", &families);
	text_counts("Protocols", &protocols);
	text_counts("Destinations (address, count, family)", &dests);
	text_counts("Policies", &policies);
	text_counts("Injected faults", &injected);
	if (!firsts.h)
		return;
	printf("\nFirst failures:\n");
	for (struct item *it = firsts.h; it; it = it->hh.next) {
		printf("  ");
		pad(tstr(part1(it), 64), 14);
		pad(tstr(part2(it), 64), 16);
		tstr(it->file, 512);
		printf(":%lu ", it->line);
		tstr(it->ts, 64);
		putchar(' ');
		tstr(it->prog, 64);
		printf("[%lld]\n", it->pid);
		for (unsigned k = 0; k < it->nbt; k++) {
			/* The frame is a JSON string: drop its quotes. */
			size_t n = strlen(it->bt[k]);

			printf("      %s %.*s\n", k ? "<" : "at",
			       (int)(n - 2), it->bt[k] + 1);
		}
	}
}

