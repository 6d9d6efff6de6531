/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A few lines of TAP for the engine's unit tests (tests/unit_*.c): one
 * "ok N - what" or "not ok N - what" per check, the plan at the end, the
 * configuration read from a table instead of the environment. */
#ifndef NS_TAP_H
#define NS_TAP_H

#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n;

static inline __attribute__((format(printf, 2, 3))) int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

/* ok() for two strings, showing both when they differ. */
static inline int is_str(const char *got, const char *want, const char *what)
{
	int pass = got && want ? strcmp(got, want) == 0 : got == want;

	if (!pass)
		printf("# got:  %s\n# want: %s\n", got ? got : "(null)",
		       want ? want : "(null)");
	return ok(pass, "%s", what);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return 0;
}

/* NETSHIM_* values from a NULL-terminated list of "NAME=VALUE"; the
 * complaints are counted and the last one kept. */
struct tap_env {
	const char *const *vars;
	int warned;
	char last[640];
};

static inline const char *tap_get(const char *name, void *ctx)
{
	struct tap_env *e = ctx;
	size_t n = strlen(name);

	for (const char *const *v = e->vars; v && *v; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

static inline void tap_warn(const char *line, size_t len, void *ctx)
{
	struct tap_env *e = ctx;

	e->warned++;
	if (len >= sizeof(e->last))
		len = sizeof(e->last) - 1;
	memcpy(e->last, line, len);
	e->last[len] = '\0';
}

/* Parses @vars into @c; returns the complaints. */
static inline int tap_config(struct ns_config *c, struct tap_env *e,
			     const char *const *vars)
{
	struct ns_config_io io = { tap_get, tap_warn, e, false };

	e->vars = vars;
	e->warned = 0;
	e->last[0] = '\0';
	return ns_config_parse(c, &io);
}

#endif
