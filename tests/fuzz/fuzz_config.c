// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: the NETSHIM_* parser (src/config.c) through its
 * ns_config_io, as the shim and netshim run feed it. */
#include "config.h"
#include "fuzz.h"

#define NVARS 8

static const char *const names[NVARS] = {
	"NETSHIM_TRACE",     "NETSHIM_FORMAT", "NETSHIM_EVENTS",
	"NETSHIM_BACKTRACE", "NETSHIM_FAMILY", "NETSHIM_PREFER",
	"NETSHIM_MPTCP",     "NETSHIM_TFO",
};

struct ctx {
	const char *val[NVARS];
	int warnings;
};

static const char *get(const char *name, void *p)
{
	struct ctx *c = p;

	for (int i = 0; i < NVARS; i++)
		if (strcmp(name, names[i]) == 0)
			return c->val[i];
	/* The fault variables have their own target, fuzz_fail: unset. */
	for (int i = 0; i < NS_VAR_COUNT; i++)
		if (strcmp(name, ns_var_names[i]) == 0)
			return NULL;
	FZ_ASSERT(0, "asked for %s, which netshim does not know", name);
	return NULL;
}

/* Promise (3): one line naming the variable, bounded. */
static void warn(const char *line, size_t len, void *p)
{
	struct ctx *c = p;

	c->warnings++;
	FZ_ASSERT(len > 0 && len <= 512, "warning of %zu bytes", len);
	FZ_ASSERT(memchr(line, '\n', len) == line + len - 1,
		  "a warning is not one line: %.*s", (int)len, line);
	FZ_ASSERT(len > 17 && memcmp(line, "netshim: NETSHIM_", 17) == 0,
		  "a warning does not name the variable: %.*s", (int)len, line);
	for (size_t i = 0; i + 1 < len; i++)
		FZ_ASSERT((unsigned char)line[i] >= 0x20 &&
			      (unsigned char)line[i] < 0x7f,
			  "raw byte 0x%02x in a warning",
			  (unsigned char)line[i]);
}

/*
 * The input is the values, NUL-separated, in the order of names[]; a
 * missing one is unset. The first byte chooses whether the build has
 * libunwind.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx cx = { 0 };
	struct ns_config_io io = { get, warn, &cx, false };
	struct ns_config cfg;
	char *copy, *p, *envp[NVARS + 2] = { 0 }, path[256];
	int bad, n = 0;

	if (!size)
		return 0;
	io.have_backtrace = data[0] & 1;
	copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	for (p = copy; n < NVARS && p < copy + size; n++) {
		cx.val[n] = p;
		p += strlen(p) + 1;
	}
	bad = ns_config_parse(&cfg, &io);
	FZ_ASSERT(bad == cx.warnings, "%d complaints, %d warnings", bad,
		  cx.warnings);
	FZ_ASSERT(cfg.trace >= NS_TRACE_STDERR && cfg.trace <= NS_TRACE_FILE,
		  "trace %d", cfg.trace);
	FZ_ASSERT(cfg.format == NS_FORMAT_TEXT || cfg.format == NS_FORMAT_JSON,
		  "format %d", cfg.format);
	FZ_ASSERT(cfg.events < NS_CALLBIT(NS_CALL_COUNT), "events %#x",
		  cfg.events);
	FZ_ASSERT(cfg.backtrace >= 0 && cfg.backtrace <= NS_BACKTRACE_MAX &&
		      (io.have_backtrace || !cfg.backtrace),
		  "backtrace %d", cfg.backtrace);
	FZ_ASSERT(
	    cfg.family <= NS_FAMILY_IPV6 && cfg.prefer <= NS_PREFER_IPV6 &&
		cfg.mptcp <= NS_MPTCP_FALLBACK && cfg.tfo <= NS_TFO_RETRY,
	    "policy %d %d %d %d", cfg.family, cfg.prefer, cfg.mptcp, cfg.tfo);
	if (cfg.trace == NS_TRACE_FILE) {
		FZ_ASSERT(memchr(cfg.trace_path, '\0', NS_PATH_MAX) != NULL,
			  "trace path not ended");
		/* %p expanded into a small buffer: cut, never overrun. */
		if (ns_expand_path(path, sizeof(path), cfg.trace_path,
				   (int)(size * 7919)))
			FZ_ASSERT(strlen(path) < sizeof(path), "path");
	}
	/* The same values as an environment, names and all. */
	cx.warnings = 0;
	for (int i = 0; i < n; i++)
		envp[i] = (char *)cx.val[i];
	bad = ns_config_check_names(envp, &io);
	FZ_ASSERT(bad == cx.warnings, "%d unknown names, %d warnings", bad,
		  cx.warnings);
	free(copy);
	return 0;
}
