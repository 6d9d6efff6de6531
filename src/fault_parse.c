// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reading NETSHIM_FAIL, NETSHIM_SCENARIO and NETSHIM_SEED into rules:
 * rules separated by ';', scenarios by ',', and the complaints. */
#include "fault.h"
#include "fault_span.h"
#include "buf.h"
#include "complain.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* How much of a bad rule a complaint quotes, as config.c quotes values
 * (README: 64 bytes, then "..."), and of the text from the bad column. */
#define SHOW_RULE 64
#define SHOW_REST 32

/* "netshim: VAR: rule N "TEXT" at column C ("REST"): expected WHAT; that
 * rule is ignored", one line. */
static void complain_rule(const struct ns_config_io *io, const char *var,
			  int n, const char *b, const char *e, const char *at,
			  const char *what)
{
	char mem[640], text[SHOW_RULE + 2], rest[SHOW_REST + 2];
	struct ns_buf o;

	/* One byte more than is shown: ns_buf_esc then adds "...". */
	copy(text, sizeof(text), b, e - b <= SHOW_RULE ? e : b + SHOW_RULE + 1);
	copy(rest, sizeof(rest), at,
	     e - at <= SHOW_REST ? e : at + SHOW_REST + 1);
	ns_buf_init(&o, mem, sizeof(mem) - 1);
	ns_buf_str(&o, "netshim: ");
	ns_buf_str(&o, var);
	ns_buf_str(&o, ": rule ");
	ns_buf_u64(&o, (uint64_t)n);
	ns_buf_str(&o, " \"");
	ns_buf_esc(&o, text, SHOW_RULE);
	ns_buf_str(&o, "\" at column ");
	ns_buf_u64(&o, (uint64_t)(at - b + 1));
	if (at < e) {
		ns_buf_str(&o, " (\"");
		ns_buf_esc(&o, rest, SHOW_REST);
		ns_buf_str(&o, "\")");
	} else {
		ns_buf_str(&o, " (its end)");
	}
	ns_buf_str(&o, ": expected ");
	ns_buf_str(&o, what);
	ns_buf_str(&o, "; that rule is ignored");
	if (o.overflow)
		o.len = o.cap;
	mem[o.len++] = '\n';
	io->warn(mem, o.len, io->ctx);
}

/* Complaints shown per variable: a hostile value of a million bad rules
 * gets a few lines and a count, not a million lines. */
#define SHOW_BAD 4

/* Rules separated by ';' into @f; returns the complaints. */
static int parse_list(struct ns_faults *f, const struct ns_config_io *io,
		      const char *var, const char *v)
{
	int bad = 0, shown = 0, n = 0, over = 0;
	char mem[128];
	struct ns_buf o;

	for (const char *p = v; *p;) {
		const char *end = strchr(p, ';'), *b = p, *e, *at, *err;
		struct ns_fault_rule *r;

		if (!end)
			end = p + strlen(p);
		p = *end ? end + 1 : end;
		for (e = end; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		if (b == e)
			continue;
		n++;
		if (f->n == NS_FAULT_MAX) {
			/* The first rule too many says why; the rest are
			 * only counted. */
			if (!over++ && shown < SHOW_BAD && ++shown)
				complain_rule(io, var, n, b, e, b,
					      "no more than 32 rules in all");
			bad++;
			continue;
		}
		r = &f->rule[f->n];
		err = ns_fault_parse_rule(r, b, e, &at);
		if (err) {
			if (shown < SHOW_BAD && ++shown)
				complain_rule(io, var, n, b, e, at, err);
			bad++;
			continue;
		}
		if (!copy(r->text, sizeof(r->text), b, e)) {
			memcpy(r->text, b, sizeof(r->text) - 4);
			strcpy(r->text + sizeof(r->text) - 4, "...");
		}
		f->calls |= NS_CALLBIT(r->call);
		f->random |= r->per10k < 10000;
		f->n++;
	}
	if (bad > shown) {
		ns_buf_init(&o, mem, sizeof(mem) - 1);
		ns_buf_str(&o, "netshim: ");
		ns_buf_str(&o, var);
		ns_buf_str(&o, ": ");
		ns_buf_u64(&o, (uint64_t)(bad - shown));
		ns_buf_str(&o, " more rules ignored, not shown\n");
		io->warn(o.p, o.len, io->ctx);
	}
	return bad;
}

static int parse_scenarios(struct ns_faults *f, const struct ns_config_io *io,
			   const char *v)
{
	unsigned used = 0;
	int bad = 0, unknown = 0;

	for (const char *p = v; *p;) {
		const char *end = strchr(p, ','), *b = p, *e;
		unsigned i;

		if (!end)
			end = p + strlen(p);
		p = *end ? end + 1 : end;
		for (e = end; e > b && e[-1] == ' '; e--)
			;
		while (b < e && *b == ' ')
			b++;
		if (b == e)
			continue;
		for (i = 0; i < ns_scenario_count; i++)
			if (is(b, e, ns_scenarios[i].name))
				break;
		if (i == ns_scenario_count) {
			unknown++;
			continue;
		}
		if (used & (1u << i))
			continue;
		used |= 1u << i;
		bad += parse_list(f, io, ns_var_names[NS_VAR_SCENARIO],
				  ns_scenarios[i].rules);
	}
	if (unknown)
		ns_config_complain(io, ns_var_names[NS_VAR_SCENARIO], v,
				   "names a scenario netshim does not know "
				   "(see netshim run --list-scenarios); ",
				   "ignoring the unknown names");
	return bad + (unknown != 0);
}

/* A seed nobody chose: the kernel's randomness, else the clock. */
static uint64_t pick_seed(void)
{
	uint64_t s = 0;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == sizeof(s))
		return s;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
	       (uint64_t)getpid() << 48;
}

int ns_fault_parse(struct ns_faults *f, const struct ns_config_io *io)
{
	const char *v;
	int bad = 0;

	memset(f, 0, sizeof(*f));
	v = io->get(ns_var_names[NS_VAR_FAIL], io->ctx);
	if (v && *v)
		bad += parse_list(f, io, ns_var_names[NS_VAR_FAIL], v);
	v = io->get(ns_var_names[NS_VAR_SCENARIO], io->ctx);
	if (v && *v)
		bad += parse_scenarios(f, io, v);
	v = io->get(ns_var_names[NS_VAR_SEED], io->ctx);
	if (v && *v) {
		const char *p = v;

		if (number(&p, p + strlen(p), UINT64_MAX, &f->seed) &&
		    !*p) {
			f->seeded = true;
		} else {
			ns_config_complain(io, ns_var_names[NS_VAR_SEED], v,
					   "is not a number from 0 to "
					   "18446744073709551615; ",
					   "picking a seed");
			bad++;
		}
	}
	if (!f->seeded)
		f->seed = pick_seed();
	return bad;
}
