// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim run: exec a program with libnetshim.so preloaded and configured. */
#include "cli.h"
#include "config.h"
#include "reach.h"

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
const char *ns_find_library(bool complain)
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

/* Each NETSHIM_* variable an option sets, and that option's name. */
enum { V_TRACE, V_FORMAT, V_EVENTS, V_BACKTRACE, V_FAMILY, V_PREFER,
       V_MPTCP, V_TFO, V_COUNT };

static const char *const var_name[V_COUNT] = {
	"NETSHIM_TRACE", "NETSHIM_FORMAT", "NETSHIM_EVENTS",
	"NETSHIM_BACKTRACE", "NETSHIM_FAMILY", "NETSHIM_PREFER",
	"NETSHIM_MPTCP", "NETSHIM_TFO",
};

static const char *const opt_name[V_COUNT] = {
	"--output", "--json", "--events", "--backtrace", "-4/-6", "--prefer",
	"--mptcp", "--tfo",
};

struct run_opts {
	const char *var[V_COUNT];	/* NULL: as the environment has it */
	int complaints;
};

/* Answers the engine from the options alone: the environment's own
 * NETSHIM_* values are the library's to judge when it loads. */
static const char *opt_get(const char *name, void *ctx)
{
	struct run_opts *o = ctx;

	for (int i = 0; i < V_COUNT; i++)
		if (!strcmp(name, var_name[i]))
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
	for (int i = 0; i < V_COUNT; i++) {
		size_t n = strlen(var_name[i]);

		if (!strncmp(buf, var_name[i], n) && buf[n] == '=') {
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
	       "      --library=PATH   preload PATH, not the libnetshim.so "
	       "beside netshim\n"
	       "  -h, --help           display this help and exit\n\n"
	       "The options set NETSHIM_FAMILY, NETSHIM_PREFER, "
	       "NETSHIM_MPTCP, NETSHIM_TFO,\nNETSHIM_TRACE, NETSHIM_FORMAT, "
	       "NETSHIM_EVENTS and NETSHIM_BACKTRACE, described\nin "
	       "libnetshim(7); those the options leave alone pass through "
	       "from the\nenvironment. The library goes first in LD_PRELOAD, "
	       "ahead of what is there.\nA warning says when LD_PRELOAD "
	       "cannot reach PROGRAM (static, setuid, Go).\n\n"
	       "Exit status is PROGRAM's own, or:\n"
	       "  1    if libnetshim.so cannot be found\n"
	       "  2    if an option is wrong; PROGRAM is not started\n"
	       "  126  if PROGRAM is found but cannot be run\n"
	       "  127  if PROGRAM cannot be found\n");
	return NS_EXIT_OK;
}

static int usage_tail(void)
{
	fprintf(stderr, "Try 'netshim run --help' for more information.\n");
	return NS_EXIT_USAGE;
}

/* LD_PRELOAD splits on spaces and colons and knows no escapes. */
static const char *check_library(const char *path)
{
	static char buf[PATH_MAX];
	const char *lib;

	errno = 0;
	lib = path ? usable(path, buf) : ns_find_library(true);

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

static bool set_environment(const struct run_opts *o, const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload;
	int rc;

	for (int i = 0; i < V_COUNT; i++)
		if (o->var[i] && setenv(var_name[i], o->var[i], 1) != 0)
			return false;
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
       OPT_BACKTRACE, OPT_LIBRARY };

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
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int ns_cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ns_config_io io = { opt_get, opt_warn, &o, false };
	struct ns_config cfg;
	struct ns_reach reach;
	const char *library = NULL, *lib;
	char name[] = "netshim run";
	int c, family = 0;

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
				return ns_usage_error("run",
						      "-4 and -6 exclude each "
						      "other");
			family = c;
			o.var[V_FAMILY] = c == '4' ? "ipv4" : "ipv6";
			break;
		case OPT_PREFER: o.var[V_PREFER] = optarg; break;
		case OPT_MPTCP: o.var[V_MPTCP] = optarg; break;
		case OPT_TFO: o.var[V_TFO] = optarg; break;
		case 'o': o.var[V_TRACE] = optarg; break;
		case OPT_JSON: o.var[V_FORMAT] = "json"; break;
		case OPT_EVENTS: o.var[V_EVENTS] = optarg; break;
		case OPT_BACKTRACE: o.var[V_BACKTRACE] = optarg; break;
		case OPT_LIBRARY: library = optarg; break;
		case 'h': return help();
		default: return usage_tail();
		}
	}
	if (optind >= argc)
		return ns_usage_error("run", "no PROGRAM to run");
	/* The engine judges the values, with the messages the library
	 * would print, before anything runs. */
	if (ns_config_parse(&cfg, &io) > 0) {
		fprintf(stderr, "\n");
		return usage_tail();
	}
	lib = check_library(library);
	if (!lib)
		return NS_EXIT_FAIL;
	if (ns_reach_check(argv[optind], lib, &reach) > 0)
		ns_reach_print(stderr, "run", &reach);
	if (!set_environment(&o, lib)) {
		fprintf(stderr, "netshim run: %s\n", strerror(errno));
		return NS_EXIT_FAIL;
	}
	fflush(NULL);
	execvp(argv[optind], argv + optind);
	c = errno;
	fprintf(stderr, "netshim run: %s: %s\n", argv[optind], strerror(c));
	return c == ENOENT ? 127 : 126;
}
