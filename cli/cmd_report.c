// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report: summarise JSON traces (calls, errors, families, protocols,
 * destinations, policies, first failures) as text or as one JSON object. */
#include "../src/buf.h"
#include "cli.h"
#include "../src/event.h"
#include "jsonl.h"
#include "tail.h"
#include "../src/names.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define CMD "report"

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
static long long nevents, nbad;
static struct cli_json json;

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
	return cli_json_str(&json, cli_json_get(&json, obj, key));
}

/* A name, or a number's text: errno 77 and protocol 0 count too. */
static const char *name_of(int i, char *tmp, size_t size)
{
	if (i < 0)
		return NULL;
	if (json.tok[i].type == CLI_JSTR)
		return json.tok[i].str;
	if (json.tok[i].type == CLI_JNUM) {
		snprintf(tmp, size, "%.*s", (int)json.tok[i].len,
			 json.tok[i].str);
		return tmp;
	}
	return NULL;
}

/* A JSON value as JSON text, for copying it into the output. */
static char *fragment(int i)
{
	char tmp[64];

	if (cli_json_none(&json, i))
		return cli_xstrdup("null");
	if (json.tok[i].type == CLI_JNUM) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)json.tok[i].len,
			 json.tok[i].str);
		return cli_xstrdup(tmp);
	}
	if (json.tok[i].type == CLI_JSTR) {
		size_t cap = json.tok[i].len * 6 + 3;
		char *mem = cli_xmalloc(cap + 1);
		struct ns_buf b;

		ns_buf_init(&b, mem, cap);
		ns_buf_jstr(&b, json.tok[i].str, SIZE_MAX);
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
	const char *fam = cli_json_str(&json, fam_i);
	const char *type = cli_json_str(&json, type_i);
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
		s = socket_protocol(cli_json_get(&json, 0, "family"),
				    cli_json_get(&json, 0, "type"),
				    cli_json_get(&json, 0, "protocol"), tmp,
				    sizeof(tmp));
	} else {
		sock = cli_json_get(&json, 0, "sock");
		if (sock < 0 || json.tok[sock].type != CLI_JOBJ)
			return;
		s = name_of(cli_json_get(&json, sock, "protocol"), tmp,
			    sizeof(tmp));
	}
	fam = name_of(cli_json_get(&json, sock, "family"), ftmp, sizeof(ftmp));
	if (fam)
		count(&families, fam);
	if (!s)
		return;
	/* Protocol numbers mean something only within their family. */
	if (json.tok[cli_json_get(&json, sock, "protocol")].type == CLI_JNUM &&
	    fam) {
		snprintf(key, sizeof(key), "%s %s", fam, s);
		s = key;
	}
	count(&protocols, s);
}

static void count_failure(const char *call, const char *file,
			  unsigned long line)
{
	int e = cli_json_get(&json, 0, "error"), en = cli_json_get(&json, 0,
								  "errno");
	const char *code;
	struct item *it;
	char tmp[32];
	int bt;

	/* A lookup's own error says more than the errno of EAI_SYSTEM. */
	code = name_of(cli_json_none(&json, e) ? en : e, tmp, sizeof(tmp));
	count2(&errors, call, code ? code : "?");
	it = count2(&firsts, call, code ? code : "?");
	if (it->n > 1)
		return;
	it->ts = cli_xstrdup(get_str(0, "ts"));
	it->prog = cli_xstrdup(get_str(0, "prog"));
	it->file = cli_xstrdup(file);
	it->line = line;
	cli_json_int(&json, cli_json_get(&json, 0, "pid"), &it->pid);
	it->jerrno = fragment(en);
	it->jerror = fragment(e);
	bt = cli_json_get(&json, 0, "bt");
	if (bt < 0 || json.tok[bt].type != CLI_JARR || !json.tok[bt].n)
		return;
	it->bt = cli_xmalloc(json.tok[bt].n * sizeof(*it->bt));
	for (unsigned k = (unsigned)bt + 1; k < json.tok[bt].end;
	     k = json.tok[k].end)
		it->bt[it->nbt++] = fragment((int)k);
}

static bool in_progress(void)
{
	const char *e = get_str(0, "errno");

	return e && !strcmp(e, "EINPROGRESS");
}

static void take_event(const char *file, unsigned long line)
{
	const char *call = get_str(0, "call");
	const char *policy = get_str(0, "policy");
	bool failed = cli_jsonl_failed(&json);
	long long ret = 0;

	nevents++;
	cli_json_int(&json, cli_json_get(&json, 0, "ret"), &ret);
	count(&calls, call);
	count_sockets(call, ret >= 0);
	if (!strcmp(call, "connect") || !strcmp(call, "sendto") ||
	    !strcmp(call, "sendmsg")) {
		const char *addr = get_str(0, "addr");
		char tmp[32];

		if (addr) {
			struct item *d = count(&dests, addr);
			int sock = cli_json_get(&json, 0, "sock");
			const char *fam = name_of(cli_json_get(&json, sock,
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

/* Reported and counted, whatever made the line unreadable. */
static void bad_line(struct cli_tail *t, const char *why)
{
	fprintf(stderr, "netshim report: %s:%lu: not a trace line: %s\n",
		t->name, t->lineno, why);
	nbad++;
}

/* One line from the reader (tail.c). */
static void take_line(struct cli_tail *t, char *text, size_t len)
{
	char why_buf[128];
	const char *why;

	if (cli_jsonl_event(&json, text, len, why_buf, sizeof(why_buf),
			   &why)) {
		bad_line(t, why);
		return;
	}
	take_event(t->name, t->lineno);
}

static void idle(struct cli_tail *t)
{
	(void)t;
}

static int read_trace(const char *path)
{
	struct cli_tail t = { .cmd = CMD, .line = take_line, .bad = bad_line,
			     .idle = idle };
	int rc;

	t.path = strcmp(path, "-") ? path : NULL;
	t.name = t.path ? t.path : "(standard input)";
	rc = cli_tail_read(&t);
	cli_tail_done(&t);
	return rc;
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

static void jstr(const char *s)
{
	size_t cap = strlen(s) * 6 + 3;
	char small[512], *mem = cap <= sizeof(small) ? small : cli_xmalloc(cap);
	struct ns_buf b;

	ns_buf_init(&b, mem, cap);
	ns_buf_jstr(&b, s, SIZE_MAX);
	fwrite(b.p, 1, b.len, stdout);
	if (mem != small)
		free(mem);
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

static void json_report(char **files, int nfiles)
{
	printf("{\n  \"files\": [");
	for (int i = 0; i < nfiles; i++) {
		printf("%s", i ? ", " : "");
		jstr(files[i]);
	}
	printf("],\n  \"events\": %lld,\n  \"bad_lines\": %lld,\n", nevents,
	       nbad);
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
	printf("%s]\n}\n", firsts.h ? "\n  " : "");
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

static void text_report(int nfiles)
{
	printf("%lld events from %d trace%s", nevents, nfiles,
	       nfiles == 1 ? "" : "s");
	if (nbad)
		printf(", %lld bad line%s skipped", nbad, nbad == 1 ? "" : "s");
	putchar('\n');
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

static int help(void)
{
	printf("Usage: netshim report [OPTION]... [FILE]...\n"
	       "Summarise JSON traces (NETSHIM_FORMAT=json): calls, errors "
	       "by errno,\nfamilies and protocols, destinations, policy "
	       "actions, and the first failure\nof each kind with its "
	       "backtrace. With no FILE, or when FILE is -, read\nstandard "
	       "input.\n\n"
	       "      --json    one JSON object instead of text\n"
	       "  -h, --help    display this help and exit\n\n"
	       "Lines that are not trace events are reported on standard "
	       "error with their\nline number and skipped.\n"
	       "Exit status: 0, 1 if a trace could not be read (the others "
	       "are summarised),\n2 for a usage error.\n");
	return CLI_EXIT_OK;
}

int cli_cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char *dash[] = { "-" };
	bool as_json = false;
	char **files;
	int c, nfiles, nread = 0, rc = CLI_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h')
			return help();
		if (c == 'j')
			as_json = true;
		else
			return cli_usage_error(CMD, "unknown option '%s'",
					      argv[optind - 1]);
	}
	files = optind < argc ? argv + optind : dash;
	nfiles = optind < argc ? argc - optind : 1;
	for (int i = 0; i < nfiles; i++) {
		if (read_trace(files[i]) == CLI_EXIT_OK)
			nread++;
		else
			rc = CLI_EXIT_FAIL;
	}
	HASH_SRT(hh, calls.h, by_call);
	HASH_SRT(hh, errors.h, by_call);
	HASH_SRT(hh, families.h, by_count);
	HASH_SRT(hh, protocols.h, by_count);
	HASH_SRT(hh, dests.h, by_count);
	HASH_SRT(hh, policies.h, by_count);
	HASH_SRT(hh, injected.h, by_count);
	HASH_SRT(hh, firsts.h, by_seq);
	if (as_json)
		json_report(files, nfiles);
	else
		text_report(nread);	/* the traces that could be read */
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = CLI_EXIT_FAIL;
	return rc;
}
