// SPDX-License-Identifier: LGPL-2.1-or-later
/* Parsing and validation of the NETSHIM_* variables. */
#include "config.h"
#include "buf.h"
#include "compiler.h"

#include <stdlib.h>
#include <string.h>

/* complain.c's one line, under the name the parsers below use. */
static void complain(const struct ns_config_io *io, const char *name,
		     const char *value, const char *what, const char *what2)
{
	ns_config_complain(io, name, value, what, what2);
}

static bool parse_uint(const char *s, long max, long *out)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static int parse_trace(struct ns_config *c, const struct ns_config_io *io)
{
	const char *v = io->get("NETSHIM_TRACE", io->ctx);
	long fd;

	c->trace = NS_TRACE_STDERR;
	if (!v || !*v || strcmp(v, "stderr") == 0)
		return 0;
	if (strcmp(v, "off") == 0) {
		c->trace = NS_TRACE_OFF;
		return 0;
	}
	if (strncmp(v, "fd:", 3) == 0) {
		if (!parse_uint(v + 3, 1 << 30, &fd)) {
			complain(io, "NETSHIM_TRACE", v,
				 "is not fd:N with N a descriptor number; ",
				 "tracing to stderr");
			return 1;
		}
		c->trace = NS_TRACE_FD;
		c->trace_fd = (int)fd;
		return 0;
	}
	if (strnlen(v, NS_PATH_MAX) >= NS_PATH_MAX - 16) {
		complain(io, "NETSHIM_TRACE", v, "is too long for a path; ",
			 "tracing to stderr");
		return 1;
	}
	c->trace = NS_TRACE_FILE;
	strcpy(c->trace_path, v);
	return 0;
}

static int parse_format(struct ns_config *c, const struct ns_config_io *io)
{
	const char *v = io->get("NETSHIM_FORMAT", io->ctx);

	c->format = NS_FORMAT_TEXT;
	if (!v || !*v || strcmp(v, "text") == 0)
		return 0;
	if (strcmp(v, "json") == 0) {
		c->format = NS_FORMAT_JSON;
		return 0;
	}
	complain(io, "NETSHIM_FORMAT", v, "is not one of text, json; ",
		 "using text");
	return 1;
}

/* The groups of NETSHIM_EVENTS, their calls from calls.h. */
static const struct {
	const char *name;
	unsigned groups;
} groups[] = {
	{ "all", ~0u },
	{ "none", 0 },
	{ "dns", NS_GROUP_dns },
	{ "sockopt", NS_GROUP_sockopt },
	{ "fd", NS_GROUP_fd },
};

#define ALL_CALLS (NS_CALLBIT(NS_CALL_COUNT) - 1)

static ns_callmask group_mask(size_t i)
{
	return i == 0 ? ALL_CALLS : ns_calls_in_group(groups[i].groups);
}

static bool lookup_events(const char *name, size_t len, ns_callmask *mask)
{
	char tmp[32];
	enum ns_call call;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	for (size_t i = 0; i < NS_ARRAY_SIZE(groups); i++) {
		if (strcmp(tmp, groups[i].name) == 0) {
			*mask = group_mask(i);
			return true;
		}
	}
	if (!ns_call_by_name(tmp, &call))
		return false;
	*mask = NS_CALLBIT(call);
	return true;
}

/* "connect,bind", "all,!close", "dns": names and groups, '!' removes. */
static int parse_events(struct ns_config *c, const struct ns_config_io *io)
{
	const char *v = io->get("NETSHIM_EVENTS", io->ctx);
	ns_callmask all = ALL_CALLS, add = 0, del = 0, m;
	const char *p, *end;
	bool only_removals = true;
	int bad = 0;

	c->events = all;
	if (!v || !*v)
		return 0;
	for (p = v; *p; p = *end ? end + 1 : end) {
		const char *q, *e;
		bool neg;

		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		/* "socket, close" and "! close" read as meant. */
		for (q = p; q < end && *q == ' '; q++)
			;
		neg = q < end && *q == '!';
		for (q += neg; q < end && *q == ' '; q++)
			;
		for (e = end; e > q && e[-1] == ' '; e--)
			;
		if (!lookup_events(q, (size_t)(e - q), &m)) {
			if (!bad++)
				complain(io, "NETSHIM_EVENTS", v,
					 "names something that is not a call "
					 "netshim traces nor one of all, none, "
					 "dns, sockopt, fd (see libnetshim(7)); ",
					 "ignoring the unknown names");
			continue;
		}
		if (neg) {
			del |= m;
		} else {
			add |= m;
			only_removals = false;
		}
	}
	c->events = ((only_removals ? all : add) & ~del);
	return bad != 0;
}

static int parse_backtrace(struct ns_config *c, const struct ns_config_io *io)
{
	const char *v = io->get("NETSHIM_BACKTRACE", io->ctx);
	long n;

	c->backtrace = 0;
	if (!v || !*v)
		return 0;
	if (!parse_uint(v, NS_BACKTRACE_MAX, &n)) {
		complain(io, "NETSHIM_BACKTRACE", v,
			 "is not a number of frames from 0 to 32; ",
			 "no backtraces");
		return 1;
	}
	if (n && !io->have_backtrace) {
		complain(io, "NETSHIM_BACKTRACE", v,
			 "asks for backtraces, but this netshim was built "
			 "--without-libunwind; ", "no backtraces");
		return 1;
	}
	c->backtrace = (int)n;
	return 0;
}

/*
 * One of a fixed set of words; the first is the default. A bad value
 * leaves the knob at its default ("that knob stays off").
 */
static int parse_choice(const struct ns_config_io *io, const char *name,
			const char *const *words, const char *accepted,
			const char *fallback, int *out)
{
	const char *v = io->get(name, io->ctx);

	*out = 0;
	if (!v || !*v)
		return 0;
	for (int i = 0; words[i]; i++) {
		if (strcmp(v, words[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	complain(io, name, v, accepted, fallback);
	return 1;
}

static int parse_policies(struct ns_config *c, const struct ns_config_io *io)
{
	static const char *const family[] = { "any", "ipv4", "ipv6", NULL };
	static const char *const prefer[] = { "none", "ipv4", "ipv6", NULL };
	static const char *const mptcp[] = { "pass", "strip", "force",
					     "fallback", NULL };
	static const char *const tfo[] = { "pass", "drop", "retry", NULL };
	static const char *const raw[] = { "auto", "on", "off", NULL };
	int v, bad = 0;

	bad += parse_choice(io, "NETSHIM_FAMILY", family,
			    "is not one of any, ipv4, ipv6; ", "using any", &v);
	c->family = (enum ns_family_policy)v;
	bad += parse_choice(io, "NETSHIM_PREFER", prefer,
			    "is not one of none, ipv4, ipv6; ", "using none",
			    &v);
	c->prefer = (enum ns_prefer_policy)v;
	bad += parse_choice(io, "NETSHIM_MPTCP", mptcp,
			    "is not one of pass, strip, force, fallback; ",
			    "using pass", &v);
	c->mptcp = (enum ns_mptcp_policy)v;
	bad += parse_choice(io, "NETSHIM_TFO", tfo,
			    "is not one of pass, drop, retry; ", "using pass",
			    &v);
	c->tfo = (enum ns_tfo_policy)v;
	bad += parse_choice(io, "NETSHIM_RAW", raw,
			    "is not one of auto, on, off; ", "using auto", &v);
	c->raw = (enum ns_raw_policy)v;
	return bad;
}

bool ns_config_has_policy(const struct ns_config *c)
{
	return c->family != NS_FAMILY_ANY || c->prefer != NS_PREFER_NONE ||
	       c->mptcp != NS_MPTCP_PASS || c->tfo != NS_TFO_PASS ||
	       c->fault.n > 0;
}

int ns_config_parse(struct ns_config *c, const struct ns_config_io *io)
{
	memset(c, 0, sizeof(*c));
	return parse_trace(c, io) + parse_format(c, io) + parse_events(c, io) +
	       parse_backtrace(c, io) + parse_policies(c, io) +
	       ns_fault_parse(&c->fault, io);
}

/* NETSHIM_REPORTED=..., NETSHIM_TRACE_INHERITED=... or
 * NETSHIM_EXEC_WATCHED=...: netshim's own. */
static bool own_var(const char *e)
{
	static const char *const own[] = { NS_ENV_REPORTED, NS_ENV_INHERITED,
					    NS_ENV_WATCHED };

	for (unsigned k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
		size_t n = strlen(own[k]);

		if (!strncmp(e, own[k], n) && e[n] == '=')
			return true;
	}
	return false;
}

/* FNV-1a of each setting, summed: the shell of a run may hand them on in
 * another order. */
void ns_config_reported_mark(char *const *envp, char *out)
{
	uint64_t sum = 0;

	for (; envp && *envp; envp++) {
		uint64_t h = 0xcbf29ce484222325ull;

		if (strncmp(*envp, "NETSHIM_", 8) != 0 || own_var(*envp))
			continue;
		for (const char *p = *envp; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
		sum += h;
	}
	for (int i = 15; i >= 0; i--, sum >>= 4)
		out[i] = "0123456789abcdef"[sum & 15];
	out[16] = '\0';
}

bool ns_config_reported(char *const *envp, const char *mark)
{
	size_t n = strlen(NS_ENV_REPORTED);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, NS_ENV_REPORTED, n) && (*envp)[n] == '=')
			return !strcmp(*envp + n + 1, mark);
	return false;
}

int ns_config_check_names(char *const *envp, const struct ns_config_io *io)
{
	int bad = 0;

	for (; envp && *envp; envp++) {
		const char *e = *envp, *eq = strchr(e, '=');
		size_t len = eq ? (size_t)(eq - e) : strlen(e);
		char name[64];
		bool known = false;

		if (strncmp(e, "NETSHIM_", 8) != 0 || own_var(e))
			continue;
		for (size_t i = 0; i < NS_VAR_COUNT; i++)
			known |= strlen(ns_var_names[i]) == len &&
				 strncmp(ns_var_names[i], e, len) == 0;
		if (known)
			continue;
		if (len >= sizeof(name))
			len = sizeof(name) - 4, memcpy(name + len, "...", 4);
		else
			name[len] = '\0';
		memcpy(name, e, len);
		complain(io, name, NULL, "is not a variable netshim knows; ",
			 "see libnetshim(7)");
		bad++;
	}
	return bad;
}

bool ns_expand_path(char *out, size_t cap, const char *tmpl, int pid)
{
	struct ns_buf b;

	ns_buf_init(&b, out, cap - 1);
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			ns_buf_u64(&b, (uint64_t)pid);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			ns_buf_putc(&b, '%');
			p++;
		} else {
			ns_buf_putc(&b, *p);
		}
	}
	out[b.len] = '\0';
	return !b.overflow;
}
