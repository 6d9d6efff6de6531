// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report's sockets: each socket's life from the call that made it to
 * its close, kept while it is open (so memory follows what is open, not the
 * trace's length), and the findings about families and MPTCP. */
#include "track.h"
#include "cli.h"
#include "findings.h"
#include "jout.h"
#include "../src/names.h"

#include <stdlib.h>
#include <string.h>

/* Sockets open at once beyond which the oldest is written out as it is:
 * a process that died with sockets open must not hold memory for ever. */
#define MAX_OPEN 200000

struct cli_rows cli_sock_rows, cli_lookup_rows;

struct cli_sock *cli_socks;
static unsigned long long sock_seq;


void cli_cpy(char *out, size_t size, const char *s)
{
	size_t n = s ? strnlen(s, size - 1) : 0;

	/* Several times per event: no printf. */
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
}

void cli_addr_host(const char *addr, char *out, size_t size)
{
	const char *end;

	if (!addr) {
		cli_cpy(out, size, "");
		return;
	}
	if (addr[0] == '[' && (end = strchr(addr, ']'))) {
		cli_fmt(out, size, "%.*s", (int)(end - addr - 1), addr + 1);
		return;
	}
	end = strrchr(addr, ':');
	cli_fmt(out, size, "%.*s", end ? (int)(end - addr) : (int)strlen(addr),
		 addr);
}

bool cli_track_init(bool json)
{
	if (!json)
		return true;
	cli_sock_rows.json = tmpfile();
	cli_lookup_rows.json = tmpfile();
	if (!cli_sock_rows.json || !cli_lookup_rows.json) {
		perror("netshim report: a temporary file for the tables");
		return false;
	}
	return true;
}

void cli_rows_add(struct cli_rows *r, unsigned long long seq,
		  const char *json, size_t jlen, const char *text)
{
	if (r->json) {
		fwrite(json, 1, jlen, r->json);
		fputc('\n', r->json);
	}
	r->n++;
	if (r->ntext < CLI_TEXT_ROWS) {
		r->seq[r->ntext] = seq;
		r->text[r->ntext++] = cli_xstrdup(text);
	}
}

struct cli_sock *cli_sock_find(long long pid, long long fd)
{
	struct cli_sock *s;
	struct { long long pid, fd; } key = { pid, fd };

	HASH_FIND(hh, cli_socks, &key, sizeof(key), s);
	return s;
}

static const char *conn_word(const struct cli_sock *s, bool end)
{
	switch (s->conn) {
	case CONN_OK:
		return "connected";
	case CONN_FAILED:
		return "failed";
	case CONN_PENDING:
		return end ? "in progress at the end of the trace" :
			     "never completed";
	default:
		return NULL;
	}
}

/* Writes @s out, as closed at @how (a time, or why it went away). */
void cli_sock_finish(struct cli_sock *s, const char *closed, const char *how,
		     long long t_us)
{
	static char j[8192], t[2048];
	size_t jn = 0, tn = 0;
	struct cli_sbuf jb = { j, sizeof(j), &jn }, tb = { t, sizeof(t), &tn };
	bool end = !closed && t_us < 0;
	const char *cw = conn_word(s, end);

	if (s->conn == CONN_PENDING && !end && s->conn_t0 >= 0 && t_us >= 0)
		s->conn_dur_us = t_us - s->conn_t0;
	cli_lookup_sock(s, true, t_us);
	j[0] = t[0] = '\0';
	/* Only what will be shown is made: JSON rows for --json, text rows
	 * up to the text report's limit. */
	if (!cli_sock_rows.json)
		goto text;
	cli_sadd(jb, "{\"pid\": %lld, \"prog\": ", s->key.pid);
	cli_sjstr(jb, s->prog);
	cli_sadd(jb, ", \"fd\": %lld, \"file\": ", s->key.fd);
	cli_sjstr(jb, s->file);
	cli_sadd(jb, ", \"line\": %lu, \"ts\": ", s->line);
	cli_sjstr(jb, s->ts);
	cli_sadd(jb, ", \"made_by\": ");
	cli_sjstr(jb, s->made_by);
	cli_sadd(jb, ", \"asked\": ");
	if (s->asked_known) {
		cli_sadd(jb, "{\"family\": ");
		cli_sjstr(jb, s->afam);
		cli_sadd(jb, ", \"type\": ");
		cli_sjstr(jb, s->atype);
		cli_sadd(jb, ", \"protocol\": ");
		cli_sjstr(jb, s->aproto);
		cli_sadd(jb, "}");
	} else {
		cli_sadd(jb, "null");
	}
	cli_sadd(jb, ", \"obtained\": {\"family\": ");
	cli_sjstr(jb, s->fam);
	cli_sadd(jb, ", \"type\": ");
	cli_sjstr(jb, s->type);
	cli_sadd(jb, ", \"protocol\": ");
	cli_sjstr(jb, s->proto);
	cli_sadd(jb, "}, \"options\": [%s], \"local\": ", s->opts_j);
	cli_sjstr(jb, s->local[0] ? s->local : NULL);
	cli_sadd(jb, ", \"peer\": ");
	cli_sjstr(jb, s->peer[0] ? s->peer : NULL);
	cli_sadd(jb, ", \"listening\": %s, \"connect\": ",
		 s->listening ? "true" : "false");
	if (cw) {
		cli_sadd(jb, "{\"outcome\": \"%s\", \"errno\": ", cw);
		cli_sjstr(jb, s->conn_err[0] ? s->conn_err : NULL);
		cli_sadd(jb, ", \"ts\": ");
		cli_sjstr(jb, s->conn_ts);
		cli_sadd(jb, ", \"line\": %lu, \"dur_ns\": ", s->conn_line);
		if (s->conn_dur_us >= 0)
			cli_sadd(jb, "%lld}", s->conn_dur_us * 1000);
		else
			cli_sadd(jb, "null}");
	} else {
		cli_sadd(jb, "null");
	}
	cli_sadd(jb, ", \"policies\": [%s], \"replaced\": ", s->pol_j);
	cli_sjstr(jb, s->replaced[0] ? s->replaced : NULL);
	cli_sadd(jb, ", \"closed\": ");
	cli_sjstr(jb, closed);
	cli_sadd(jb, ", \"closed_by\": ");
	cli_sjstr(jb, how);
	if (s->opts_cut || s->pol_cut)
		cli_sadd(jb, ", \"truncated\": true");
	cli_sadd(jb, "}");
text:
	if (cli_sock_rows.ntext >= CLI_TEXT_ROWS)
		goto out;
	cli_sadd(tb, "fd %lld  %s[%lld]  %s:%lu  %s  %s %s %s", s->key.fd,
		 s->prog, s->key.pid, s->file, s->line, s->made_by, s->fam,
		 s->type, s->proto);
	/* Protocol 0 asks the kernel to choose: not a change. */
	if (s->asked_known && (strcmp(s->afam, s->fam) ||
			       (strcmp(s->aproto, s->proto) &&
				strcmp(s->aproto, "IPPROTO_IP") &&
				strcmp(s->aproto, "0"))))
		cli_sadd(tb, " (asked %s %s)", s->afam, s->aproto);
	if (s->local[0])
		cli_sadd(tb, "\n    local %s%s", s->local,
			 s->listening ? ", listening" : "");
	if (s->peer[0] || cw) {
		cli_sadd(tb, "\n    connect %s: %s", s->peer[0] ? s->peer : "?",
			 cw ? cw : "not tried");
		if (s->conn_err[0])
			cli_sadd(tb, " (%s)", s->conn_err);
		if (s->conn_dur_us >= 0 && s->conn != CONN_NONE)
			cli_sadd(tb, ", after %.3f s", s->conn_dur_us / 1e6);
	}
	if (s->opts_t[0])
		cli_sadd(tb, "\n    options: %s%s", s->opts_t,
			 s->opts_cut ? ", ..." : "");
	if (s->pol_t[0])
		cli_sadd(tb, "\n    policy: %s%s", s->pol_t,
			 s->pol_cut ? ", ..." : "");
	if (s->replaced[0])
		cli_sadd(tb, "\n    replaced: %s", s->replaced);
	cli_sadd(tb, "\n    closed: %s", closed ? closed : how);
out:
	cli_rows_add(&cli_sock_rows, s->seq, j, jn, t);
	HASH_DEL(cli_socks, s);
	free(s);
}

struct cli_sock *cli_sock_make(const struct cli_ev *ev, long long fd,
			      const char *made_by)
{
	struct cli_sock *s = cli_sock_find(ev->pid, fd);

	if (s)	/* closed where we could not see it (a fork, exec) */
		cli_sock_finish(s, NULL, "its descriptor was reused", ev->t_us);
	if (HASH_COUNT(cli_socks) >= MAX_OPEN)
		cli_sock_finish(cli_socks, NULL,
				"too many sockets open at once", ev->t_us);
	s = cli_xmalloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->key.pid = ev->pid;
	s->key.fd = fd;
	s->seq = sock_seq++;
	s->file = ev->file;
	s->line = ev->line;
	s->conn_dur_us = -1;
	cli_cpy(s->ts, sizeof(s->ts), ev->ts);
	cli_cpy(s->prog, sizeof(s->prog), ev->prog);
	cli_cpy(s->made_by, sizeof(s->made_by), made_by);
	HASH_ADD(hh, cli_socks, key, sizeof(s->key), s);
	return s;
}

/* The socket an event is on, made up from its sock when it was made
 * before the trace began or in a parent. */
struct cli_sock *cli_sock_on(const struct cli_ev *ev)
{
	struct cli_sock *s;

	if (!ev->has_fd || !ev->has_sock)
		return NULL;
	s = cli_sock_find(ev->pid, ev->fd);
	if (!s)
		s = cli_sock_make(ev, ev->fd,
				  "not seen (inherited or earlier)");
	cli_cpy(s->fam, sizeof(s->fam), ev->family);
	cli_cpy(s->type, sizeof(s->type), ev->type);
	cli_cpy(s->proto, sizeof(s->proto), ev->proto);
	return s;
}

void cli_sock_policy(struct cli_sock *s, const struct cli_ev *ev)
{
	const char *what[2] = { ev->policy, ev->injected };

	for (int i = 0; i < 2; i++) {
		char save_j = s->pol_j[0] ? ',' : 0;
		size_t jl = strlen(s->pol_j), tl = strlen(s->pol_t);

		if (!what[i] || s->pol_cut)
			continue;
		if ((save_j && cli_sadd(CLI_SBUF(s->pol_j), ", ")) ||
		    cli_sadd(CLI_SBUF(s->pol_j), "{\"call\": \"%s\", \"%s\": ",
			     ev->call, i ? "injected" : "policy") ||
		    cli_sjstr(CLI_SBUF(s->pol_j), what[i]) ||
		    cli_sadd(CLI_SBUF(s->pol_j), ", \"line\": %lu}",
			     ev->line) ||
		    cli_sadd(CLI_SBUF(s->pol_t), "%s%s%s: %s", tl ? "; " : "",
			     i ? "injected " : "", ev->call, what[i])) {
			s->pol_j[jl] = s->pol_t[tl] = '\0';
			s->pol_cut = true;
		}
	}
}

/* The option names Linux 6.1 refuses with ENOPROTOOPT on an MPTCP socket,
 * from net/mptcp/sockopt.c at v6.1: mptcp_setsockopt() returns
 * -ENOPROTOOPT for every SOL_TCP option mptcp_supported_sockopt() does not
 * list, and its list ends with TCP_INQ and TCP_FASTOPEN_CONNECT (added in
 * 6.1); TCP_FASTOPEN, TCP_FASTOPEN_KEY and TCP_FASTOPEN_NO_COOKIE joined it
 * in 6.2 ("mptcp: add TCP_FASTOPEN sock option" and its series), while
 * TCP_MD5SIG and TCP_MD5SIG_EXT are refused by every kernel since MD5 "is
 * not compatible with MPTCP". */
static bool mptcp_refused_opt(const char *opt, bool *tfo)
{
	static const char *const tfo_opts[] = {
		"TCP_FASTOPEN", "TCP_FASTOPEN_KEY", "TCP_FASTOPEN_NO_COOKIE",
	};

	*tfo = false;
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(opt, tfo_opts[i]))
			return *tfo = true;
	return !strcmp(opt, "TCP_MD5SIG") || !strcmp(opt, "TCP_MD5SIG_EXT");
}

static void finding_mptcp_opt(const struct cli_ev *ev, const char *opt)
{
	char sum[256], cause[768], fix[768];
	bool tfo, fresh;
	struct cli_finding *f;

	if (!mptcp_refused_opt(opt, &tfo))
		return;
	f = cli_finding_add(F_MPTCP_OPT, opt, ev->file, ev->line, &fresh);
	if (!fresh)
		return;
	cli_fmt(sum, sizeof(sum), "%s refused on an MPTCP socket "
		 "(ENOPROTOOPT): %s[%lld]", opt, ev->prog, ev->pid);
	if (tfo) {
		cli_fmt(cause, sizeof(cause), "Linux before 6.2 refuses %s on "
			 "IPPROTO_MPTCP sockets (net/mptcp/sockopt.c: TCP Fast "
			 "Open came to MPTCP in 6.2), and the program made an "
			 "MPTCP socket: Go 1.24 and later listen with MPTCP by "
			 "default, so a Go server that sets TCP Fast Open dies "
			 "at start on such a kernel.", opt);
		cli_fmt(fix, sizeof(fix), "netshim run --tfo=retry (go on "
			 "without Fast Open) or --tfo=drop, or --mptcp=strip "
			 "(plain TCP); in the program: GODEBUG=multipathtcp=0 "
			 "for Go, or treat ENOPROTOOPT from %s as the "
			 "absence of Fast Open; on the host: Linux 6.2 or "
			 "later.", opt);
	} else {
		cli_fmt(cause, sizeof(cause), "Linux refuses %s on "
			 "IPPROTO_MPTCP sockets (net/mptcp/sockopt.c: MD5 "
			 "signatures are not compatible with MPTCP), on every "
			 "version.", opt);
		cli_fmt(fix, sizeof(fix), "netshim run --mptcp=strip or "
			 "--mptcp=fallback (plain TCP); in the program: do not "
			 "ask for MPTCP where TCP-MD5 is needed "
			 "(GODEBUG=multipathtcp=0 for Go).");
	}
	cli_finding_text(f, sum, cause, fix);
}

void cli_sock_opt(struct cli_sock *s, const struct cli_ev *ev)
{
	const struct cli_json *j = ev->j;
	const char *opt = cli_json_str(j, cli_json_get(j, 0, "option"));
	const char *lvl = cli_json_str(j, cli_json_get(j, 0, "level"));
	int v = cli_json_get(j, 0, "value");
	char val[64] = "", optn[32];
	size_t jl = strlen(s->opts_j), tl = strlen(s->opts_t);

	if (!opt) {
		long long n = 0;

		cli_json_int(j, cli_json_get(j, 0, "option"), &n);
		cli_fmt(optn, sizeof(optn), "%lld", n);
		opt = optn;
	}
	if (v >= 0 && j->tok[v].type == CLI_JNUM) {
		size_t n = j->tok[v].len < sizeof(val) - 1 ? j->tok[v].len :
			   sizeof(val) - 1;

		memcpy(val, j->tok[v].str, n);
		val[n] = '\0';
	}
	else if (v >= 0 && j->tok[v].type == CLI_JSTR)
		cli_cpy(val, sizeof(val), j->tok[v].str);
	if (ev->err && !strcmp(ev->err, "ENOPROTOOPT") && ev->proto &&
	    !strcmp(ev->proto, "IPPROTO_MPTCP"))
		finding_mptcp_opt(ev, opt);
	/* A refusal a policy hid is a finding too: the story is the same. */
	if (!ev->err && ev->policy && strstr(ev->policy, "ENOPROTOOPT") &&
	    ((ev->proto && !strcmp(ev->proto, "IPPROTO_MPTCP")) ||
	     strstr(ev->policy, "MPTCP")))
		finding_mptcp_opt(ev, opt);
	if (s->opts_cut)
		return;
	if (!cli_sock_rows.json) {	/* text only: no JSON rows */
		if (cli_sadd(CLI_SBUF(s->opts_t), "%s%s%s%s %s", tl ? ", " : "",
			     opt, val[0] ? "=" : "", val,
			     ev->err ? ev->err : "ok")) {
			s->opts_t[tl] = '\0';
			s->opts_cut = true;
		}
		return;
	}
	if ((jl && cli_sadd(CLI_SBUF(s->opts_j), ", ")) ||
	    cli_sadd(CLI_SBUF(s->opts_j), "{\"level\": ") ||
	    cli_sjstr(CLI_SBUF(s->opts_j), lvl) ||
	    cli_sadd(CLI_SBUF(s->opts_j), ", \"option\": ") ||
	    cli_sjstr(CLI_SBUF(s->opts_j), opt) ||
	    cli_sadd(CLI_SBUF(s->opts_j), ", \"value\": ") ||
	    cli_sjstr(CLI_SBUF(s->opts_j), val[0] ? val : NULL) ||
	    cli_sadd(CLI_SBUF(s->opts_j), ", \"ret\": %lld, \"errno\": ",
		     ev->ret) ||
	    cli_sjstr(CLI_SBUF(s->opts_j), ev->err) ||
	    cli_sadd(CLI_SBUF(s->opts_j), ", \"line\": %lu}", ev->line) ||
	    cli_sadd(CLI_SBUF(s->opts_t), "%s%s%s%s %s", tl ? ", " : "", opt,
		     val[0] ? "=" : "", val, ev->err ? ev->err : "ok")) {
		s->opts_j[jl] = s->opts_t[tl] = '\0';
		s->opts_cut = true;
	}
}

/* The socket @s dialled for a lookup settled (or is @gone): its dial
 * record gets the outcome. Here, beside the socket, so that lookups.c
 * depends on the socket model and not the other way round. */
void cli_lookup_sock(struct cli_sock *s, bool gone, long long t_us)
{
	struct cli_lookup *lk = s->lk;
	struct cli_dialrec *d;

	if (!lk)
		return;
	d = &lk->dials[s->dial];
	switch (s->conn) {
	case CONN_OK:
		d->outcome = DIAL_OK;
		d->dur_us = s->conn_dur_us;
		if (lk->served < 0)
			lk->served = (int)s->dial;
		break;
	case CONN_FAILED:
		d->outcome = DIAL_FAILED;
		cli_cpy(d->err, sizeof(d->err), s->conn_err);
		d->dur_us = s->conn_dur_us;
		break;
	default:
		if (gone) {
			d->outcome = DIAL_NEVER;
			d->dur_us = t_us >= 0 && d->t_us >= 0 ?
				    t_us - d->t_us : -1;
		}
		break;
	}
	if (gone) {
		d->s = NULL;
		s->lk = NULL;
	}
}
