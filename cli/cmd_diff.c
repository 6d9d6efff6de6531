// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim diff: two traces of one program aligned call by call per process,
 * socket and lookup; the first call that differs, then what differs in
 * families, protocols, options and errors. Exit status as diff(1). */
#include "cli.h"
#include "diff.h"
#include "jout.h"
#include "traces.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define CMD "diff"

/* An event waiting for its counterpart on the other side. */
struct item {
	struct item *next;
	char *norm, *shown;
	const char *file;
	unsigned long line;
};

/* One aligned stream: a process's k-th socket, its n-th lookup of a name,
 * or its other calls. */
struct stream {
	UT_hash_handle hh;
	struct item *head, *tail;
	int side;		/* whose items are queued */
	char *last[2];		/* the last event of each side: repeats fold */
	bool closed[2];
	char key[];
};

/* Per side: processes in order of appearance, their sockets by fd. */
struct proc {
	UT_hash_handle hh;
	long long pid;
	unsigned idx, nsock;
};

struct fdmap {
	UT_hash_handle hh;
	struct { long long pid, fd; } key;
	unsigned sock;
};

struct namecount {
	UT_hash_handle hh;
	unsigned n;
	char key[];
};

struct side {
	struct cli_traces *t;
	struct proc *procs;
	unsigned nprocs;
	struct fdmap *fds;
	struct namecount *names;
	long long events;
	bool done;
};

static struct stream *streams;
static struct side sides[2];
static bool differ;
static long long queued;

static struct proc *proc_of(struct side *s, long long pid)
{
	struct proc *p;

	HASH_FIND(hh, s->procs, &pid, sizeof(pid), p);
	if (!p) {
		p = cli_xmalloc(sizeof(*p));
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		p->idx = s->nprocs++;
		HASH_ADD(hh, s->procs, pid, sizeof(pid), p);
	}
	return p;
}

static struct fdmap *fd_of(struct side *s, long long pid, long long fd)
{
	struct fdmap *m;
	struct { long long pid, fd; } key = { pid, fd };

	HASH_FIND(hh, s->fds, &key, sizeof(key), m);
	return m;
}

static void fd_set_sock(struct side *s, long long pid, long long fd,
			unsigned sock)
{
	struct fdmap *m = fd_of(s, pid, fd);

	if (!m) {
		m = cli_xmalloc(sizeof(*m));
		m->key.pid = pid;
		m->key.fd = fd;
		HASH_ADD(hh, s->fds, key, sizeof(m->key), m);
	}
	m->sock = sock;
}

static void fd_drop(struct side *s, long long pid, long long fd)
{
	struct fdmap *m = fd_of(s, pid, fd);

	if (m) {
		HASH_DEL(s->fds, m);
		free(m);
	}
}

static unsigned name_count(struct side *s, const char *key)
{
	struct namecount *c;
	size_t n = strlen(key);

	HASH_FIND(hh, s->names, key, n, c);
	if (!c) {
		c = cli_xmalloc(sizeof(*c) + n + 1);
		c->n = 0;
		memcpy(c->key, key, n + 1);
		HASH_ADD(hh, s->names, key[0], n, c);
	}
	return c->n++;
}

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* "process P: socket N", once per event: without printf. */
static void sock_key(char *key, size_t size, unsigned proc, unsigned sock)
{
	char tmp[64], *p = tmp + sizeof(tmp);
	static const char head[] = "process ";
	size_t n;

	*--p = '\0';
	do
		*--p = (char)('0' + sock % 10);
	while (sock /= 10);
	memcpy(p -= 9, ": socket ", 9);
	do
		*--p = (char)('0' + proc % 10);
	while (proc /= 10);
	n = (size_t)(tmp + sizeof(tmp) - p);
	if (n + sizeof(head) - 1 > size) {
		key[0] = '\0';
		return;
	}
	memcpy(key, head, sizeof(head) - 1);
	memcpy(key + sizeof(head) - 1, p, n);
}

/* The stream an event belongs to, in @key; *closes when it ends it. */
static void stream_key(struct side *s, const struct cli_ev *ev, char *key,
		       size_t size, bool *closes)
{
	struct proc *p = proc_of(s, ev->pid);
	const char *c = ev->call;
	struct fdmap *m;
	char name[300];

	*closes = false;
	if (!strncmp(c, "getaddrinfo", 11) ||
	    !strncmp(c, "gethostbyname", 13)) {
		const char *node = cli_json_str(ev->j, cli_json_get(ev->j, 0,
								   "node"));

		cli_fmt(name, sizeof(name), "%u %s", p->idx, node ?: "(null)");
		cli_fmt(key, size, "process %u: lookup %u of %s", p->idx + 1,
			name_count(s, name) + 1, node ?: "(null)");
		return;
	}
	/* A socket() that failed is a socket of its own: compared with the
	 * one the other side made there. */
	if (is(c, "socket") || ((is(c, "accept") || is(c, "accept4")) &&
				ev->ret >= 0)) {
		++p->nsock;
		if (ev->ret >= 0)
			fd_set_sock(s, ev->pid, ev->ret, p->nsock);
		*closes = ev->ret < 0;
		sock_key(key, size, p->idx + 1, p->nsock);
		return;
	}
	if (is(c, "socketpair") && !ev->err) {
		int fds = cli_json_get(ev->j, 0, "fds");
		long long fd;

		p->nsock++;
		for (unsigned k = (unsigned)fds + 1; fds >= 0 &&
		     k < ev->j->tok[fds].end; k = ev->j->tok[k].end)
			if (cli_json_int(ev->j, (int)k, &fd))
				fd_set_sock(s, ev->pid, fd, p->nsock);
		sock_key(key, size, p->idx + 1, p->nsock);
		return;
	}
	if (ev->has_fd && (m = fd_of(s, ev->pid, ev->fd))) {
		sock_key(key, size, p->idx + 1, m->sock);
		if ((is(c, "dup") || is(c, "dup2") || is(c, "dup3") ||
		     is(c, "fcntl")) && ev->ret >= 0 && ev->ret != ev->fd)
			fd_set_sock(s, ev->pid, ev->ret, m->sock);
		if (is(c, "close")) {
			fd_drop(s, ev->pid, ev->fd);
			*closes = true;
		}
		return;
	}
	cli_fmt(key, size, "process %u: other calls", p->idx + 1);
}

static struct stream *stream_get(const char *key)
{
	struct stream *st;
	size_t n = strlen(key);

	HASH_FIND(hh, streams, key, n, st);
	if (!st) {
		st = cli_xmalloc(sizeof(*st) + n + 1);
		memset(st, 0, sizeof(*st));
		memcpy(st->key, key, n + 1);
		HASH_ADD(hh, streams, key[0], n, st);
	}
	return st;
}

static void item_free(struct item *it)
{
	free(it->norm);
	free(it->shown);
	free(it);
}

static void stream_free(struct stream *st)
{
	while (st->head) {
		struct item *it = st->head;

		st->head = it->next;
		item_free(it);
		queued--;
	}
	free(st->last[0]);
	free(st->last[1]);
	HASH_DEL(streams, st);
	free(st);
}

/* Line @line of @file, as shown: read again, parsed, rendered. */
static char *reread(const char *file, unsigned long line)
{
	char *path = (char *)file, *norm, *shown = NULL;
	int rc = CLI_EXIT_OK;
	struct cli_traces *t = cli_traces_open(CMD, &path, 1, &rc);
	struct cli_ev ev;

	while (cli_traces_next(t, &ev))
		if (ev.line == line) {
			cli_diff_norm(&ev, &norm, &shown);
			free(norm);
			break;
		}
	cli_traces_close(t, &rc);
	return shown ? shown :
		       cli_xstrdup("(the line could not be read again)");
}

static void show(int side, const char *file, unsigned long line,
		 const char *shown)
{
	char *mine = shown ? NULL : reread(file, line);

	printf("%c ", side ? '>' : '<');
	cli_tput(file, SIZE_MAX, 1024);
	printf(":%lu: ", line);
	cli_tput(shown ? shown : mine, SIZE_MAX, 8192);
	putchar('\n');
	free(mine);
}

static void first_difference(const struct stream *st, int side_a,
			     const struct item *a, const struct item *b)
{
	/* @a is the queued side's, @b the other's (NULL: it has none). */
	const struct item *x = side_a ? b : a, *y = side_a ? a : b;

	differ = true;
	printf("First difference, ");
	cli_tput(st->key, SIZE_MAX, 512);
	printf(":\n");
	if (x)
		show(0, x->file, x->line, x->shown);
	else
		printf("< (no such call: the stream ends here)\n");
	if (y)
		show(1, y->file, y->line, y->shown);
	else
		printf("> (no such call: the stream ends here)\n");
}

/* One event of side @k into its stream: matched against the other side's
 * queue, or queued. */
static void align(int k, const struct cli_ev *ev)
{
	char key[400], *norm, *shown;
	struct stream *st;
	bool closes;

	if (differ)	/* the summary needs no more alignment */
		return;
	stream_key(&sides[k], ev, key, sizeof(key), &closes);
	cli_diff_norm(ev, &norm, NULL);
	st = stream_get(key);
	if (st->last[k] && !strcmp(st->last[k], norm)) {
		/* The same call again (EAGAIN loops, SO_ERROR polls): how
		 * often depends on timing, not on the program. */
		free(norm);
		st->closed[k] |= closes;
		return;
	}
	/* The line as shown is made when it is shown: read again from its
	 * file then (standard input cannot be, so it is made now). */
	shown = NULL;
	if (!strcmp(ev->file, "(standard input)")) {
		free(norm);
		cli_diff_norm(ev, &norm, &shown);
	}
	if (st->head && st->side != k) {
		struct item *it = st->head;
		struct item mine = { NULL, norm, shown, ev->file, ev->line };

		if (strcmp(it->norm, norm)) {
			first_difference(st, st->side, it, &mine);
		} else {
			st->head = it->next;
			if (!st->head)
				st->tail = NULL;
			item_free(it);
			queued--;
		}
		free(norm);
		free(shown);	/* NULL when it matched */
	} else {
		struct item *it = cli_xmalloc(sizeof(*it));

		it->next = NULL;
		it->norm = norm;
		it->shown = shown;
		it->file = ev->file;
		it->line = ev->line;
		if (st->tail)
			st->tail->next = it;
		else
			st->head = it;
		st->tail = it;
		st->side = k;
		queued++;
	}
	if (!differ && !st->head && st->closed[0] && st->closed[1])
		stream_free(st);
}

static bool step(int k)
{
	struct cli_ev ev;

	if (sides[k].done)
		return false;
	if (!cli_traces_next(sides[k].t, &ev)) {
		sides[k].done = true;
		return false;
	}
	sides[k].events++;
	cli_diff_tally(k, &ev);
	align(k, &ev);
	return true;
}

static int help(void)
{
	printf("Usage: netshim diff [OPTION]... A B\n"
	       "Compare two JSON traces of the same program (a host where it "
	       "works, one\nwhere it fails): their calls are aligned per "
	       "process, per socket and per\nlookup, and the first call whose "
	       "arguments, result or errno differ is shown\nwith both lines "
	       "(< A, > B), then what differs in families, protocols,\n"
	       "options and errors. Times, process and thread ids, "
	       "descriptor numbers,\ndurations and ephemeral ports are not "
	       "compared; a call repeated in a row\n(EAGAIN loops) counts "
	       "once.\n\n"
	       "  -h, --help    display this help and exit\n\n"
	       "Exit status: 0 if the traces match, 1 if they differ, 2 on "
	       "bad input (a\nfile that cannot be read or is not a JSON "
	       "trace) or a usage error.\n");
	return CLI_EXIT_OK;
}

int cli_cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stream *st, *tmp;
	int c, rc = CLI_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h')
			return help();
		return cli_usage_error(CMD, "unknown option '%s'",
				      argv[optind - 1]);
	}
	if (argc - optind != 2)
		return cli_usage_error(CMD, "two traces to compare, A and B");
	for (int k = 0; k < 2; k++)
		sides[k].t = cli_traces_open(CMD, argv + optind + k, 1, &rc);
	if (rc != CLI_EXIT_OK) {
		for (int k = 0; k < 2; k++)
			cli_traces_close(sides[k].t, &rc);
		return CLI_EXIT_USAGE;
	}
	/* In step, so that neither side runs far ahead of the other. */
	while (step(0) | step(1))
		;
	/* What is left queued has no counterpart: the first of it differs. */
	HASH_ITER(hh, streams, st, tmp) {
		if (!differ && st->head)
			first_difference(st, st->side, st->head, NULL);
		stream_free(st);
	}
	if (cli_diff_summary(sides[0].events, sides[1].events, differ))
		differ = true;
	else
		printf("The traces match: %lld and %lld events, the same calls "
		       "with the same results.\n", sides[0].events,
		       sides[1].events);
	for (int k = 0; k < 2; k++)
		cli_traces_close(sides[k].t, &rc);
	if (rc != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	if (fflush(stdout) == EOF || ferror(stdout))
		return CLI_EXIT_USAGE;
	return differ ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
