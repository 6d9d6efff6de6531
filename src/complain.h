/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NETSHIM_* variables, where their values come from, and the one line
 * that complains about a bad one. */
#ifndef NS_COMPLAIN_H
#define NS_COMPLAIN_H

#include <stdbool.h>
#include <stddef.h>

/* Every NETSHIM_* variable, once: the parser, the check for unknown names
 * and `netshim run` all go by this list. */
#define NS_VARS(X)							\
	X(TRACE) X(FORMAT) X(EVENTS) X(BACKTRACE) X(FAMILY) X(PREFER)	\
	X(MPTCP) X(TFO) X(FAIL) X(SCENARIO) X(SEED) X(RAW)

enum ns_var {
#define NS_X(name) NS_VAR_##name,
	NS_VARS(NS_X)
#undef NS_X
	NS_VAR_COUNT
};

extern const char *const ns_var_names[NS_VAR_COUNT];

/* Where values come from and where complaints go: the environment and
 * stderr for the shim, argv and the terminal for the netshim command. */
struct ns_config_io {
	const char *(*get)(const char *name, void *ctx);
	void (*warn)(const char *line, size_t len, void *ctx);
	void *ctx;
	bool have_backtrace;	/* built with libunwind */
};

/* "netshim: NAME=VALUE WHAT WHAT2" (VALUE escaped and cut; none when
 * NULL) as one line to @io. */
void ns_config_complain(const struct ns_config_io *io, const char *name,
			const char *value, const char *what,
			const char *what2);

#endif
