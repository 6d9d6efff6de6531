// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report's lookups: each name a process looked up, its answers in
 * order, the answers it then dialled with each outcome, which one served,
 * and the finding when an IPv6 first answer led nowhere. */
#include "track.h"
#include "cli.h"
#include "findings.h"
#include "jout.h"

#include <stdlib.h>
#include <string.h>

/* Lookups waiting for dials at once; the oldest is written out beyond. */
#define MAX_LOOKUPS 4096

static struct cli_lookup *lookups;
static unsigned long long lk_seq;

static const char *outcome(const struct cli_dialrec *d)
{
	static const char *const w[] = { "in progress", "connected", "failed",
					 "never completed" };

	return w[d->outcome];
}

static void v6_first(const struct cli_lookup *lk)
{
	const struct cli_dialrec *v6 = NULL, *after = NULL;
	char sum[768], what[160], then[200] = "", cause[640];
	struct cli_finding *f;
	bool fresh;

	if (!lk->nans || lk->ans[0][0] != '[')
		return;
	for (unsigned i = 0; i < lk->ndials; i++) {
		const struct cli_dialrec *d = &lk->dials[i];

		if (!v6 && d->addr[0] == '[' && d->outcome != DIAL_OK)
			v6 = d;
		else if (v6 && d->addr[0] != '[' && !after)
			after = d;
	}
	if (!v6 || (!after && lk->served >= 0))
		return;
	if (v6->outcome == DIAL_FAILED)
		cli_fmt(what, sizeof(what), "failed with %s", v6->err);
	else if (v6->dur_us >= 0)
		cli_fmt(what, sizeof(what), "never completed (%.3f s)",
			 v6->dur_us / 1e6);
	else
		cli_fmt(what, sizeof(what), "never completed");
	if (after)
		cli_fmt(then, sizeof(then), ", then %s %s%s", after->addr,
			 outcome(after), lk->served >= 0 &&
			 &lk->dials[lk->served] == after ? ", served" : "");
	else
		cli_fmt(then, sizeof(then), ", and the program gave up");
	cli_fmt(sum, sizeof(sum), "%s: first answer %s (IPv6), dialled %s: "
		 "%s%s: %s[%lld]", lk->node, lk->ans[0], v6->addr, what, then,
		 lk->prog, lk->pid);
	cli_fmt(cause, sizeof(cause), "The name's first answer is IPv6 and "
		 "the program dials the answers in order. %s", v6->outcome ==
		 DIAL_FAILED ? "The IPv6 path fails (no route, refused, "
		 "filtered), so every connection pays for a failed try "
		 "before IPv4." : "The IPv6 path does not answer (the SYN is "
		 "dropped: a firewall, a broken route or tunnel, a full "
		 "listener), so the connection waits for a timeout before "
		 "IPv4 is tried, or the program gives up.");
	f = cli_finding_add(F_V6_FIRST, lk->node, lk->file, lk->line, &fresh);
	cli_finding_ref(f, lk->file, v6->line);
	if (after)
		cli_finding_ref(f, lk->file, after->line);
	if (fresh)
		cli_finding_text(f, sum, cause, "netshim run -4 "
				 "(--family=ipv4) or --prefer=ipv4 (IPv4 "
				 "answers first); in the program: Happy "
				 "Eyeballs (RFC 8305: start IPv4 250 ms after "
				 "IPv6 unless it answered) and a shorter "
				 "connect timeout; on the host: mend IPv6 "
				 "routing or filtering, or prefer IPv4 in "
				 "/etc/gai.conf (precedence ::ffff:0:0/96 "
				 "100).");
}

static void finish(struct cli_lookup *lk)
{
	static char j[16384], t[4096];
	size_t jn = 0, tn = 0;
	struct cli_sbuf jb = { j, sizeof(j), &jn }, tb = { t, sizeof(t), &tn };

	j[0] = t[0] = '\0';
	for (unsigned i = 0; i < lk->ndials; i++) {
		struct cli_dialrec *d = &lk->dials[i];

		if (d->s) {
			d->s->lk = NULL;
			d->s = NULL;
		}
	}
	v6_first(lk);
	cli_sadd(jb, "{\"pid\": %lld, \"prog\": ", lk->pid);
	cli_sjstr(jb, lk->prog);
	cli_sadd(jb, ", \"file\": ");
	cli_sjstr(jb, lk->file);
	cli_sadd(jb, ", \"line\": %lu, \"ts\": ", lk->line);
	cli_sjstr(jb, lk->ts);
	cli_sadd(jb, ", \"name\": ");
	cli_sjstr(jb, lk->node);
	cli_sadd(jb, ", \"error\": ");
	cli_sjstr(jb, lk->error[0] ? lk->error : NULL);
	cli_sadd(jb, ", \"answers\": [");
	cli_sadd(tb, "%s  %s[%lld]  %s:%lu  %s\n    answers: ", lk->node,
		 lk->prog, lk->pid, lk->file, lk->line, lk->ts);
	for (unsigned i = 0; i < lk->nans; i++) {
		cli_sadd(jb, "%s", i ? ", " : "");
		cli_sjstr(jb, lk->ans[i]);
		cli_sadd(tb, "%s%s", i ? ", " : "", lk->ans[i]);
	}
	if (!lk->nans)
		cli_sadd(tb, "none%s%s", lk->error[0] ? ": " : "", lk->error);
	if (lk->more)
		cli_sadd(tb, " and %u more", lk->more);
	cli_sadd(jb, "], \"answers_left_out\": %u, \"dials\": [", lk->more);
	for (unsigned i = 0; i < lk->ndials; i++) {
		struct cli_dialrec *d = &lk->dials[i];

		cli_sadd(jb, "%s{\"addr\": ", i ? ", " : "");
		cli_sjstr(jb, d->addr);
		cli_sadd(jb, ", \"ts\": ");
		cli_sjstr(jb, d->ts);
		cli_sadd(jb, ", \"line\": %lu, \"outcome\": \"%s\", "
			 "\"errno\": ", d->line, outcome(d));
		cli_sjstr(jb, d->err[0] ? d->err : NULL);
		if (d->dur_us >= 0)
			cli_sadd(jb, ", \"dur_ns\": %lld}", d->dur_us * 1000);
		else
			cli_sadd(jb, ", \"dur_ns\": null}");
		cli_sadd(tb, "\n    dialled %s at +%.3f s: %s", d->addr,
			 lk->t_us >= 0 && d->t_us >= 0 ?
			 (d->t_us - lk->t_us) / 1e6 : 0.0, outcome(d));
		if (d->err[0])
			cli_sadd(tb, " (%s)", d->err);
		if (d->dur_us >= 0)
			cli_sadd(tb, " after %.3f s", d->dur_us / 1e6);
		if ((int)i == lk->served)
			cli_sadd(tb, ", served");
	}
	cli_sadd(jb, "], \"served\": ");
	cli_sjstr(jb, lk->served >= 0 ? lk->dials[lk->served].addr : NULL);
	cli_sadd(jb, "}");
	if (!lk->ndials && lk->nans)
		cli_sadd(tb, "\n    not dialled");
	cli_rows_add(&cli_lookup_rows, lk->seq, j, jn, t);
	HASH_DEL(lookups, lk);
	free(lk->key);
	free(lk);
}

void cli_lookup_event(const struct cli_ev *ev)
{
	const char *node = cli_json_str(ev->j, cli_json_get(ev->j, 0, "node"));
	int res = cli_json_get(ev->j, 0, "results");
	struct cli_lookup *lk;
	size_t n;
	char *key;

	if (!node)
		return;	/* getaddrinfo(NULL, port): a listener's address */
	n = strlen(node);
	key = cli_xmalloc(n + 32);
	n = (size_t)snprintf(key, n + 32, "%lld", ev->pid) + 1;
	memcpy(key + n, node, strlen(node) + 1);
	n += strlen(node);
	HASH_FIND(hh, lookups, key, n, lk);
	if (lk)
		finish(lk);
	if (HASH_COUNT(lookups) >= MAX_LOOKUPS)
		finish(lookups);
	lk = cli_xmalloc(sizeof(*lk));
	memset(lk, 0, sizeof(*lk));
	lk->key = key;
	lk->keylen = n;
	lk->seq = lk_seq++;
	lk->pid = ev->pid;
	lk->t_us = ev->t_us;
	lk->file = ev->file;
	lk->line = ev->line;
	lk->served = -1;
	cli_cpy(lk->ts, sizeof(lk->ts), ev->ts);
	cli_cpy(lk->prog, sizeof(lk->prog), ev->prog);
	cli_cpy(lk->node, sizeof(lk->node), node);
	cli_cpy(lk->error, sizeof(lk->error), ev->gai ? ev->gai : ev->err);
	for (unsigned k = (unsigned)res + 1; res >= 0 &&
	     ev->j->tok[res].type == CLI_JARR && k < ev->j->tok[res].end;
	     k = ev->j->tok[k].end) {
		const char *a = cli_json_str(ev->j, cli_json_get(ev->j, (int)k,
								 "addr"));

		if (!a)
			continue;
		if (lk->nans == CLI_ANSWERS)
			lk->more++;
		else
			cli_cpy(lk->ans[lk->nans++], sizeof(lk->ans[0]), a);
	}
	HASH_ADD_KEYPTR(hh, lookups, lk->key, lk->keylen, lk);
	if (!lk->nans)	/* nothing to dial: done */
		finish(lk);
}

void cli_lookup_dial(struct cli_sock *s, const struct cli_ev *ev)
{
	struct cli_lookup *lk, *tmp, *best = NULL;
	char host[72], ah[72];
	struct cli_dialrec *d;

	if (!ev->addr || !lookups)
		return;
	cli_addr_host(ev->addr, host, sizeof(host));
	HASH_ITER(hh, lookups, lk, tmp) {
		if (lk->pid != ev->pid || (best && best->seq > lk->seq))
			continue;
		for (unsigned i = 0; i < lk->nans; i++) {
			cli_addr_host(lk->ans[i], ah, sizeof(ah));
			if (!strcmp(ah, host)) {
				best = lk;
				break;
			}
		}
	}
	if (!best || best->ndials == CLI_DIALS)
		return;
	d = &best->dials[best->ndials];
	memset(d, 0, sizeof(*d));
	cli_cpy(d->addr, sizeof(d->addr), ev->addr);
	cli_cpy(d->ts, sizeof(d->ts), ev->ts);
	d->t_us = ev->t_us;
	d->line = ev->line;
	d->dur_us = -1;
	d->s = s;
	s->lk = best;
	s->dial = best->ndials++;
}

/* Each process's last IPv6 dial, for programs whose lookups the trace
 * does not show (the seccomp front sees no name lookups: Go's resolver
 * reads /etc/hosts itself). */
struct v6dial {
	UT_hash_handle hh;
	long long pid, fd;
	unsigned long long seq;
	char port[8];
};
static struct v6dial *v6dials;

static const char *port_of(const char *addr)
{
	const char *p = addr ? strrchr(addr, ':') : NULL;

	return p && (addr[0] != '[' || p[-1] == ']') ? p + 1 : "";
}

/* An IPv4 dial to the port of an IPv6 dial still under way or failed:
 * the program fell back, and the IPv6 path is what went wrong. */
void cli_lookup_v6_then_v4(struct cli_sock *s, const struct cli_ev *ev)
{
	struct v6dial *d;
	struct cli_sock *v6;
	char key[32], sum[512], what[96];
	struct cli_finding *f;
	bool fresh;

	if (strcmp(s->type, "SOCK_STREAM"))
		return;	/* a UDP connect only picks a route */
	HASH_FIND(hh, v6dials, &ev->pid, sizeof(ev->pid), d);
	if (ev->addr && ev->addr[0] == '[' &&
	    strncmp(ev->addr, "[::ffff:", 8)) {
		if (!d) {
			d = cli_xmalloc(sizeof(*d));
			d->pid = ev->pid;
			HASH_ADD(hh, v6dials, pid, sizeof(d->pid), d);
		}
		d->fd = s->key.fd;
		d->seq = s->seq;
		cli_cpy(d->port, sizeof(d->port), port_of(ev->addr));
		return;
	}
	if (!d || !ev->addr || s->lk || strcmp(d->port, port_of(ev->addr)))
		return;
	v6 = cli_sock_find(ev->pid, d->fd);
	HASH_DEL(v6dials, d);
	free(d);
	if (!v6 || v6->seq >= s->seq || v6->lk ||
	    (v6->conn != CONN_PENDING && v6->conn != CONN_FAILED))
		return;
	if (v6->conn == CONN_FAILED)
		cli_fmt(what, sizeof(what), "failed with %s", v6->conn_err);
	else
		cli_fmt(what, sizeof(what), "had not completed after %.3f s",
			ev->t_us >= 0 && v6->conn_t0 >= 0 ?
			(ev->t_us - v6->conn_t0) / 1e6 : 0.0);
	cli_fmt(key, sizeof(key), "port %s", port_of(ev->addr));
	f = cli_finding_add(F_V6_FIRST, key, v6->file, v6->conn_line, &fresh);
	cli_finding_ref(f, ev->file, ev->line);
	if (!fresh)
		return;
	cli_fmt(sum, sizeof(sum), "IPv6 dialled first: %s %s when %s[%lld] "
		"tried %s", v6->peer, what, ev->prog, ev->pid, ev->addr);
	cli_finding_text(f, sum, "The program dialled an IPv6 address first "
			 "(a name's first answer, though the trace shows no "
			 "lookup: the seccomp front does not see Go's own "
			 "resolver) and the IPv6 path failed or did not "
			 "answer, "
			 "so it fell back to IPv4 after a delay, or gives up.",
			 "netshim run -4 (--family=ipv4: the IPv6 socket fails "
			 "at once, so Go dials IPv4); in the program: a "
			 "shorter Happy Eyeballs delay (Go: "
			 "net.Dialer.FallbackDelay), a connect timeout; on the "
			 "host: mend IPv6 routing or filtering.");
}

void cli_lookup_end(void)
{
	while (lookups)
		finish(lookups);
	while (v6dials) {
		struct v6dial *d = v6dials;

		HASH_DEL(v6dials, d);
		free(d);
	}
}
