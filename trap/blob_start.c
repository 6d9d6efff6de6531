// SPDX-License-Identifier: LGPL-2.1-or-later
/* The blob's set-up, run once per image by netshim in a program stopped
 * at its exec: the gate, the settings, the trace, the handler, the filter. */
#include "blob.h"
#include "blob_front.h"
#include "trap.h"
#include "../src/policy.h"
#include "../src/sys.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

/* The entry point (blob.lds): netshim calls it with the registers blob.h
 * says and waits for the int3 after the set-up returns. */
__asm__(".pushsection .text.entry,\"ax\",@progbits\n"
	".globl trap_blob_entry\n"
	".hidden trap_blob_entry\n"
	"trap_blob_entry:\n"
	"\tcall trap_blob_init\n"
	"\tint3\n"
	".popsection\n");

long trap_blob_init(unsigned long *sp, struct trap_blob_args *a);

/* What netshim writes and reads (blob.h), at TRAP_BLOB_ARGS (blob.lds). */
__attribute__((section(".blob_args"), used))
struct trap_blob_args trap_blob_args = {
	.magic = TRAP_BLOB_MAGIC,
	.version = TRAP_BLOB_VERSION,
	.listener = -1,
};

static struct ns_config config;
const struct ns_config *blob_cfg = &config;
struct ns_sink blob_sink;
int blob_pid;
char blob_prog[64];

/* NAME's value in the run's settings, not in the program's environment
 * (which it may have emptied before exec). */
static const char *get(const char *name, void *ctx)
{
	const struct trap_blob_args *a = ctx;
	size_t n = strlen(name);

	for (const char *e = a->env; *e && e < a->env + a->env_len;
	     e += strlen(e) + 1)
		if (!strncmp(e, name, n) && e[n] == '=')
			return e + n + 1;
	return NULL;
}

/* netshim run judged the settings before it started the program and said
 * what was wrong with them; the blob takes the defaults quietly. */
static void quiet(const char *line, size_t len, void *ctx)
{
	(void)line, (void)len, (void)ctx;
}

const struct ns_config_io blob_io = { get, quiet, &trap_blob_args, false };

static long fail(struct trap_blob_args *a, long err, const char *why)
{
	size_t n = strlen(why);

	if (n >= sizeof(a->why))
		n = sizeof(a->why) - 1;
	memcpy(a->why, why, n);
	a->why[n] = '\0';
	a->status = (int32_t)err;
	return err;
}

/* The last name of argv[0], as program_invocation_short_name. */
static void name_of(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;
	size_t n;

	s = s ? s + 1 : argv0 ? argv0 : "";
	n = strlen(s);
	if (n >= sizeof(blob_prog))
		n = sizeof(blob_prog) - 1;
	memcpy(blob_prog, s, n);
	blob_prog[n] = '\0';
}

/* What a dynamic program this one execs gets back: LD_PRELOAD and the
 * NETSHIM_* settings of the run (exec.c). */
static void keep_for_exec(const struct trap_blob_args *a)
{
	const char *lib = get("LD_PRELOAD", (void *)a);

	if (lib)
		trap_exec_library(lib);
	for (const char *e = a->env; *e && e < a->env + a->env_len;
	     e += strlen(e) + 1)
		if (!strncmp(e, "NETSHIM_", 8) ||
		    !strncmp(e, "LD_PRELOAD=", 11))
			trap_exec_keep(e);
}

/*
 * @sp: the program's stack at exec (argc, argv, NULL, envp, NULL, auxv):
 * argv[0] names the events' program, AT_SYSINFO_EHDR gives the vDSO's
 * clock. The handler goes in before the filter, the gate before both;
 * the filter only in the first image of a run (an exec'd one inherits
 * it: seccomp(2)).
 */
long trap_blob_init(unsigned long *sp, struct trap_blob_args *a)
{
	unsigned long argc = sp[0], *env = sp + argc + 2, *aux = env;
	ns_callmask calls;
	long r;

	a->status = 0;
	a->listener = -1;
	a->why[0] = '\0';
	if (a->magic != TRAP_BLOB_MAGIC || a->version != TRAP_BLOB_VERSION)
		return fail(a, -EINVAL, "the blob's argument block is not "
				       "this version's");
	if (a->env_len >= sizeof(a->env))
		return fail(a, -E2BIG, "the settings are too long");
	a->env[a->env_len] = '\0';
	if (!trap_site_map())
		return fail(a, -EEXIST, "cannot map netshim's page at "
					"0x6e7300000000");
	ns_sys_site = trap_sys;
	while (*aux)
		aux++;
	ns_free_init(aux + 1);
	name_of(argc ? (const char *)sp[1] : NULL);

	ns_config_parse(&config, &blob_io);
	if (config.trace == NS_TRACE_OFF)
		config.events = 0;
	ns_fd_keep(ns_policy_needs_table(&config));
	calls = ns_policy_calls(&config);
	blob_pid = ns_sys_getpid();
	if (!ns_sink_adopt(&blob_sink, &config, get(NS_ENV_INHERITED, a)))
		ns_sink_open(&blob_sink, &config, blob_pid, &blob_io);
	keep_for_exec(a);
	/* netshim listens: this filter's listener, the one of the image
	 * that exec'd this one, or netshim run's exec watch's. */
	trap_exec_listened = (a->flags & TRAP_BLOB_F_LISTEN) ||
			     !(a->flags & TRAP_BLOB_F_FILTER) ||
			     get(NS_ENV_WATCHED, a);
	if (!trap_handler_install())
		return fail(a, -EINVAL, "cannot install the SIGSYS handler");
	if (!(a->flags & TRAP_BLOB_F_FILTER))
		return 0;
	r = trap_filter_install(calls, a->flags & TRAP_BLOB_F_LISTEN);
	if (r < 0)
		return fail(a, r, "cannot install the seccomp filter");
	if (a->flags & TRAP_BLOB_F_LISTEN)
		a->listener = (int32_t)r;
	return 0;
}
