// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim run: exec a program with libnetshim.so preloaded and configured,
 * or run it under the seccomp front (seccomp/) when LD_PRELOAD cannot reach
 * it. */
#include "cli.h"
#include "../src/config.h"
#include "reach.h"
#include "../seccomp/run.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ---- finding the library ---- */

/* @path if it is a regular file, made absolute for LD_PRELOAD. */
static const char *usable(const char *path, char *out)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !realpath(path, out))
		return NULL;
	return out;
}

/*
 * Nearest first: the library installed beside this binary wherever its
 * prefix was moved to, the build tree's, then the configured pkglibdir.
 * The binary's own neighbours come before the configured path so that a
 * build tree or a relocated copy never picks up an older installed copy.
 */
const char *cli_find_library(bool complain)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX], tried[3][PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int k = 0;

	if (n > 0) {
		char *dir;

		exe[n] = '\0';
		dir = dirname(exe);
		snprintf(tried[k++], sizeof(tried[0]),
			 "%s/../lib/netshim/libnetshim.so", dir);
		snprintf(tried[k++], sizeof(tried[0]),
			 "%s/.libs/libnetshim.so", dir);
	}
	snprintf(tried[k++], sizeof(tried[0]), "%s", NS_PKGLIBDIR
		 "/libnetshim.so");
	for (int i = 0; i < k; i++)
		if (usable(tried[i], found))
			return found;
	if (!complain)
		return NULL;
	fprintf(stderr, "netshim: cannot find libnetshim.so; looked for");
	for (int i = 0; i < k; i++)
		fprintf(stderr, "%s %s", i ? "," : "", tried[i]);
	fprintf(stderr, "\nnetshim: say which one with --library=PATH\n");
	return NULL;
}

/* ---- the command ---- */

/* The option that sets each NETSHIM_* variable (config.h's list). */
static const char *const opt_name[NS_VAR_COUNT] = {
	[NS_VAR_TRACE] = "--output",	   [NS_VAR_FORMAT] = "--json",
	[NS_VAR_EVENTS] = "--events",	   [NS_VAR_BACKTRACE] = "--backtrace",
	[NS_VAR_FAMILY] = "-4/-6",	   [NS_VAR_PREFER] = "--prefer",
	[NS_VAR_MPTCP] = "--mptcp",	   [NS_VAR_TFO] = "--tfo",
	[NS_VAR_FAIL] = "--fail",	   [NS_VAR_SCENARIO] = "--scenario",
	[NS_VAR_SEED] = "--seed",	   [NS_VAR_RAW] = "--raw",
};

struct run_opts {
	const char *var[NS_VAR_COUNT];	/* NULL: as the environment has it */
	int complaints;
};

/* Answers the engine from the options alone: the environment's own
 * NETSHIM_* values are the library's to judge when it loads. */
static const char *opt_get(const char *name, void *ctx)
{
	struct run_opts *o = ctx;

	for (int i = 0; i < NS_VAR_COUNT; i++)
		if (!strcmp(name, ns_var_names[i]))
			return o->var[i];
	return NULL;
}

/*
 * The engine says "netshim: NETSHIM_X=VALUE is ...; FALLBACK". Nothing
 * falls back here, the program does not start: name the option instead
 * of the variable and drop the fallback.
 */
static void opt_warn(const char *line, size_t len, void *ctx)
{
	struct run_opts *o = ctx;
	const char *msg = line, *cut = NULL;
	char buf[640];

	if (len > 9 && !memcmp(line, "netshim: ", 9))
		msg += 9, len -= 9;
	for (const char *p = msg; p + 1 < msg + len; p++)
		if (p[0] == ';' && p[1] == ' ')
			cut = p;
	if (cut)
		len = (size_t)(cut - msg);
	while (len && msg[len - 1] == '\n')
		len--;
	snprintf(buf, sizeof(buf), "%.*s", (int)len, msg);
	for (int i = 0; i < NS_VAR_COUNT; i++) {
		size_t n = strlen(ns_var_names[i]);

		/* "NETSHIM_X=VALUE is ..." or "NETSHIM_FAIL: rule 2 ..." */
		if (!strncmp(buf, ns_var_names[i], n) &&
		    (buf[n] == '=' || buf[n] == ':')) {
			memmove(buf + strlen(opt_name[i]), buf + n,
				strlen(buf + n) + 1);
			memcpy(buf, opt_name[i], strlen(opt_name[i]));
			break;
		}
	}
	if (o->complaints++)
		fprintf(stderr, "\n");
	fprintf(stderr, "netshim run: %s", buf);
}

/* Whether the library will trap @r's raw calls: NETSHIM_RAW (the option's
 * or the environment's) on, or auto for a Go program; x86_64 only. */
static bool traps_raw(const struct run_opts *o, const struct cli_reach *r)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	const char *v = o->var[NS_VAR_RAW] ? o->var[NS_VAR_RAW]
					   : getenv("NETSHIM_RAW");

	if (v && !strcmp(v, "on"))
		return true;
	if (v && !strcmp(v, "off"))
		return false;
	return r->flags & CLI_REACH_GO;
#else
	(void)o;
	(void)r;
	return false;
#endif
}

static int help(void)
{
	printf("Usage: netshim run [OPTION]... [--] PROGRAM [ARG]...\n"
	       "Run PROGRAM with libnetshim.so preloaded: trace its socket "
	       "calls, and change\nsome of them with the policies.\n\n"
	       "  -4, --ipv4           only IPv4: AF_INET6 sockets and "
	       "lookups fail\n"
	       "  -6, --ipv6           only IPv6: AF_INET sockets and "
	       "lookups fail\n"
	       "      --prefer=FAMILY  order looked-up addresses ipv4 or "
	       "ipv6 first, or none\n"
	       "      --mptcp=POLICY   pass, strip, force or fallback "
	       "(IPPROTO_MPTCP sockets)\n"
	       "      --tfo=POLICY     pass, drop or retry (TCP Fast Open)\n"
	       "  -o, --output=FILE    write events to FILE (%%p: process "
	       "id), or stderr, off,\n"
	       "                       fd:N\n"
	       "      --json           write events as JSON lines\n"
	       "      --events=LIST    trace only the calls in LIST, e.g. "
	       "connect,dns or all,!fd\n"
	       "      --backtrace=N    add N caller frames (0 to 32) to "
	       "each event\n"
	       "      --fail=RULES     make calls fail, e.g. "
	       "'connect(ipv6)=ENETUNREACH;\n"
	       "                       getaddrinfo=EAI_AGAIN@30%%'\n"
	       "      --scenario=NAMES reproduce named broken environments "
	       "(comma separated)\n"
	       "      --seed=N         draw --fail's percentages from seed "
	       "N, to replay a run\n"
	       "      --list-scenarios list the scenarios with what each "
	       "does, and exit\n"
	       "      --library=PATH   preload PATH, not the libnetshim.so "
	       "beside netshim\n"
	       "      --raw=WHEN       trap socket calls that bypass libc "
	       "inside the program:\n"
	       "                       auto (Go programs, the default), on "
	       "or off\n"
	       "      --front=FRONT    preload (LD_PRELOAD), seccomp (system "
	       "calls, for static\n"
	       "                       programs) or auto (the default: "
	       "seccomp for those, and\n"
	       "                       for Go with --raw=off; preload for "
	       "the others)\n"
	       "  -h, --help           display this help and exit\n\n"
	       "The options set NETSHIM_FAMILY, NETSHIM_PREFER, "
	       "NETSHIM_MPTCP, NETSHIM_TFO,\nNETSHIM_TRACE, NETSHIM_FORMAT, "
	       "NETSHIM_EVENTS, NETSHIM_BACKTRACE, NETSHIM_FAIL,\n"
	       "NETSHIM_SCENARIO, NETSHIM_SEED and NETSHIM_RAW, described in "
	       "libnetshim(7);\nthose the options leave alone pass through "
	       "from the environment. The library\ngoes first in "
	       "LD_PRELOAD, ahead of what is there. A warning says when\n"
	       "LD_PRELOAD cannot reach PROGRAM (setuid; static; Go with "
	       "--raw=off and\n--front=preload).\n\n"
	       "Exit status is PROGRAM's own, or:\n"
	       "  1    if libnetshim.so cannot be found\n"
	       "  2    if an option is wrong; PROGRAM is not started\n"
	       "  126  if PROGRAM is found but cannot be run\n"
	       "  127  if PROGRAM cannot be found\n");
	return CLI_EXIT_OK;
}

static int list_scenarios(void)
{
	for (unsigned i = 0; i < ns_scenario_count; i++)
		printf("%-20s %s\n%-20s %s\n", ns_scenarios[i].name,
		       ns_scenarios[i].what, "", ns_scenarios[i].rules);
	return CLI_EXIT_OK;
}

static int usage_tail(void)
{
	fprintf(stderr, "Try 'netshim run --help' for more information.\n");
	return CLI_EXIT_USAGE;
}

/* LD_PRELOAD splits on spaces and colons and knows no escapes. */
static const char *check_library(const char *path)
{
	static char buf[PATH_MAX];
	const char *lib;

	errno = 0;
	lib = path ? usable(path, buf) : cli_find_library(true);

	if (path && !lib) {
		fprintf(stderr, "netshim run: --library=%s: %s\n", path,
			errno ? strerror(errno) : "not a regular file");
		return NULL;
	}
	if (lib && strpbrk(lib, " :")) {
		fprintf(stderr, "netshim run: cannot preload %s: LD_PRELOAD "
			"cannot hold a path with a space or a colon\n", lib);
		return NULL;
	}
	return lib;
}

static bool set_variables(const struct run_opts *o)
{
	for (int i = 0; i < NS_VAR_COUNT; i++)
		if (o->var[i] && setenv(ns_var_names[i], o->var[i], 1) != 0)
			return false;
	return true;
}

static bool set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload;
	int rc;

	old += old ? strspn(old, " :") : 0;
#ifdef NS_ASAN_RT
	/* configure --enable-sanitizers: a library built with ASan needs its
	 * runtime loaded before libc in a program built without it. */
	if (old && *old)
		rc = asprintf(&preload, "%s %s %s", NS_ASAN_RT, lib, old);
	else
		rc = asprintf(&preload, "%s %s", NS_ASAN_RT, lib);
#else
	if (old && *old)
		rc = asprintf(&preload, "%s %s", lib, old);
	else
		rc = asprintf(&preload, "%s", lib);
#endif
	if (rc < 0)
		return false;
	rc = setenv("LD_PRELOAD", preload, 1);
	free(preload);
	return rc == 0;
}

enum { OPT_PREFER = 256, OPT_MPTCP, OPT_TFO, OPT_JSON, OPT_EVENTS,
       OPT_BACKTRACE, OPT_LIBRARY, OPT_FAIL, OPT_SCENARIO, OPT_SEED,
       OPT_LIST_SCENARIOS, OPT_FRONT, OPT_RAW };

enum front { FRONT_AUTO, FRONT_PRELOAD, FRONT_SECCOMP };

static const struct option longopts[] = {
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "prefer", required_argument, NULL, OPT_PREFER },
	{ "mptcp", required_argument, NULL, OPT_MPTCP },
	{ "tfo", required_argument, NULL, OPT_TFO },
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "backtrace", required_argument, NULL, OPT_BACKTRACE },
	{ "library", required_argument, NULL, OPT_LIBRARY },
	{ "fail", required_argument, NULL, OPT_FAIL },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "list-scenarios", no_argument, NULL, OPT_LIST_SCENARIOS },
	{ "front", required_argument, NULL, OPT_FRONT },
	{ "raw", required_argument, NULL, OPT_RAW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cli_cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ns_config_io io = { opt_get, opt_warn, &o, false };
	struct ns_config cfg;
	struct cli_reach reach;
	const char *library = NULL, *lib;
	char name[] = "netshim run", seed[24];
	enum front front = FRONT_AUTO;
	int c, family = 0, err;

#ifdef HAVE_LIBUNWIND
	io.have_backtrace = true;
#endif
	/* getopt's own messages then read "netshim run: ...". */
	argv[0] = name;
	optind = 0;
	/* '+': the program's arguments are its own, not ours. */
	while ((c = getopt_long(argc, argv, "+46o:h", longopts, NULL)) != -1) {
		switch (c) {
		case '4':
		case '6':
			if (family && family != c)
				return cli_usage_error("run",
						      "-4 and -6 exclude each "
						      "other");
			family = c;
			o.var[NS_VAR_FAMILY] = c == '4' ? "ipv4" : "ipv6";
			break;
		case OPT_PREFER: o.var[NS_VAR_PREFER] = optarg; break;
		case OPT_MPTCP: o.var[NS_VAR_MPTCP] = optarg; break;
		case OPT_TFO: o.var[NS_VAR_TFO] = optarg; break;
		case 'o': o.var[NS_VAR_TRACE] = optarg; break;
		case OPT_JSON: o.var[NS_VAR_FORMAT] = "json"; break;
		case OPT_EVENTS: o.var[NS_VAR_EVENTS] = optarg; break;
		case OPT_BACKTRACE: o.var[NS_VAR_BACKTRACE] = optarg; break;
		case OPT_LIBRARY: library = optarg; break;
		case OPT_FAIL: o.var[NS_VAR_FAIL] = optarg; break;
		case OPT_SCENARIO: o.var[NS_VAR_SCENARIO] = optarg; break;
		case OPT_SEED: o.var[NS_VAR_SEED] = optarg; break;
		case OPT_RAW: o.var[NS_VAR_RAW] = optarg; break;
		case OPT_LIST_SCENARIOS: return list_scenarios();
		case OPT_FRONT:
			if (!strcmp(optarg, "auto"))
				front = FRONT_AUTO;
			else if (!strcmp(optarg, "preload"))
				front = FRONT_PRELOAD;
			else if (!strcmp(optarg, "seccomp"))
				front = FRONT_SECCOMP;
			else {
				fprintf(stderr, "netshim run: --front=%s: "
					"expected auto, preload or seccomp\n",
					optarg);
				return usage_tail();
			}
			break;
		case 'h': return help();
		default: return usage_tail();
		}
	}
	if (optind >= argc)
		return cli_usage_error("run", "no PROGRAM to run");
	/* The engine judges the values, with the messages the library
	 * would print, before anything runs. */
	if (ns_config_parse(&cfg, &io) > 0) {
		fprintf(stderr, "\n");
		return usage_tail();
	}
	/* Every process of the run draws from one seed, told here so the
	 * run can be replayed with --seed. */
	if (cfg.fault.random && !cfg.fault.seeded && !getenv("NETSHIM_SEED")) {
		snprintf(seed, sizeof(seed), "%llu",
			 (unsigned long long)cfg.fault.seed);
		o.var[NS_VAR_SEED] = seed;
		fprintf(stderr, "netshim run: drawing percentages with "
			"--seed=%s\n", seed);
	}
	if (!set_variables(&o)) {
		fprintf(stderr, "netshim run: %s\n", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	/* auto: what LD_PRELOAD cannot reach because no loader is involved
	 * (static) goes to the seccomp front; a dynamic Go program gets the
	 * library, which traps its raw calls (trap/), unless raw is off. */
	if (front == FRONT_AUTO &&
	    cli_reach_check(argv[optind], library ? NULL
						 : cli_find_library(false),
			   &reach) > 0 &&
	    ((reach.flags & CLI_REACH_STATIC) ||
	     ((reach.flags & CLI_REACH_GO) && !traps_raw(&o, &reach))))
		front = FRONT_SECCOMP;
	if (front == FRONT_SECCOMP) {
		c = ns_sc_run(argv + optind, &err);
		if (c >= 0)
			return c;
		fprintf(stderr, "netshim run: no seccomp front: %s; using "
			"LD_PRELOAD\n", ns_sc_why(err));
	}
	lib = check_library(library);
	if (!lib)
		return CLI_EXIT_FAIL;
	if (cli_reach_check(argv[optind], lib, &reach) > 0) {
		/* Its raw calls are trapped: the Go warning does not hold. */
		if (traps_raw(&o, &reach) &&
		    !(reach.flags & CLI_REACH_STATIC))
			reach.flags &= ~(unsigned)CLI_REACH_GO;
		if (reach.flags & 0xff)
			cli_reach_print(stderr, "run", &reach);
	}
	if (!set_preload(lib)) {
		fprintf(stderr, "netshim run: %s\n", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	fflush(NULL);
	execvp(argv[optind], argv + optind);
	c = errno;
	fprintf(stderr, "netshim run: %s: %s\n", argv[optind], strerror(c));
	return c == ENOENT ? 127 : 126;
}
