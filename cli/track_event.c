// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report's sockets, event by event: what each call does to the
 * socket it is on, and the findings a call shows (family changes, MPTCP
 * refused or dropped, policies and injected faults that acted). */
#include "track.h"
#include "cli.h"
#include "jout.h"
#include "findings.h"
#include "../src/names.h"

#include <stdlib.h>
#include <string.h>

/* A process's MPTCP socket that went nowhere, waiting for the TCP socket
 * the program may make instead (Go's own fallback, a library's retry). */
struct abandon {
	UT_hash_handle hh;
	long long pid;
	const char *file;
	unsigned long line;
	char why[96], addr[72], fam[24];
	long long fd;		/* the TCP socket made next, or -1 */
};
static struct abandon *abandons;

/* The findings' texts that do not depend on the event. */
static const char dup_cause[] = "A wrapper or library (proxychains, "
	"torsocks, a proxy layer) made a socket of its own, connected it, and "
	"put it in the place of the program's socket with dup2/dup3: the "
	"family, protocol and options the program chose for its socket are "
	"gone, and its connect is answered by the wrapper.";
static const char dup_fix[] = "Look at the wrapper's configuration (the "
	"proxy's address family, proxy_dns); netshim log "
	"--call=socket,connect,dup2,dup3,close shows the exchange; netshim's "
	"-4/-6 act on the program's own socket() only; set options after the "
	"wrapper's connect, or run without the wrapper.";
static const char mapped_cause[] = "The program (or a proxy layer, or "
	"getaddrinfo with AI_V4MAPPED) gave an IPv4 address as ::ffff:a.b.c.d "
	"to an IPv6 socket: the kernel speaks IPv4 underneath, so IPv6 "
	"options, IPV6_V6ONLY=1 (connect fails with ENETUNREACH) and IPv6-only "
	"hosts behave differently from a plain AF_INET socket.";
static const char mapped_fix[] = "netshim run -4 (--family=ipv4) or "
	"--prefer=ipv4 for IPv4 sockets; in the program: use the address's "
	"own family (AF_INET for IPv4), drop AI_V4MAPPED; on the host: "
	"net.ipv6.bindv6only=0 if the program relies on mapped addresses.";

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static const char *jstr(const struct cli_ev *ev, const char *key)
{
	return cli_json_str(ev->j, cli_json_get(ev->j, 0, key));
}

static bool jint(const struct cli_ev *ev, const char *key, long long *v)
{
	return cli_json_int(ev->j, cli_json_get(ev->j, 0, key), v);
}

/* The protocol socket() made: 0 ("IPPROTO_IP") lets the kernel pick TCP
 * or UDP by type; a policy may have made another ("..., made IPPROTO_TCP"). */
static void obtained_proto(const struct cli_ev *ev, const char *fam,
			   const char *type, const char *proto, char *out,
			   size_t size)
{
	const char *made = ev->policy ? strstr(ev->policy, "made IPPROTO_") :
					NULL;
	int f, t;

	if (made) {
		cli_fmt(out, size, "%.*s", (int)strspn(made + 5,
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), made + 5);
		return;
	}
	cli_cpy(out, size, proto);
	if (!is(proto, "IPPROTO_IP") || !fam || !type ||
	    !ns_sym_value(&ns_families, fam, &f) ||
	    !ns_sym_value(&ns_socktypes, type, &t))
		return;
	cli_cpy(out, size, ns_name_protocol(f, ns_effective_protocol(f, t, 0)));
	if (!out[0])
		cli_cpy(out, size, proto);
}

static void mptcp_refused(const struct cli_ev *ev, const char *err)
{
	char sum[256], cause[512], fix[512];
	struct cli_finding *f;
	bool fresh;

	f = cli_finding_add(F_MPTCP_REFUSED, err, ev->file, ev->line, &fresh);
	if (!fresh)
		return;
	cli_fmt(sum, sizeof(sum), "MPTCP refused by the host: socket(%s, "
		 "IPPROTO_MPTCP) failed with %s%s: %s[%lld]",
		 jstr(ev, "family") ?: "?", err,
		 ev->injected ? " (injected)" : "", ev->prog, ev->pid);
	cli_fmt(cause, sizeof(cause), "%s%s", is(err, "ENOPROTOOPT") ?
		 "The kernel has MPTCP but refuses new MPTCP sockets: the "
		 "sysctl net.mptcp.enabled is 0 (in this network namespace)." :
		 is(err, "EPROTONOSUPPORT") ? "The kernel has no MPTCP: built "
		 "without CONFIG_MPTCP, or older than 5.6." :
		 "The kernel refused an IPPROTO_MPTCP socket.",
		 ev->injected ? " Here netshim's fault injection (--fail, "
		 "--scenario) gave the refusal, as such a host would." : "");
	cli_fmt(fix, sizeof(fix), "On the host: sysctl -w "
		 "net.mptcp.enabled=1 (or a kernel with MPTCP). netshim run "
		 "--mptcp=fallback (plain TCP when the kernel refuses) or "
		 "--mptcp=strip (never ask). In the program: retry with "
		 "IPPROTO_TCP on ENOPROTOOPT or EPROTONOSUPPORT, as Go does.");
	cli_finding_text(f, sum, cause, fix);
}

static struct abandon *abandon_of(long long pid, bool add)
{
	struct abandon *a;

	HASH_FIND(hh, abandons, &pid, sizeof(pid), a);
	if (!a && add) {
		a = cli_xmalloc(sizeof(*a));
		memset(a, 0, sizeof(*a));
		a->pid = pid;
		HASH_ADD(hh, abandons, pid, sizeof(pid), a);
	}
	return a;
}

static void abandon(const struct cli_ev *ev, const char *fam,
		    const char *addr, const char *why)
{
	struct abandon *a = abandon_of(ev->pid, true);

	a->file = ev->file;
	a->line = ev->line;
	a->fd = -1;
	cli_cpy(a->fam, sizeof(a->fam), fam);
	cli_cpy(a->addr, sizeof(a->addr), addr);
	cli_cpy(a->why, sizeof(a->why), why);
}

/* A bind or connect of @s to @addr: the TCP socket that replaced an
 * abandoned MPTCP one? */
static void dropped(struct cli_sock *s, const struct cli_ev *ev)
{
	struct abandon *a = abandon_of(ev->pid, false);
	char sum[384], fix[512];
	struct cli_finding *f;
	bool fresh;

	if (!a || a->fd != s->key.fd || !ev->addr ||
	    (a->addr[0] && !is(a->addr, ev->addr)))
		return;
	f = cli_finding_add(F_MPTCP_DROPPED, ev->prog, a->file, a->line,
			    &fresh);
	cli_finding_ref(f, ev->file, ev->line);
	if (fresh) {
		cli_fmt(sum, sizeof(sum), "%s[%lld] dropped MPTCP by itself: "
			 "its MPTCP socket was abandoned (%s) and a TCP socket "
			 "used for %s instead", ev->prog, ev->pid, a->why,
			 ev->addr);
		cli_fmt(fix, sizeof(fix), "On the host: net.mptcp.enabled=1, "
			 "Linux 6.2 or later for TCP Fast Open on MPTCP. "
			 "netshim run --mptcp=strip to ask for TCP from the start, "
			 "--tfo=retry to keep MPTCP without Fast Open. "
			 "GODEBUG=multipathtcp=0 stops a Go program trying.");
		cli_finding_text(f, sum, "The program asked for MPTCP, did not "
				 "get it, and went on with plain TCP without a "
				 "word (Go's net package falls back this way): "
				 "it works, but not multipath.", fix);
	}
	HASH_DEL(abandons, a);
	free(a);
}

static void do_socket(const struct cli_ev *ev)
{
	const char *fam = jstr(ev, "family"), *type = jstr(ev, "type");
	char proto[24], base[40], tmp[24], why[96];
	int pi = cli_json_get(ev->j, 0, "protocol");
	struct cli_sock *s;
	struct abandon *a;

	if (pi >= 0 && ev->j->tok[pi].type == CLI_JSTR)
		cli_cpy(tmp, sizeof(tmp), ev->j->tok[pi].str);
	else if (pi >= 0)
		cli_fmt(tmp, sizeof(tmp), "%.*s", (int)ev->j->tok[pi].len,
			 ev->j->tok[pi].str);
	cli_fmt(base, sizeof(base), "%.*s", type ? (int)strcspn(type, "|") :
		 0, type ? type : "");
	if (ev->ret < 0) {
		if (is(tmp, "IPPROTO_MPTCP") && ev->err) {
			mptcp_refused(ev, ev->err);
			cli_fmt(why, sizeof(why), "socket() failed with %s",
				 ev->err);
			abandon(ev, fam, NULL, why);
		}
		return;
	}
	s = cli_sock_make(ev, ev->ret, "socket");
	s->asked_known = true;
	cli_cpy(s->afam, sizeof(s->afam), fam);
	cli_cpy(s->atype, sizeof(s->atype), type);
	cli_cpy(s->aproto, sizeof(s->aproto), tmp);
	cli_cpy(s->fam, sizeof(s->fam), fam);
	cli_cpy(s->type, sizeof(s->type), base);
	obtained_proto(ev, fam, base, tmp, proto, sizeof(proto));
	cli_cpy(s->proto, sizeof(s->proto), proto);
	if (is(tmp, "IPPROTO_MPTCP") && ev->policy &&
	    strstr(ev->policy, "refused IPPROTO_MPTCP"))
		mptcp_refused(ev, strstr(ev->policy, "EPROTONOSUPPORT") ?
			      "EPROTONOSUPPORT" : "ENOPROTOOPT");
	a = abandon_of(ev->pid, false);
	if (a && a->fd < 0 && is(a->fam, fam) && is(base, "SOCK_STREAM") &&
	    is(proto, "IPPROTO_TCP"))
		a->fd = ev->ret;
}

static void finding_family(enum cli_fkind k, const struct cli_ev *ev,
			   const char *sum, const char *cause,
			   const char *fix)
{
	char key[96];
	struct cli_finding *f;
	bool fresh;

	cli_fmt(key, sizeof(key), "%s %lld", ev->prog, ev->pid);
	f = cli_finding_add(k, key, ev->file, ev->line, &fresh);
	if (fresh)
		cli_finding_text(f, sum, cause, fix);
}

static void family_checks(struct cli_sock *s, const struct cli_ev *ev)
{
	const char *a = ev->addr;
	char sum[384];
	bool v6addr = a && a[0] == '[';
	bool v4addr = a && !v6addr && strchr(a, '.') &&
		      strspn(a, "0123456789.:") == strlen(a);

	if (is(s->fam, "AF_INET6") && a && !strncmp(a, "[::ffff:", 8) &&
	    strchr(a, '.')) {
		cli_fmt(sum, sizeof(sum), "an AF_INET6 socket connected to the "
			 "IPv4-mapped address %s: %s[%lld] reaches IPv4 "
			 "through IPv6", a, ev->prog, ev->pid);
		finding_family(F_V4MAPPED, ev, sum, mapped_cause, mapped_fix);
	} else if ((is(s->fam, "AF_INET") && v6addr) ||
		   (is(s->fam, "AF_INET6") && v4addr)) {
		cli_fmt(sum, sizeof(sum), "connect of an %s socket to %s, an "
			 "address of the other family: %s[%lld]", s->fam, a,
			 ev->prog, ev->pid);
		finding_family(F_FAMILY_MISMATCH, ev, sum, "The address given "
			       "to connect is not of the socket's family: the "
			       "kernel refuses it (EAFNOSUPPORT, EINVAL); a "
			       "wrapper or the program changed one without the "
			       "other.", "netshim run -4/-6 to make every "
			       "socket one family; in the program: make the "
			       "socket with the family getaddrinfo gave for "
			       "the address.");
	}
}

static void do_connect(struct cli_sock *s, const struct cli_ev *ev)
{
	bool first = s->conn == CONN_NONE;

	if (ev->addr)
		cli_cpy(s->peer, sizeof(s->peer), ev->addr);
	if (first || s->conn == CONN_FAILED) {
		s->conn_line = ev->line;
		cli_cpy(s->conn_ts, sizeof(s->conn_ts), ev->ts);
		s->conn_t0 = ev->t_us;
		s->conn_err[0] = '\0';
		s->conn_dur_us = -1;
		family_checks(s, ev);
		dropped(s, ev);
	}
	if (!ev->err || (is(ev->err, "EISCONN") && s->conn == CONN_PENDING)) {
		s->conn = CONN_OK;
		s->conn_dur_us = s->conn_t0 >= 0 && ev->t_us >= 0 ?
			ev->t_us - s->conn_t0 + ev->dur_ns / 1000 : -1;
	} else if (is(ev->err, "EINPROGRESS") || is(ev->err, "EALREADY") ||
		   is(ev->err, "EINTR") || is(ev->err, "EAGAIN") ||
		   is(ev->err, "EWOULDBLOCK")) {
		s->conn = CONN_PENDING;
		cli_cpy(s->conn_err, sizeof(s->conn_err), ev->err);
	} else {
		s->conn = CONN_FAILED;
		cli_cpy(s->conn_err, sizeof(s->conn_err), ev->err);
		s->conn_dur_us = s->conn_t0 >= 0 && ev->t_us >= 0 ?
			ev->t_us - s->conn_t0 + ev->dur_ns / 1000 : -1;
	}
	if (first) {
		cli_lookup_dial(s, ev);
		cli_lookup_v6_then_v4(s, ev);
	}
	if (s->conn != CONN_PENDING)
		cli_lookup_sock(s, false, ev->t_us);
}

/* getsockopt(SO_ERROR) after a non-blocking connect: its answer. */
static void so_error(struct cli_sock *s, const struct cli_ev *ev)
{
	long long v;

	if (s->conn != CONN_PENDING || ev->err ||
	    !is(jstr(ev, "option"), "SO_ERROR") || !jint(ev, "value", &v))
		return;
	if (v == 0) {
		s->conn = CONN_OK;
		s->conn_err[0] = '\0';
	} else {
		s->conn = CONN_FAILED;
		cli_cpy(s->conn_err, sizeof(s->conn_err),
			ns_name_errno((int)v) ?: "?");
	}
	if (s->conn_t0 >= 0 && ev->t_us >= 0)
		s->conn_dur_us = ev->t_us - s->conn_t0;
	cli_lookup_sock(s, false, ev->t_us);
}

static void do_dup(const struct cli_ev *ev, struct cli_sock *old)
{
	struct cli_sock *s, *prev;
	char how[160], made[64], rep[160] = "";

	if (ev->ret < 0 || ev->ret == ev->fd)
		return;
	prev = cli_sock_find(ev->pid, ev->ret);
	cli_fmt(made, sizeof(made), "%s of fd %lld", ev->call, ev->fd);
	if (prev) {
		cli_fmt(how, sizeof(how), "replaced by %s at %s:%lu",
			 made, ev->file, ev->line);
		if (prev->conn == CONN_NONE && !prev->listening &&
		    is(prev->made_by, "socket")) {
			char sum[768], lost[400] = "";
			struct cli_finding *f;
			bool fresh;

			cli_fmt(rep, sizeof(rep), "fd %lld was socket(%s %s "
				 "%s) of %s:%lu until %s", ev->ret, prev->afam,
				 prev->atype, prev->aproto, prev->file,
				 prev->line, made);
			if (prev->opts_t[0])
				cli_fmt(lost, sizeof(lost), "; the options set "
					"on it are lost (%s)", prev->opts_t);
			cli_fmt(sum, sizeof(sum), "fd %lld, made by socket(%s, "
				 "%s) at %s:%lu, was replaced by %s (%s%s%s) "
				 "before it connected%s: %s[%lld]", ev->ret,
				 prev->afam, prev->aproto, prev->file,
				 prev->line, made, old->fam,
				 old->peer[0] ? ", connected to " : "",
				 old->peer, lost, ev->prog, ev->pid);
			f = cli_finding_add(F_DUP_REPLACED, ev->prog,
					    prev->file, prev->line, &fresh);
			if (old->conn_line)
				cli_finding_ref(f, old->file, old->conn_line);
			cli_finding_ref(f, ev->file, ev->line);
			if (!fresh)
				goto done;
			cli_finding_text(f, sum, dup_cause, dup_fix);
		}
done:
		cli_sock_finish(prev, NULL, how, ev->t_us);
	}
	s = cli_sock_make(ev, ev->ret, made);
	if (old) {
		struct cli_sock save = *s;

		*s = *old;
		s->hh = save.hh;
		s->key = save.key;
		s->seq = save.seq;
		s->file = save.file;
		s->line = save.line;
		memcpy(s->ts, save.ts, sizeof(s->ts));
		memcpy(s->made_by, save.made_by, sizeof(s->made_by));
		s->lk = NULL;
		s->opts_j[0] = s->opts_t[0] = s->pol_j[0] = s->pol_t[0] = 0;
	}
	cli_cpy(s->replaced, sizeof(s->replaced), rep);
}

static void close_from(const struct cli_ev *ev, long long lo, long long hi)
{
	struct cli_sock *s, *tmp;

	HASH_ITER(hh, cli_socks, s, tmp)
		if (s->key.pid == ev->pid && s->key.fd >= lo &&
		    s->key.fd <= hi)
			cli_sock_finish(s, ev->ts, ev->call, ev->t_us);
}

static void acted(const struct cli_ev *ev)
{
	char key[512], sum[768], cause[512];
	struct cli_finding *f;
	bool fresh;

	if (ev->policy) {
		cli_fmt(key, sizeof(key), "%s %s", ev->call, ev->policy);
		f = cli_finding_add(F_POLICY, key, ev->file, ev->line, &fresh);
		cli_fmt(sum, sizeof(sum), "netshim's policy acted on %s: %s",
			 ev->call, ev->policy);
		cli_fmt(cause, sizeof(cause), "A policy given to netshim run "
			 "(-4/-6, --prefer, --mptcp, --tfo) or set in "
			 "NETSHIM_FAMILY, NETSHIM_PREFER, NETSHIM_MPTCP or "
			 "NETSHIM_TFO changed this %s; what it changed is in "
			 "the summary.", ev->call);
		if (fresh)
			cli_finding_text(f, sum, cause, "Nothing, if this is "
					 "what was wanted; without the policy "
					 "the program gets the kernel's own "
					 "answer.");
	}
	if (ev->injected) {
		cli_fmt(key, sizeof(key), "%s %s", ev->call, ev->injected);
		f = cli_finding_add(F_INJECTED, key, ev->file, ev->line,
				    &fresh);
		cli_fmt(sum, sizeof(sum), "injected fault %s acted on %s: the "
			 "program saw %s", ev->injected, ev->call,
			 ev->gai ? ev->gai : ev->err ? ev->err :
			 "the call delayed or its answer changed");
		if (fresh)
			cli_finding_text(f, sum, "netshim's fault injection "
					 "(--fail, --scenario, NETSHIM_FAIL, "
					 "NETSHIM_SCENARIO) made this failure: "
					 "a test of how the program copes, not "
					 "the host.", "Drop --fail/--scenario "
					 "to see the host's own behaviour.");
	}
}

void cli_track_event(const struct cli_ev *ev)
{
	const char *c = ev->call;
	struct cli_sock *s = NULL;
	long long v, w;

	if (ev->policy || ev->injected)
		acted(ev);
	if (!strncmp(c, "getaddrinfo", 11) ||
	    !strncmp(c, "gethostbyname", 13)) {
		cli_lookup_event(ev);
		return;
	}
	if (is(c, "socket")) {
		do_socket(ev);
		s = ev->ret >= 0 ? cli_sock_find(ev->pid, ev->ret) : NULL;
	} else if (is(c, "socketpair")) {
		int fds = cli_json_get(ev->j, 0, "fds");

		for (unsigned k = (unsigned)fds + 1; fds >= 0 &&
		     k < ev->j->tok[fds].end; k = ev->j->tok[k].end)
			if (cli_json_int(ev->j, (int)k, &v)) {
				s = cli_sock_make(ev, v, "socketpair");
				cli_cpy(s->fam, sizeof(s->fam),
					jstr(ev, "family"));
				cli_cpy(s->type, sizeof(s->type),
					jstr(ev, "type"));
			}
		return;
	} else if (is(c, "close")) {
		if (ev->has_fd && (s = cli_sock_find(ev->pid, ev->fd))) {
			cli_sock_policy(s, ev);
			if (s->proto[0] && is(s->proto, "IPPROTO_MPTCP") &&
			    s->conn != CONN_OK && !s->listening)
				abandon(ev, s->fam, s->peer[0] ? s->peer :
					s->local[0] ? s->local : NULL,
					"closed before it served");
			cli_sock_finish(s, ev->ts, "close", ev->t_us);
		}
		return;
	} else if (is(c, "close_range")) {
		if (!ev->err && jint(ev, "first", &v) && jint(ev, "last", &w) &&
		    !is(jstr(ev, "flags"), "CLOSE_RANGE_CLOEXEC"))
			close_from(ev, v, w);
		return;
	} else if (is(c, "closefrom")) {
		if (jint(ev, "lowfd", &v))
			close_from(ev, v, 1LL << 40);
		return;
	}
	if (!s && !(s = cli_sock_on(ev)))
		return;
	if (is(c, "accept") || is(c, "accept4")) {
		struct cli_sock *l = s;
		char made[64];

		if (ev->ret < 0)
			return;
		cli_fmt(made, sizeof(made), "%s on fd %lld", c, ev->fd);
		s = cli_sock_make(ev, ev->ret, made);
		cli_cpy(s->fam, sizeof(s->fam), l->fam);
		cli_cpy(s->type, sizeof(s->type), l->type);
		cli_cpy(s->proto, sizeof(s->proto), l->proto);
		cli_cpy(s->local, sizeof(s->local), l->local);
		cli_cpy(s->peer, sizeof(s->peer), ev->addr);
	} else if (is(c, "dup") || is(c, "dup2") || is(c, "dup3") ||
		   is(c, "fcntl")) {
		do_dup(ev, s);
		return;
	} else if (is(c, "connect")) {
		do_connect(s, ev);
	} else if (is(c, "bind")) {
		if (!ev->err && ev->addr)
			cli_cpy(s->local, sizeof(s->local), ev->addr);
		dropped(s, ev);
	} else if (is(c, "listen")) {
		s->listening = !ev->err;
	} else if (is(c, "setsockopt")) {
		cli_sock_opt(s, ev);
	} else if (is(c, "getsockopt")) {
		so_error(s, ev);
	} else if ((is(c, "sendto") || is(c, "sendmsg")) && !ev->err &&
		   s->conn == CONN_PENDING) {
		s->conn = CONN_OK;
		cli_lookup_sock(s, false, ev->t_us);
	}
	cli_sock_policy(s, ev);
}

void cli_track_end(void)
{
	struct cli_sock *s, *tmp;
	struct abandon *a, *atmp;

	HASH_ITER(hh, cli_socks, s, tmp)
		cli_sock_finish(s, NULL, "open at the end of the trace", -1);
	cli_lookup_end();
	HASH_ITER(hh, abandons, a, atmp) {
		HASH_DEL(abandons, a);
		free(a);
	}

}
