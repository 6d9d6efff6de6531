// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim export: JSON traces as Chrome/Perfetto trace events (a track per
 * process and thread, a slice per call, lookups linked to their dials,
 * connections under way as async slices) or as OTLP/JSON logs. */
#include "cli.h"
#include "diff.h"
#include "export.h"
#include "jout.h"
#include "track.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define CMD "export"
/* Lookups remembered for linking dials; the oldest go beyond. */
#define MAX_LOOKUPS 4096

struct seen {
	UT_hash_handle hh;
	long long id;		/* pid, or tid */
};

struct lk {
	UT_hash_handle hh;
	unsigned long long seq;
	long long pid, tid, t_us;
	char hosts[CLI_ANSWERS][72];
	unsigned nhosts;
};

/* A connect under way: an async slice from connect to its answer. */
struct pend {
	UT_hash_handle hh;
	struct { long long pid, fd; } key;
	long long tid, t_us, id;
	char addr[72];
};

static struct seen *procs, *threads;
static struct lk *lks;
static struct pend *pends;
static unsigned long long lk_seq;
static long long flow_id, async_id;
static bool first_out = true;

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void sep(void)
{
	printf("%s\n", first_out ? "" : ",");
	first_out = false;
}

static bool seen(struct seen **h, long long id)
{
	struct seen *s;

	HASH_FIND(hh, *h, &id, sizeof(id), s);
	if (s)
		return true;
	s = cli_xmalloc(sizeof(*s));
	s->id = id;
	HASH_ADD(hh, *h, id, sizeof(id), s);
	return false;
}

/* Tracks: a process named after its program, a thread after its tid. */
static void tracks(const struct cli_ev *ev)
{
	if (!seen(&procs, ev->pid)) {
		sep();
		printf("{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": "
		       "%lld, \"tid\": %lld, \"args\": {\"name\": ", ev->pid,
		       ev->pid);
		cli_jput(ev->prog);
		printf("}}");
	}
	if (!seen(&threads, ev->tid)) {
		char name[96];

		cli_fmt(name, sizeof(name), "%s %lld", ev->prog, ev->tid);
		sep();
		printf("{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": "
		       "%lld, \"tid\": %lld, \"args\": {\"name\": ", ev->pid,
		       ev->tid);
		cli_jput(name);
		printf("}}");
	}
}

static void slice(const struct cli_ev *ev)
{
	bool bad = cli_export_failed(ev);
	char name[96];

	cli_fmt(name, sizeof(name), "%s%s%s", ev->call, bad ? " " : "",
		bad ? (ev->gai ? ev->gai : ev->err) : "");
	sep();
	printf("{\"ph\": \"X\", \"name\": ");
	cli_jput(name);
	printf(", \"cat\": \"%s\", \"pid\": %lld, \"tid\": %lld, \"ts\": "
	       "%lld, \"dur\": %.3f", bad ? "netshim,error" : "netshim",
	       ev->pid, ev->tid, ev->t_us, ev->dur_ns / 1e3);
	/* Chrome's reserved colour names: failures stand out. */
	if (bad)
		printf(", \"cname\": \"terrible\"");
	printf(", \"args\": {\"call\": ");
	cli_jput(cli_export_line(ev));
	printf(", \"errno\": ");
	cli_jput(ev->err);
	printf(", \"error\": ");
	cli_jput(ev->gai);
	if (ev->policy) {
		printf(", \"policy\": ");
		cli_jput(ev->policy);
	}
	if (ev->injected) {
		printf(", \"injected\": ");
		cli_jput(ev->injected);
	}
	printf(", \"file\": ");
	cli_jput(ev->file);
	printf(", \"line\": %lu}}", ev->line);
}

static void lookup(const struct cli_ev *ev)
{
	int res = cli_json_get(ev->j, 0, "results");
	struct lk *l;

	if (res < 0 || ev->j->tok[res].type != CLI_JARR)
		return;
	if (HASH_COUNT(lks) >= MAX_LOOKUPS) {
		l = lks;
		HASH_DEL(lks, l);
		free(l);
	}
	l = cli_xmalloc(sizeof(*l));
	memset(l, 0, sizeof(*l));
	l->seq = lk_seq++;
	l->pid = ev->pid;
	l->tid = ev->tid;
	l->t_us = ev->t_us;
	for (unsigned k = (unsigned)res + 1; k < ev->j->tok[res].end &&
	     l->nhosts < CLI_ANSWERS; k = ev->j->tok[k].end)
		cli_addr_host(cli_json_str(ev->j, cli_json_get(ev->j, (int)k,
							       "addr")),
			      l->hosts[l->nhosts++], sizeof(l->hosts[0]));
	HASH_ADD(hh, lks, seq, sizeof(l->seq), l);
}

/* A flow arrow from the lookup that gave the address to this connect. */
static void flow(const struct cli_ev *ev)
{
	struct lk *l, *tmp, *best = NULL;
	char host[72];

	if (!ev->addr)
		return;
	cli_addr_host(ev->addr, host, sizeof(host));
	HASH_ITER(hh, lks, l, tmp) {
		if (l->pid != ev->pid)
			continue;
		for (unsigned i = 0; i < l->nhosts; i++)
			if (!strcmp(l->hosts[i], host))
				best = l;	/* the latest wins */
	}
	if (!best)
		return;
	flow_id++;
	sep();
	printf("{\"ph\": \"s\", \"name\": \"dial\", \"cat\": \"lookup\", "
	       "\"id\": %lld, \"pid\": %lld, \"tid\": %lld, \"ts\": %lld}",
	       flow_id, best->pid, best->tid, best->t_us);
	sep();
	printf("{\"ph\": \"f\", \"bp\": \"e\", \"name\": \"dial\", \"cat\": "
	       "\"lookup\", \"id\": %lld, \"pid\": %lld, \"tid\": %lld, "
	       "\"ts\": %lld}", flow_id, ev->pid, ev->tid, ev->t_us);
}

static void pend_end(struct pend *p, long long t_us, const char *outcome)
{
	char name[96];

	cli_fmt(name, sizeof(name), "connecting %s", p->addr);
	sep();
	printf("{\"ph\": \"b\", \"name\": ");
	cli_jput(name);
	printf(", \"cat\": \"connect\", \"id\": %lld, \"pid\": %lld, "
	       "\"tid\": %lld, \"ts\": %lld}", p->id, p->key.pid, p->tid,
	       p->t_us);
	sep();
	printf("{\"ph\": \"e\", \"name\": ");
	cli_jput(name);
	printf(", \"cat\": \"connect\", \"id\": %lld, \"pid\": %lld, "
	       "\"tid\": %lld, \"ts\": %lld, \"args\": {\"outcome\": ", p->id,
	       p->key.pid, p->tid, t_us >= p->t_us ? t_us : p->t_us);
	cli_jput(outcome);
	printf("}}");
	HASH_DEL(pends, p);
	free(p);
}

/* Non-blocking connects: from EINPROGRESS to SO_ERROR, a send or close. */
static void pending(const struct cli_ev *ev)
{
	struct { long long pid, fd; } key = { ev->pid, ev->fd };
	struct pend *p;
	long long v;

	if (!ev->has_fd)
		return;
	HASH_FIND(hh, pends, &key, sizeof(key), p);
	if (is(ev->call, "connect") && is(ev->err, "EINPROGRESS") && !p) {
		p = cli_xmalloc(sizeof(*p));
		memset(p, 0, sizeof(*p));
		p->key.pid = ev->pid;
		p->key.fd = ev->fd;
		p->tid = ev->tid;
		p->t_us = ev->t_us;
		p->id = ++async_id;
		cli_cpy(p->addr, sizeof(p->addr), ev->addr);
		HASH_ADD(hh, pends, key, sizeof(p->key), p);
		return;
	}
	if (!p)
		return;
	if (is(ev->call, "getsockopt") && !ev->err &&
	    is(cli_json_str(ev->j, cli_json_get(ev->j, 0, "option")),
	       "SO_ERROR") &&
	    cli_json_int(ev->j, cli_json_get(ev->j, 0, "value"), &v))
		pend_end(p, ev->t_us, v ? "failed" : "connected");
	else if (is(ev->call, "close"))
		pend_end(p, ev->t_us, "never completed");
	else if ((is(ev->call, "sendto") || is(ev->call, "sendmsg") ||
		  is(ev->call, "connect")) && !ev->err)
		pend_end(p, ev->t_us, "connected");
}

static int help(void)
{
	printf("Usage: netshim export --format=FORMAT [FILE]...\n"
	       "Write JSON traces (several merged in time order) in another "
	       "format, on\nstandard output. With no FILE, or when FILE is -, "
	       "read standard input.\n\n"
	       "  -f, --format=FORMAT    perfetto: Chrome/Perfetto trace-event "
	       "JSON for\n"
	       "                         ui.perfetto.dev and chrome://tracing: "
	       "a track per\n"
	       "                         process and thread, a slice per call, "
	       "failures\n"
	       "                         marked, lookups linked to the dials "
	       "that followed,\n"
	       "                         connects under way as async slices\n"
	       "                         otlp: OpenTelemetry OTLP/JSON logs, "
	       "one request a\n"
	       "                         line (the collector's otlpjsonfile "
	       "receiver reads\n"
	       "                         them)\n"
	       "  -h, --help             display this help and exit\n\n"
	       "Exit status: 0, 1 if a file could not be read or is not a "
	       "JSON trace, 2 for\na usage error.\n");
	return CLI_EXIT_OK;
}

int cli_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char *dash[] = { "-" };
	const char *format = NULL;
	struct cli_traces *t;
	struct cli_ev ev;
	int c, rc = CLI_EXIT_OK;
	bool otlp;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hf:", longopts, NULL)) != -1) {
		if (c == 'h')
			return help();
		if (c == 'f')
			format = optarg;
		else if (c == ':')
			return cli_usage_error(CMD, "option '%s' needs a value",
					      argv[optind - 1]);
		else
			return cli_usage_error(CMD, "unknown option '%s'",
					      argv[optind - 1]);
	}
	if (!format)
		return cli_usage_error(CMD, "--format is needed: perfetto or "
				      "otlp");
	if (!is(format, "perfetto") && !is(format, "otlp"))
		return cli_usage_error(CMD, "--format=%s: expected perfetto or "
				      "otlp", format);
	otlp = is(format, "otlp");
	t = cli_traces_open(CMD, optind < argc ? argv + optind : dash,
			    optind < argc ? argc - optind : 1, &rc);
	if (!otlp)
		printf("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [");
	while (cli_traces_next(t, &ev)) {
		if (otlp) {
			cli_otlp_event(&ev);
			continue;
		}
		tracks(&ev);
		slice(&ev);
		if (!strncmp(ev.call, "getaddrinfo", 11) ||
		    !strncmp(ev.call, "gethostbyname", 13))
			lookup(&ev);
		else if (is(ev.call, "connect") || is(ev.call, "sendto"))
			flow(&ev);
		pending(&ev);
	}
	if (otlp) {
		cli_otlp_end();
	} else {
		while (pends)
			pend_end(pends, -1, "in progress at the end of the "
				 "trace");
		printf("\n]}\n");
	}
	cli_traces_close(t, &rc);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = CLI_EXIT_FAIL;
	return rc;
}
