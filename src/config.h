/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NETSHIM_* settings, parsed once into a struct that is const afterwards. */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include "event.h"
#include "fault.h"

#include <stdbool.h>

#define NS_PATH_MAX 4096
#define NS_BACKTRACE_MAX 32

enum ns_trace_kind {
	NS_TRACE_STDERR,
	NS_TRACE_OFF,
	NS_TRACE_FD,
	NS_TRACE_FILE,
};

enum ns_format {
	NS_FORMAT_TEXT,
	NS_FORMAT_JSON,
};

enum ns_family_policy {
	NS_FAMILY_ANY,
	NS_FAMILY_IPV4,
	NS_FAMILY_IPV6,
};

enum ns_prefer_policy {
	NS_PREFER_NONE,
	NS_PREFER_IPV4,
	NS_PREFER_IPV6,
};

enum ns_mptcp_policy {
	NS_MPTCP_PASS,
	NS_MPTCP_STRIP,
	NS_MPTCP_FORCE,
	NS_MPTCP_FALLBACK,
};

enum ns_tfo_policy {
	NS_TFO_PASS,
	NS_TFO_DROP,
	NS_TFO_RETRY,
};

/* NETSHIM_RAW: whether calls that bypass libc are trapped in the program. */
enum ns_raw_policy {
	NS_RAW_AUTO,	/* Go programs only */
	NS_RAW_ON,
	NS_RAW_OFF,
};

struct ns_config {
	enum ns_trace_kind trace;
	int trace_fd;			/* NS_TRACE_FD */
	char trace_path[NS_PATH_MAX];	/* NS_TRACE_FILE, %p not expanded */
	enum ns_format format;
	ns_callmask events;		/* calls to trace */
	int backtrace;			/* frames per event, 0 for none */
	enum ns_family_policy family;
	enum ns_prefer_policy prefer;
	enum ns_mptcp_policy mptcp;
	enum ns_tfo_policy tfo;
	enum ns_raw_policy raw;
	struct ns_faults fault;		/* NETSHIM_FAIL, _SCENARIO, _SEED */
};

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

/* True when some policy may change a call (the fd table is then kept even
 * with tracing off). */
bool ns_config_has_policy(const struct ns_config *c);

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

/* Fills @c from @io; every bad value is reported once and replaced by its
 * default. Returns the number of complaints. */
int ns_config_parse(struct ns_config *c, const struct ns_config_io *io);

/* Complains about NETSHIM_* names in @envp that netshim does not know. */
int ns_config_check_names(char *const *envp, const struct ns_config_io *io);

/* Writes @tmpl with %p replaced by @pid and %% by %; false if too long. */
bool ns_expand_path(char *out, size_t cap, const char *tmpl, int pid);

#endif
