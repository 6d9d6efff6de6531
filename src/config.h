/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NETSHIM_* settings, parsed once into a struct that is const afterwards. */
#ifndef NS_CONFIG_H
#define NS_CONFIG_H

#include "complain.h"
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

/* Set by netshim itself for the processes of a run, never by users
 * (libnetshim(7)): the settings whose complaints were made, the trace
 * descriptor `netshim run` hands down as "N:DEV:INO"... */
#define NS_ENV_REPORTED "NETSHIM_REPORTED"
#define NS_ENV_INHERITED "NETSHIM_TRACE_INHERITED"
/* ... and, as "1", that netshim run watches the run's execs (a seccomp
 * listener of its own): the library's trap front hands it the exec of a
 * static program instead of refusing it (trap/exec.c). */
#define NS_ENV_WATCHED "NETSHIM_EXEC_WATCHED"
#define NS_REPORTED_LEN 17

/* True when some policy may change a call (the fd table is then kept even
 * with tracing off). */
bool ns_config_has_policy(const struct ns_config *c);

/* Fills @c from @io; every bad value is reported once and replaced by its
 * default. Returns the number of complaints. */
int ns_config_parse(struct ns_config *c, const struct ns_config_io *io);

/* Complains about NETSHIM_* names in @envp that netshim does not know. */
int ns_config_check_names(char *const *envp, const struct ns_config_io *io);

/* @out (NS_REPORTED_LEN bytes): the NETSHIM_* settings of @envp, other
 * than netshim's own two, hashed whatever their order. */
void ns_config_reported_mark(char *const *envp, char *out);
/* Whether @envp says complaints about settings hashing to @mark were made
 * already by a process of this run. */
bool ns_config_reported(char *const *envp, const char *mark);

/* Writes @tmpl with %p replaced by @pid and %% by %; false if too long. */
bool ns_expand_path(char *out, size_t cap, const char *tmpl, int pid);

#endif
