// SPDX-License-Identifier: LGPL-2.1-or-later
/* Several JSON traces read as one stream in time order: a k-way merge on the
 * lines' times, one buffered line per file, and the refusal of files that
 * are not JSON traces. */
#include "traces.h"
#include "cli.h"
#include "jout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A line longer than this is garbage, not a reason to eat all memory. */
#define LINE_MAX_BYTES (1024 * 1024)
#define CHUNK 65536
/* Lines looked at to tell a trace from something else. */
#define SNIFF_LINES 8

struct src {
	const char *name;
	int fd;
	char *buf;
	size_t off, len, cap;
	unsigned long lineno;
	bool eof, skipping;
	bool head_open;		/* the head has no newline: the file's end */
	/* The line waiting its turn. */
	char *head;
	size_t headlen;
	unsigned long headno;
	long long t;
};

struct cli_traces {
	const char *cmd;
	struct src *src;
	unsigned nsrc;
	unsigned *heap;		/* indexes of sources with a head */
	unsigned nheap;
	int pending;		/* source to advance before the next event */
	long long nbad;
	int nread;
	bool read_error;
	struct cli_json json;
	struct cli_json sniff;
};

/* @n digits at @p as a number, or -1. */
static int digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

long long cli_ts_us(const char *ts)
{
	/* Twice per event: by hand, and the day's number kept. */
	static char last_day[10];
	static long long last_days = -1;
	int h, mi, s, us;
	long long days;

	if (!ts || strnlen(ts, 28) != 27 || ts[4] != '-' || ts[7] != '-' ||
	    ts[10] != 'T' || ts[13] != ':' || ts[16] != ':' ||
	    ts[19] != '.' || ts[26] != 'Z')
		return -1;
	h = digits(ts + 11, 2);
	mi = digits(ts + 14, 2);
	s = digits(ts + 17, 2);
	us = digits(ts + 20, 6);
	if (h < 0 || mi < 0 || s < 0 || us < 0)
		return -1;
	if (last_days >= 0 && !memcmp(ts, last_day, 10)) {
		days = last_days;
	} else {
		int y = digits(ts, 4), mo = digits(ts + 5, 2),
		    d = digits(ts + 8, 2);

		if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
			return -1;
		/* Days from civil (H. Hinnant's algorithm): no timegm, no
		 * time zone. */
		y -= mo <= 2;
		{
			long long era = y / 400;
			unsigned yoe = (unsigned)(y - era * 400);
			unsigned m3 = (unsigned)(mo + (mo > 2 ? -3 : 9));
			unsigned doy = (153 * m3 + 2) / 5 + (unsigned)d - 1;
			unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

			days = era * 146097 + (long long)doe - 719468;
		}
		memcpy(last_day, ts, 10);
		last_days = days;
	}
	return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000000LL) + us;
}

/* Reads more: false at end of file or on error (said). */
static bool fill(struct cli_traces *t, struct src *s, size_t limit)
{
	ssize_t n;

	if (s->eof)
		return false;
	if (s->off) {
		memmove(s->buf, s->buf + s->off, s->len - s->off);
		s->len -= s->off;
		s->off = 0;
	}
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : CHUNK;
		char *p;

		if (cap > limit)
			cap = limit;
		if (cap <= s->cap)
			return true;	/* full: the caller decides */
		p = realloc(s->buf, cap);
		if (!p) {
			fprintf(stderr, "netshim: out of memory\n");
			exit(CLI_EXIT_FAIL);
		}
		s->buf = p;
		s->cap = cap;
	}
	do
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "netshim %s: %s: %s\n", t->cmd, s->name,
			strerror(errno));
		t->read_error = true;
	}
	if (n <= 0) {
		s->eof = true;
		return false;
	}
	s->len += (size_t)n;
	return true;
}

/* The next line of @s into its head; false at its end. */
static bool next_line(struct cli_traces *t, struct src *s)
{
	for (;;) {
		char *nl = memchr(s->buf + s->off, '\n', s->len - s->off);

		if (nl) {
			char *p = s->buf + s->off;

			s->off = (size_t)(nl + 1 - s->buf);
			s->lineno++;
			if (s->skipping) {
				s->skipping = false;
				continue;
			}
			s->head = p;
			s->head_open = false;
			s->headlen = (size_t)(nl - p);
			s->headno = s->lineno;
			return true;
		}
		if (s->len - s->off == LINE_MAX_BYTES) {
			if (!s->skipping) {
				fprintf(stderr, "netshim %s: %s:%lu: not a "
					"trace line: longer than 1 MiB\n",
					t->cmd, s->name, s->lineno + 1);
				t->nbad++;
			}
			s->skipping = true;
			s->off = s->len;
		}
		if (!fill(t, s, LINE_MAX_BYTES)) {
			if (s->len == s->off || s->skipping)
				return false;
			/* The last bytes, without a newline: a whole event
			 * (a hand-made file), or a line being written. */
			s->lineno++;
			s->head = s->buf + s->off;
			s->head_open = true;
			s->headlen = s->len - s->off;
			s->headno = s->lineno;
			s->off = s->len;
			return true;
		}
	}
}

static bool is_text_trace(const char *p, size_t n)
{
	/* "06:55:43.492673 curl[4151/4151] socket(...)" */
	static const char form[] = "dd:dd:dd.dddddd ";

	if (n < sizeof(form) - 1)
		return false;
	for (size_t i = 0; i < sizeof(form) - 1; i++)
		if (form[i] == 'd' ? p[i] < '0' || p[i] > '9' : p[i] != form[i])
			return false;
	return memchr(p, '[', n) && memchr(p, '(', n);
}

static bool is_binary(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' &&
			       c != '\n'))
			return true;
	}
	return false;
}

/*
 * What the first lines say the file is: NULL for a trace (one of the
 * first lines is an event, or there is nothing yet), else why not.
 */
static const char *sniff(struct cli_traces *t, struct src *s, char *why,
			 size_t size)
{
	size_t pos = 0;
	const char *first_why = NULL;
	char wbuf[128];
	unsigned lines = 0;

	while (fill(t, s, CHUNK) && s->len < CHUNK &&
	       !memchr(s->buf, '\n', s->len))
		;
	if (s->len == 0)
		return NULL;	/* empty: a trace with no events yet */
	if (is_binary(s->buf, s->len < 4096 ? s->len : 4096))
		return "binary data, not a netshim trace";
	while (pos < s->len && lines < SNIFF_LINES) {
		char *nl = memchr(s->buf + pos, '\n', s->len - pos);
		size_t n = nl ? (size_t)(nl - (s->buf + pos)) : s->len - pos;
		char *copy;
		const char *w;
		int bad;

		if (!nl && !s->eof)
			break;	/* a line still being written */
		if (!lines && is_text_trace(s->buf + pos, n))
			return "a text trace (netshim's default format); "
			       "only JSON traces can be read: record one with "
			       "'netshim run --json -o FILE' "
			       "(NETSHIM_FORMAT=json)";
		copy = cli_xmalloc(n + 1);
		memcpy(copy, s->buf + pos, n);
		bad = cli_jsonl_event(&t->sniff, copy, n, wbuf, sizeof(wbuf),
				      &w);
		free(copy);
		if (!bad)
			return NULL;
		if (!lines) {
			cli_fmt(why, size, "%s", w);
			first_why = why;
		}
		lines++;
		pos += n + 1;
	}
	if (!lines)
		return s->buf[0] == '{' ? NULL :
		       "not a JSON trace: its first line does not start with "
		       "'{'; record one with 'netshim run --json -o FILE'";
	cli_fmt(wbuf, sizeof(wbuf), "%s", first_why);
	cli_fmt(why, size, "not a JSON trace (line 1: %s); record one with "
		 "'netshim run --json -o FILE'", wbuf);
	return why;
}

static bool before(const struct cli_traces *t, unsigned a, unsigned b)
{
	const struct src *x = &t->src[a], *y = &t->src[b];

	return x->t != y->t ? x->t < y->t : a < b;
}

static void heap_push(struct cli_traces *t, unsigned i)
{
	unsigned k = t->nheap++;

	while (k && before(t, i, t->heap[(k - 1) / 2])) {
		t->heap[k] = t->heap[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	t->heap[k] = i;
}

static unsigned heap_pop(struct cli_traces *t)
{
	unsigned top = t->heap[0], last = t->heap[--t->nheap], k = 0;

	for (;;) {
		unsigned c = 2 * k + 1;

		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap && before(t, t->heap[c + 1], t->heap[c]))
			c++;
		if (!before(t, t->heap[c], last))
			break;
		t->heap[k] = t->heap[c];
		k = c;
	}
	if (t->nheap)
		t->heap[k] = last;
	return top;
}

/* The head's time, read without parsing the line: events begin with
 * {"ts":"...". A line without one keeps its place after the one before. */
static void advance(struct cli_traces *t, unsigned i)
{
	struct src *s = &t->src[i];
	char ts[28];

	if (!next_line(t, s)) {
		if (s->fd > STDIN_FILENO)
			close(s->fd);
		s->fd = -1;
		return;
	}
	if (s->headlen >= 7 + 27 && !memcmp(s->head, "{\"ts\":\"", 7)) {
		long long v;

		memcpy(ts, s->head + 7, 27);
		ts[27] = '\0';
		v = cli_ts_us(ts);
		if (v >= 0)
			s->t = v;
	}
	heap_push(t, i);
}

struct cli_traces *cli_traces_open(const char *cmd, char **files, int n,
				   int *rc)
{
	struct cli_traces *t = cli_xmalloc(sizeof(*t));
	char why[256];

	memset(t, 0, sizeof(*t));
	t->cmd = cmd;
	t->pending = -1;
	t->src = cli_xmalloc((size_t)n * sizeof(*t->src));
	t->heap = cli_xmalloc((size_t)n * sizeof(*t->heap));
	for (int k = 0; k < n; k++) {
		struct src *s = &t->src[t->nsrc];
		const char *no;

		memset(s, 0, sizeof(*s));
		if (!strcmp(files[k], "-")) {
			s->name = "(standard input)";
			s->fd = STDIN_FILENO;
		} else {
			s->name = files[k];
			s->fd = open(files[k], O_RDONLY | O_CLOEXEC);
			if (s->fd < 0) {
				fprintf(stderr, "netshim %s: %s: %s\n", cmd,
					s->name, strerror(errno));
				*rc = CLI_EXIT_FAIL;
				continue;
			}
		}
		no = sniff(t, s, why, sizeof(why));
		if (no || t->read_error) {
			if (no)
				fprintf(stderr, "netshim %s: %s: %s\n", cmd,
					s->name, no);
			*rc = CLI_EXIT_FAIL;
			t->read_error = false;
			if (s->fd > STDIN_FILENO)
				close(s->fd);
			free(s->buf);
			continue;
		}
		t->nread++;
		advance(t, t->nsrc++);
	}
	return t;
}

static const char *code(struct cli_ev *ev, int i, char *tmp)
{
	const struct cli_jtok *k;

	if (cli_json_none(ev->j, i))
		return NULL;
	k = &ev->j->tok[i];
	if (k->type == CLI_JSTR)
		return k->str;
	cli_fmt(tmp, sizeof(ev->num[0]), "%.*s", (int)k->len, k->str);
	return tmp;
}

/* One pass over the members: each event is looked at once per key. */
static void pick(struct cli_ev *ev)
{
	struct cli_json *j = ev->j;
	int sock = -1;

	ev->ts = ev->prog = ev->call = ev->err = ev->gai = NULL;
	ev->addr = ev->policy = ev->injected = NULL;
	ev->has_fd = false;
	for (unsigned k = 1; k < j->tok[0].end; k = j->tok[k].end) {
		const char *key = j->tok[k].key;
		int i = (int)k;

		switch (key[0]) {
		case 'a':
			if (!strcmp(key, "addr"))
				ev->addr = cli_json_str(j, i);
			break;
		case 'c':
			if (!strcmp(key, "call"))
				ev->call = cli_json_str(j, i);
			break;
		case 'd':
			if (!strcmp(key, "dur_ns"))
				cli_json_int(j, i, &ev->dur_ns);
			break;
		case 'e':
			if (!strcmp(key, "errno"))
				ev->err = code(ev, i, ev->num[0]);
			else if (!strcmp(key, "error"))
				ev->gai = code(ev, i, ev->num[1]);
			break;
		case 'f':
			if (!strcmp(key, "fd"))
				ev->has_fd = cli_json_int(j, i, &ev->fd);
			break;
		case 'i':
			if (!strcmp(key, "injected"))
				ev->injected = cli_json_str(j, i);
			break;
		case 'p':
			if (!strcmp(key, "pid"))
				cli_json_int(j, i, &ev->pid);
			else if (!strcmp(key, "prog"))
				ev->prog = cli_json_str(j, i);
			else if (!strcmp(key, "policy"))
				ev->policy = cli_json_str(j, i);
			break;
		case 'r':
			if (!strcmp(key, "ret"))
				cli_json_int(j, i, &ev->ret);
			break;
		case 's':
			if (!strcmp(key, "sock"))
				sock = i;
			break;
		case 't':
			if (!strcmp(key, "ts"))
				ev->ts = cli_json_str(j, i);
			else if (!strcmp(key, "tid"))
				cli_json_int(j, i, &ev->tid);
			break;
		}
	}
	ev->t_us = cli_ts_us(ev->ts);
	ev->has_sock = sock >= 0 && j->tok[sock].type == CLI_JOBJ;
	ev->family = ev->type = ev->proto = NULL;
	if (ev->has_sock) {
		ev->family = code(ev, cli_json_get(j, sock, "family"),
				  ev->num[2]);
		ev->type = cli_json_str(j, cli_json_get(j, sock, "type"));
		ev->proto = code(ev, cli_json_get(j, sock, "protocol"),
				 ev->num[3]);
	}
}

bool cli_traces_next(struct cli_traces *t, struct cli_ev *ev)
{
	char why_buf[128];
	const char *why;

	for (;;) {
		struct src *s;
		unsigned i;

		if (t->pending >= 0)
			advance(t, (unsigned)t->pending);
		t->pending = -1;
		if (!t->nheap)
			return false;
		i = heap_pop(t);
		s = &t->src[i];
		t->pending = (int)i;
		if (!cli_jsonl_event(&t->json, s->head, s->headlen, why_buf,
				     sizeof(why_buf), &why)) {
			ev->j = &t->json;
			ev->file = s->name;
			ev->line = s->headno;
			ev->src = i;
			pick(ev);
			return true;
		}
		if (s->head_open)
			fprintf(stderr, "netshim %s: %s:%lu: the last line has "
				"no end (the trace was cut short, or is still "
				"being written): left out\n", t->cmd, s->name,
				s->headno);
		else if (s->headlen)
			fprintf(stderr, "netshim %s: %s:%lu: not a trace "
				"line: %s\n", t->cmd, s->name, s->headno, why);
		if (s->headlen)
			t->nbad++;
	}
}

long long cli_traces_bad(const struct cli_traces *t)
{
	return t->nbad;
}

int cli_traces_nread(const struct cli_traces *t)
{
	return t->nread;
}

void cli_traces_close(struct cli_traces *t, int *rc)
{
	if (!t)
		return;
	if (t->read_error)
		*rc = CLI_EXIT_FAIL;
	for (unsigned i = 0; i < t->nsrc; i++) {
		if (t->src[i].fd > STDIN_FILENO)
			close(t->src[i].fd);
		free(t->src[i].buf);
	}
	free(t->src);
	free(t->heap);
	free(t);
}
