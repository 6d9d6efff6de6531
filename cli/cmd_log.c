// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim log: show a JSON trace as aligned, optionally coloured lines, and
 * follow a trace file that is still being written, as tail -F does. */
#include "../src/buf.h"
#include "cli.h"
#include "../src/compiler.h"
#include "../src/event.h"
#include "jsonl.h"
#include "tail.h"
#include "traces.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CMD "log"
#define MAX_PIDS 64

#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_POLICY "\033[1;33m"
#define C_OFF "\033[0m"

struct opts {
	bool follow;
	bool errors;
	bool color;
	size_t npids;
	long long pids[MAX_PIDS];
	ns_callmask calls;	/* 0: every call */
};

/*
 * Columns: each has a width that grows to the widest value seen, up to a
 * cap, so a run keeps its alignment and one huge value does not push every
 * later line to the right; what is wider than the cap overflows its line.
 */
enum col { COL_TIME, COL_PID, COL_PROG, COL_CALL, COL_SOCK, COL_ARGS,
	   COL_RES, COL_DUR, COL_POLICY, COL_BT, COL_TRUNC, NCOLS };
static size_t width[NCOLS] = { 15, 9, 4, 6, 8, 8, 3, 5 };
static const size_t width_cap[NCOLS] = { 15, 15, 16, 14, 24, 56, 24, 9 };
/* Rows rendered before the widths are fixed for them. */
#define BATCH 256

static struct cli_json json_mem;
/* The event at hand: parsed here (-f) or by the merging reader. */
static struct cli_json *jp = &json_mem;

static int help(void)
{
	printf("Usage: netshim log [OPTION]... [FILE]...\n"
	       "Show a JSON trace (NETSHIM_FORMAT=json) as aligned lines: "
	       "time, pid/tid,\nprogram, call, socket, arguments, result and "
	       "errno, duration, policy.\nSeveral files (a -o t.%%p.json set) "
	       "are merged in time order. With no FILE,\nor when FILE is -, "
	       "read standard input.\n\n"
	       "  -f, --follow          keep reading as the file grows; wait "
	       "for it to\n"
	       "                          appear, reopen it when it is "
	       "replaced (rotation),\n"
	       "                          start again when it is truncated\n"
	       "      --pid=PID[,PID]   only events of these processes\n"
	       "      --call=CALL[,CALL]  only these calls (connect, "
	       "getaddrinfo, ...)\n"
	       "      --errors          only failed calls (errno or lookup "
	       "error set)\n"
	       "      --color[=WHEN]    colour the output: auto (the default: "
	       "on a terminal,\n"
	       "                          unless NO_COLOR is set), always, "
	       "never\n"
	       "  -h, --help            display this help and exit\n\n"
	       "Lines that are not trace events are reported on standard "
	       "error with their\nline number and skipped.\n"
	       "Exit status: 0 if the trace was read, 1 if it could not be "
	       "opened or read,\n2 for a usage error.\n");
	return CLI_EXIT_OK;
}

static int parse_pids(struct opts *o, const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(tok, &end, 10);
		if (errno || *end || end == tok || v <= 0 ||
		    o->npids == MAX_PIDS) {
			rc = cli_usage_error(CMD, "--pid: '%s' is not a process "
					    "id (at most %d of them)", tok,
					    MAX_PIDS);
			break;
		}
		o->pids[o->npids++] = v;
	}
	if (!rc && !o->npids)
		rc = cli_usage_error(CMD, "--pid needs a process id");
	free(copy);
	return rc;
}

static int parse_calls(struct opts *o, const char *arg)
{
	const char *p = arg;

	for (;;) {
		size_t n = strcspn(p, ",");
		char name[32];
		enum ns_call c;

		if (n == 0 || n >= sizeof(name))
			return cli_usage_error(CMD, "--call: '%.*s' is not a "
					      "call netshim traces", (int)n, p);
		memcpy(name, p, n);
		name[n] = '\0';
		if (!ns_call_by_name(name, &c))
			return cli_usage_error(CMD, "--call: '%s' is not a "
					      "call netshim traces", name);
		o->calls |= NS_CALLBIT(c);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static bool wanted(const struct opts *o)
{
	long long pid = 0;
	enum ns_call c;

	if (o->npids) {
		size_t i;

		cli_json_int(jp, cli_json_get(jp, 0, "pid"), &pid);
		for (i = 0; i < o->npids && o->pids[i] != pid; i++)
			;
		if (i == o->npids)
			return false;
	}
	if (o->calls &&
	    (!ns_call_by_name(cli_json_str(jp, cli_json_get(jp, 0, "call")),
			      &c) || !(o->calls & NS_CALLBIT(c))))
		return false;
	return !o->errors || cli_jsonl_failed(jp);
}

/* "AF_INET6" -> "INET6": the column is for scanning, the prefix is noise. */
static void put_short(struct ns_buf *b, int i, const char *prefix)
{
	const char *s = cli_json_str(jp, i);

	if (s && !strncmp(s, prefix, strlen(prefix)) && s[strlen(prefix)])
		ns_buf_esc(b, s + strlen(prefix), SIZE_MAX);
	else if (s)
		ns_buf_esc(b, s, SIZE_MAX);
	else if (i >= 0 && jp->tok[i].type == CLI_JNUM)
		ns_buf_mem(b, jp->tok[i].str, jp->tok[i].len);
	else
		ns_buf_putc(b, '?');
}

static void put_sock(struct ns_buf *b)
{
	int fd = cli_json_get(jp, 0, "fd");
	int sock = cli_json_get(jp, 0, "sock");
	const char *call = cli_json_str(jp, cli_json_get(jp, 0, "call"));

	/* socket's fd is its result, shown there. */
	if (fd < 0 || !strcmp(call, "socket"))
		return;
	if (jp->tok[fd].type == CLI_JNUM)
		ns_buf_mem(b, jp->tok[fd].str, jp->tok[fd].len);
	if (sock < 0 || jp->tok[sock].type != CLI_JOBJ)
		return;
	ns_buf_putc(b, ' ');
	put_short(b, cli_json_get(jp, sock, "family"), "AF_");
	ns_buf_putc(b, '/');
	put_short(b, cli_json_get(jp, sock, "type"), "SOCK_");
	ns_buf_putc(b, '/');
	put_short(b, cli_json_get(jp, sock, "protocol"), "IPPROTO_");
}

/*
 * The call's own keys, between "call" and "ret" as README orders them:
 * names bare, the program's strings quoted, numbers as key=N, lookup results
 * after "->". fd and sock have their column, error goes with the result.
 */
static void put_args(struct ns_buf *b)
{
	bool in = false;

	for (unsigned k = 1; k < jp->tok[0].end; k = jp->tok[k].end) {
		const struct cli_jtok *t = &jp->tok[k];
		const char *key = t->key;

		if (!strcmp(key, "call")) {
			in = true;
			continue;
		}
		if (!strcmp(key, "ret"))
			break;
		if (!in || !strcmp(key, "fd") || !strcmp(key, "sock") ||
		    !strcmp(key, "error"))
			continue;
		if (!strcmp(key, "flags") && t->type == CLI_JSTR &&
		    !strcmp(t->str, "0"))
			continue;
		if (b->len)
			ns_buf_putc(b, ' ');
		if (!strcmp(key, "results")) {
			ns_buf_str(b, "-> ");
		} else if (t->type == CLI_JNUM || t->type == CLI_JARR ||
			   !strcmp(key, "value") || !strcmp(key, "host") ||
			   !strcmp(key, "serv")) {
			ns_buf_esc(b, key, SIZE_MAX);
			ns_buf_putc(b, '=');
		}
		cli_jsonl_text(b, jp, (int)k, cli_jsonl_quoted(key));
	}
}

static void put_code(struct ns_buf *b, int i)
{
	if (cli_json_none(jp, i))
		return;
	ns_buf_putc(b, ' ');
	cli_jsonl_text(b, jp, i, false);
}

static void put_dur(struct ns_buf *b)
{
	long long ns = 0;
	char tmp[32];

	cli_json_int(jp, cli_json_get(jp, 0, "dur_ns"), &ns);
	if (ns < 1000)
		snprintf(tmp, sizeof(tmp), "%lldns", ns);
	else if (ns < 1000000)
		snprintf(tmp, sizeof(tmp), "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(tmp, sizeof(tmp), "%.1fms", ns / 1e6);
	else
		snprintf(tmp, sizeof(tmp), "%.2fs", ns / 1e9);
	ns_buf_str(b, tmp);
}

static void put_time(struct ns_buf *b)
{
	const char *ts = cli_json_str(jp, cli_json_get(jp, 0, "ts"));
	const char *t = strchr(ts, 'T');

	/* The date is the same on every line that matters; the time of day
	 * is what a reader scans. */
	if (t && strspn(t + 1, "0123456789:.") >= 15)
		ns_buf_mem(b, t + 1, 15);
	else
		ns_buf_esc(b, ts, SIZE_MAX);
}

/*
 * Rows wait here until a batch is full, the input ends or -f has read all
 * there is for now: the widths then come from the rows about to be shown,
 * not only from those before them.
 */
struct row {
	char *mem;
	size_t off[NCOLS], len[NCOLS];
	bool failed;
};

static struct row rows[BATCH];
static size_t nrows;

static void put_col(const struct row *r, enum col c, const char *color,
		    bool right, const struct opts *o)
{
	size_t pad = r->len[c] < width[c] ? width[c] - r->len[c] : 0;

	if (right)
		printf("%*s", (int)pad, "");
	if (o->color && color && r->len[c])
		printf("%s%.*s%s", color, (int)r->len[c], r->mem + r->off[c],
		       C_OFF);
	else
		fwrite(r->mem + r->off[c], 1, r->len[c], stdout);
	if (!right && c < COL_DUR)
		printf("%*s ", (int)pad, "");
}

static void flush_rows(const struct opts *o)
{
	for (size_t i = 0; i < nrows; i++)
		for (int c = 0; c < NCOLS; c++)
			if (rows[i].len[c] > width[c] &&
			    width[c] < width_cap[c])
				width[c] = rows[i].len[c] < width_cap[c] ?
					   rows[i].len[c] : width_cap[c];
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		put_col(r, COL_TIME, C_DIM, false, o);
		put_col(r, COL_PID, NULL, false, o);
		put_col(r, COL_PROG, NULL, false, o);
		put_col(r, COL_CALL, r->failed ? C_RED : C_BOLD, false, o);
		put_col(r, COL_SOCK, NULL, false, o);
		put_col(r, COL_ARGS, NULL, false, o);
		put_col(r, COL_RES, r->failed ? C_RED : NULL, false, o);
		put_col(r, COL_DUR, C_DIM, true, o);
		for (int c = COL_POLICY; c < NCOLS; c++) {
			if (!r->len[c])
				continue;
			fputs("  ", stdout);
			put_col(r, (enum col)c, c == COL_POLICY ? C_POLICY :
				c == COL_BT ? C_DIM : NULL, false, o);
		}
		putchar('\n');
		free(r->mem);
	}
	nrows = 0;
	fflush(stdout);
}

static void put_bt(struct ns_buf *b)
{
	int i = cli_json_get(jp, 0, "bt");

	if (i < 0 || jp->tok[i].type != CLI_JARR || !jp->tok[i].n)
		return;
	ns_buf_str(b, "bt: ");
	for (unsigned k = (unsigned)i + 1; k < jp->tok[i].end;
	     k = jp->tok[k].end) {
		if (k != (unsigned)i + 1)
			ns_buf_str(b, " < ");
		cli_jsonl_text(b, jp, (int)k, false);
	}
}

static void render(const struct opts *o)
{
	static char mem[NCOLS][8192];
	struct ns_buf f[NCOLS];
	struct row *r;
	size_t total = 0;
	long long v = 0;
	int i;

	for (i = 0; i < NCOLS; i++)
		ns_buf_init(&f[i], mem[i], sizeof(mem[i]));
	put_time(&f[COL_TIME]);
	cli_json_int(jp, cli_json_get(jp, 0, "pid"), &v);
	ns_buf_i64(&f[COL_PID], v);
	ns_buf_putc(&f[COL_PID], '/');
	cli_json_int(jp, cli_json_get(jp, 0, "tid"), &v);
	ns_buf_i64(&f[COL_PID], v);
	ns_buf_esc(&f[COL_PROG],
		   cli_json_str(jp, cli_json_get(jp, 0, "prog")), 64);
	ns_buf_esc(&f[COL_CALL],
		   cli_json_str(jp, cli_json_get(jp, 0, "call")), 64);
	put_sock(&f[COL_SOCK]);
	put_args(&f[COL_ARGS]);
	ns_buf_str(&f[COL_RES], "= ");
	cli_json_int(jp, cli_json_get(jp, 0, "ret"), &v);
	ns_buf_i64(&f[COL_RES], v);
	put_code(&f[COL_RES], cli_json_get(jp, 0, "errno"));
	put_code(&f[COL_RES], cli_json_get(jp, 0, "error"));
	put_dur(&f[COL_DUR]);
	i = cli_json_get(jp, 0, "policy");
	if (cli_json_str(jp, i)) {
		ns_buf_str(&f[COL_POLICY], "policy: ");
		ns_buf_esc(&f[COL_POLICY], jp->tok[i].str, SIZE_MAX);
	}
	i = cli_json_get(jp, 0, "injected");
	if (cli_json_str(jp, i)) {
		ns_buf_str(&f[COL_POLICY], f[COL_POLICY].len ? " injected: "
							     : "injected: ");
		ns_buf_esc(&f[COL_POLICY], jp->tok[i].str, SIZE_MAX);
	}
	put_bt(&f[COL_BT]);
	i = cli_json_get(jp, 0, "truncated");
	if (i >= 0 && jp->tok[i].type == CLI_JTRUE)
		ns_buf_str(&f[COL_TRUNC], "(truncated)");

	for (i = 0; i < NCOLS; i++)
		total += f[i].len;
	r = &rows[nrows];
	r->mem = cli_xmalloc(total ? total : 1);
	total = 0;
	for (i = 0; i < NCOLS; i++) {
		memcpy(r->mem + total, f[i].p, f[i].len);
		r->off[i] = total;
		r->len[i] = f[i].len;
		total += f[i].len;
	}
	r->failed = cli_jsonl_failed(jp);
	if (++nrows == BATCH)
		flush_rows(o);
}

static void idle(struct cli_tail *s)
{
	flush_rows(s->ctx);
}

/* Garbage goes to stderr in order with the good lines. */
static void bad_line(struct cli_tail *s, const char *why)
{
	flush_rows(s->ctx);
	fprintf(stderr, "netshim log: %s:%lu: not a trace line: %s\n",
		s->name, s->lineno, why);
}

/* One complete line from the reader (tail.c). */
static void take_line(struct cli_tail *s, char *line, size_t len)
{
	const struct opts *o = s->ctx;
	char why_buf[128];
	const char *why;

	if (cli_jsonl_event(jp, line, len, why_buf, sizeof(why_buf),
			   &why)) {
		bad_line(s, why);
		return;
	}
	if (wanted(o))
		render(o);
}

/* Every FILE (a -o t.%p.json set) as one trace in time order. */
static int read_merged(const struct opts *o, int n, char **files)
{
	static char *dash[] = { "-" };
	int rc = CLI_EXIT_OK;
	struct cli_traces *t = cli_traces_open(CMD, files ? files : dash, n,
					       &rc);
	struct cli_ev ev;

	while (cli_traces_next(t, &ev)) {
		jp = ev.j;
		if (wanted(o))
			render(o);
	}
	flush_rows(o);
	cli_traces_close(t, &rc);
	return rc;
}

static int parse_color(struct opts *o, const char *arg)
{
	if (!arg || !strcmp(arg, "always"))
		o->color = true;
	else if (!strcmp(arg, "never"))
		o->color = false;
	else if (!strcmp(arg, "auto"))
		return 1;
	else
		return cli_usage_error(CMD, "--color: '%s' is not one of auto, "
				      "always, never", arg);
	return 0;
}

int cli_cmd_log(int argc, char **argv)
{
	enum { OPT_PID = 256, OPT_CALL, OPT_ERRORS, OPT_COLOR };
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "call", required_argument, NULL, OPT_CALL },
		{ "errors", no_argument, NULL, OPT_ERRORS },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct cli_tail s = { .cmd = CMD, .line = take_line, .bad = bad_line,
			     .idle = idle, .ctx = &o };
	const char *no_color = getenv("NO_COLOR");
	int c, rc, color_auto = 1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.follow = true;
			break;
		case 'h':
			return help();
		case OPT_PID:
			if (parse_pids(&o, optarg))
				return CLI_EXIT_USAGE;
			break;
		case OPT_CALL:
			if (parse_calls(&o, optarg))
				return CLI_EXIT_USAGE;
			break;
		case OPT_ERRORS:
			o.errors = true;
			break;
		case OPT_COLOR:
			color_auto = parse_color(&o, optarg);
			if (color_auto > 1)
				return CLI_EXIT_USAGE;
			break;
		case ':':
			return cli_usage_error(CMD, "option '%s' needs a value",
					      argv[optind - 1]);
		default:
			return cli_usage_error(CMD, "unknown option '%s'",
					      argv[optind - 1]);
		}
	}
	if (o.follow && argc - optind > 1)
		return cli_usage_error(CMD, "-f follows one trace: '%s' is one "
				      "too many", argv[optind + 1]);
	/* https://no-color.org: an explicit --color still wins. */
	if (color_auto)
		o.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);

	s.path = optind < argc && strcmp(argv[optind], "-") ? argv[optind] :
							       NULL;
	s.name = s.path ? s.path : "(standard input)";
	if (s.path && o.follow) {
		rc = cli_tail_follow(&s);
		cli_tail_done(&s);
	} else {
		rc = read_merged(&o, optind < argc ? argc - optind : 1,
				 optind < argc ? argv + optind : NULL);
	}
	/* flush_rows flushed already: the error indicator tells. */
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_FAIL;
	return rc;
}
