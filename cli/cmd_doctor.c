// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim doctor: check this host, and a program, for what trips it up. */
#include "../src/buf.h"
#include "cli.h"
#include "inject.h"
#include "doctor.h"
#include "../src/names.h"
#include "reach.h"
#include "../seccomp/run.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

#define CMD "doctor"
/* ---- MPTCP and TCP Fast Open ---- */

static void mptcp_refused_advice(struct cli_doctor *d)
{
	cli_doc_advise(d, "Go falls back to TCP by itself; a C, Python or Java "
			"program that asks for MPTCP (mptcpize) gets TCP with "
			"NETSHIM_MPTCP=fallback");
}

static void check_mptcp(struct cli_doctor *d)
{
	char v[32];
	int r = cli_doc_read_line("/proc/sys/net/mptcp/enabled", v, sizeof(v));

	if (r == -ENOENT) {
		cli_doc_finding(d, CLI_DOC_NOTE, "mptcp", "no net.mptcp.enabled: "
				"this kernel has no MPTCP, "
				"socket(IPPROTO_MPTCP) fails");
		mptcp_refused_advice(d);
	} else if (r < 0) {
		cli_doc_finding(d, CLI_DOC_NOTE, "mptcp", "cannot read "
				"net.mptcp.enabled: %s", cli_doc_errname(-r));
	} else if (!strcmp(v, "0")) {
		cli_doc_finding(d, CLI_DOC_NOTE, "mptcp", "net.mptcp.enabled=0: "
				"MPTCP is disabled, socket(IPPROTO_MPTCP) "
				"fails with ENOPROTOOPT");
		mptcp_refused_advice(d);
	} else {
		cli_doc_finding(d, CLI_DOC_OK, "mptcp", "net.mptcp.enabled=%s: "
				"programs can make IPPROTO_MPTCP sockets", v);
	}
}

/* The bits of net.ipv4.tcp_fastopen, worded after ip-sysctl.rst. */
static const struct {
	unsigned long bit;
	const char *what;
} tfo_bits[] = {
	{ 0x1, "client" },
	{ 0x2, "server" },
	{ 0x4, "client without cookie" },
	{ 0x200, "server without cookie" },
	{ 0x400, "server on listeners without TCP_FASTOPEN" },
};

static void check_tfo(struct cli_doctor *d)
{
	char v[32], bits[400] = "";
	unsigned long val, known = 0;
	size_t n = 0;
	char *end;
	int r;

	r = cli_doc_read_line("/proc/sys/net/ipv4/tcp_fastopen", v, sizeof(v));

	if (r < 0) {
		cli_doc_finding(d, CLI_DOC_NOTE, "tfo", "cannot read "
				"net.ipv4.tcp_fastopen: %s",
				cli_doc_errname(-r));
		return;
	}
	errno = 0;
	val = strtoul(v, &end, 0);
	if (errno || end == v || *end) {
		cli_doc_finding(d, CLI_DOC_NOTE, "tfo",
				"net.ipv4.tcp_fastopen=%s is not a number", v);
		return;
	}
	for (size_t i = 0; i < sizeof(tfo_bits) / sizeof(tfo_bits[0]); i++) {
		known |= tfo_bits[i].bit;
		if (!(val & tfo_bits[i].bit))
			continue;
		n += (size_t)snprintf(bits + n, sizeof(bits) - n, "%s0x%lx %s",
				      n ? ", " : "", tfo_bits[i].bit,
				      tfo_bits[i].what);
		if (n >= sizeof(bits))
			n = sizeof(bits) - 1;
	}
	if (val & ~known)
		snprintf(bits + n, sizeof(bits) - n, "%s0x%lx unknown",
			 n ? ", " : "", val & ~known);
	if (!val)
		snprintf(bits, sizeof(bits), "no bits");

	if (!(val & 0x1)) {
		cli_doc_finding(d, CLI_DOC_WARN, "tfo",
				"net.ipv4.tcp_fastopen=%s (%s): client side "
				"off, TCP_FASTOPEN_CONNECT and "
				"sendto(MSG_FASTOPEN) fail with EOPNOTSUPP", v,
				bits);
		cli_doc_advise(d, "NETSHIM_TFO=drop connects such programs "
				"without TCP Fast Open; or set the 0x1 bit: "
				"sysctl -w net.ipv4.tcp_fastopen=%lu",
				val | 0x1);
	} else if (!(val & 0x2)) {
		cli_doc_finding(d, CLI_DOC_OK, "tfo", "net.ipv4.tcp_fastopen=%s "
				"(%s): client side on; server side off, so "
				"TCP_FASTOPEN on a listener is accepted and "
				"has no effect", v, bits);
	} else {
		cli_doc_finding(d, CLI_DOC_OK, "tfo", "net.ipv4.tcp_fastopen=%s "
				"(%s): client and server side on", v, bits);
	}
}

/*
 * The live probe: Linux 6.1 refuses TCP_FASTOPEN on an MPTCP socket with
 * ENOPROTOOPT, and Go 1.24 servers, which listen with MPTCP by default,
 * stop on it. Asking the kernel is the only reliable way to know.
 */
static void check_mptcp_tfo(struct cli_doctor *d)
{
	int qlen = 5, fd, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0) {
		cli_doc_finding(d, CLI_DOC_NOTE, "mptcp-tfo", "the kernel "
				"refuses MPTCP sockets (%s), so TCP_FASTOPEN "
				"on one was not tried", cli_doc_errname(errno));
		return;
	}
	if (!setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen))) {
		close(fd);
		cli_doc_finding(d, CLI_DOC_OK, "mptcp-tfo", "the kernel accepts "
				"TCP_FASTOPEN on an MPTCP socket (live probe)");
		return;
	}
	err = errno;
	close(fd);
	cli_doc_finding(d, CLI_DOC_WARN, "mptcp-tfo", "the kernel refuses "
			"TCP_FASTOPEN on an MPTCP socket with %s%s: a Go 1.24 "
			"server, which listens with MPTCP by default, stops on "
			"it", cli_doc_errname(err),
			err == ENOPROTOOPT ? ", as Linux 6.1 does" : "");
	cli_doc_advise(d, "C, C++, Python, Java: NETSHIM_TFO=retry (reported as "
			"set, the socket stays MPTCP), NETSHIM_MPTCP=fallback "
			"(replaced by TCP) or NETSHIM_MPTCP=strip (TCP from "
			"the start)");
	cli_doc_advise(d, "Go makes these calls without libc, out of netshim's "
			"reach: GODEBUG=multipathtcp=0 keeps its listeners on "
			"TCP");
}

/* ---- PROGRAM ---- */

/* Which kind of secure execution cli_reach_check() found, for the reader:
 * the same tests, on the file that runs. */
static const char *secure_kind(const char *elf, char *buf, size_t size)
{
	struct stat st;

	if (geteuid() != getuid() || getegid() != getgid())
		return "run by a process whose ids differ from its real ones";
	if (stat(elf, &st))
		return "secure";
	if (st.st_mode & S_ISUID && st.st_uid != getuid())
		snprintf(buf, size, "set-user-ID, owner uid %u",
			 (unsigned)st.st_uid);
	else if (st.st_mode & S_ISGID && st.st_gid != getgid())
		snprintf(buf, size, "set-group-ID, group gid %u",
			 (unsigned)st.st_gid);
	else
		snprintf(buf, size, "file capabilities");
	return buf;
}

static void go_advice(struct cli_doctor *d, bool cgo)
{
	if (cgo)
		cli_doc_advise(d, "GODEBUG=netdns=cgo sends name lookups "
				"through libc, where netshim traces them and "
				"NETSHIM_FAMILY and NETSHIM_PREFER apply");
	else
		cli_doc_advise(d, "GODEBUG=netdns=cgo needs a cgo build; this "
				"one resolves names in Go");
	cli_doc_advise(d, "GODEBUG=multipathtcp=0 keeps Go 1.24 listeners on "
			"TCP, which avoids the TCP_FASTOPEN-on-MPTCP refusal");
}

/* What LD_PRELOAD cannot reach: a static program gets netshim's blob in
 * its own process (the trap front); the seccomp front is the fallback,
 * and what a Go program gets with NETSHIM_RAW=off. */
static void check_seccomp(struct cli_doctor *d, bool stat)
{
	int err = -ns_sc_probe();
	char why[PATH_MAX + 128];

	if (stat && cli_find_blob(why, sizeof(why)))
		cli_doc_finding(d, CLI_DOC_OK, "trap", "netshim run traces it "
				"in its own process (the trap front, the "
				"default, --front=auto)");
	else if (stat)
		cli_doc_finding(d, CLI_DOC_WARN, "trap", "no trap front: %s",
				why);
	if (!err)
		cli_doc_finding(d, CLI_DOC_OK, "seccomp", "netshim run can "
				"trace it with its seccomp front%s",
				stat ? " (the fallback, --front=seccomp)" : "");
	else
		cli_doc_finding(d, CLI_DOC_WARN, "seccomp", "no seccomp front "
				"here: %s; netshim run falls back to "
				"LD_PRELOAD", ns_sc_why(err));
}

/* Whether LD_PRELOAD reaches the program, by cmd_run.c's own check, so
 * that doctor and run never disagree. */
static void check_program(struct cli_doctor *d, const struct cli_reach *r,
			  const char *lib)
{
	const char *p = r->elf;
	char kind[64];

	if (strcmp(r->path, r->elf))
		cli_doc_finding(d, CLI_DOC_OK, "program", "%s: #! script, run "
				"by %s: what follows is about that", r->path,
				r->elf);
	if (r->err) {
		cli_doc_finding(d, CLI_DOC_WARN, "program", "%s: cannot read it: "
				"%s", p, cli_doc_errname(r->err));
		return;
	}
	if (!r->elf_class) {
		cli_doc_finding(d, CLI_DOC_WARN, "program", "%s: neither an ELF "
				"executable nor a #! script", p);
		return;
	}
	if (r->flags & CLI_REACH_STATIC) {
		cli_doc_finding(d, CLI_DOC_WARN, "program", "%s: statically "
				"linked%s: no dynamic loader, so LD_PRELOAD is "
				"ignored and the library sees nothing", p,
				r->flags & CLI_REACH_GO ? " Go program" : "");
		if (r->flags & CLI_REACH_GO)
			go_advice(d, false);
	} else if (r->flags & CLI_REACH_CLASS) {
		cli_doc_finding(d, CLI_DOC_WARN, "program", "%s: ELF class %d, "
				"machine %d, and %s is class %d, machine %d: "
				"the loader skips the library", p,
				r->elf_class, r->elf_machine, lib,
				r->lib_class, r->lib_machine);
	} else if (r->flags & CLI_REACH_GO) {
		cli_doc_finding(d, CLI_DOC_NOTE, "program", "%s: Go program, "
				"dynamically linked (cgo): Go's net package "
				"makes raw system calls, which the library "
				"traps (NETSHIM_RAW=auto); with NETSHIM_RAW=off "
				"it sees the cgo name lookups and C code only",
				p);
		go_advice(d, true);
	} else {
		cli_doc_finding(d, CLI_DOC_OK, "program", "%s: dynamically "
				"linked: netshim can trace it", p);
	}
	if (r->flags & (CLI_REACH_STATIC | CLI_REACH_GO))
		check_seccomp(d, r->flags & CLI_REACH_STATIC);
	if (!lib)
		cli_doc_finding(d, CLI_DOC_NOTE, "program", "no libnetshim.so "
				"found, so its ELF class was not compared with "
				"the program's");
	if (r->flags & CLI_REACH_SECURE) {
		cli_doc_finding(d, CLI_DOC_WARN, "program", "%s: %s: run by this "
				"user, it is in secure-execution mode, where "
				"the loader ignores LD_PRELOAD paths with a "
				"slash and netshim stays silent", p,
				secure_kind(p, kind, sizeof(kind)));
		/* cp without -p copies neither the bits nor the xattr. */
		cli_doc_advise(d, "run it as its owner, or trace a copy: cp %s "
				"/tmp/ keeps neither the mode bits nor the "
				"capabilities", p);
	}
}

/* ---- the command ---- */

static int help(void)
{
	printf("Usage: netshim doctor [OPTION]... [PROGRAM]\n"
"Check this host for what trips programs up: MPTCP, TCP Fast Open, the\n"
"loopback interface, IPv6 addresses and default routes, /etc/gai.conf, and,\n"
"by a live probe, whether the kernel accepts TCP_FASTOPEN on an MPTCP\n"
"socket. The settings are those of the network namespace doctor runs in.\n"
"With PROGRAM (a path, or a name looked up in PATH), also check whether\n"
"netshim can reach it: static, setuid, setgid, file capabilities, Go.\n"
"\n"
"Each finding is one line: OK, NOTE (worth knowing) or WARN (likely to\n"
"trip programs up), the check's name, and what was found. Indented lines\n"
"under a finding say what helps.\n"
"\n"
"      --json          one JSON object per finding: level, check, message,\n"
"                        advice\n"
"      --color[=WHEN]  colour the levels: always, never, or auto (the\n"
"                        default: on a terminal, unless NO_COLOR is set)\n"
"  -h, --help          display this help and exit\n"
"\n"
"Exit status: 0 when the checks ran, whatever they found; 1 when they could\n"
"not (PROGRAM not found, output failed); 2 for bad usage.\n");
	return CLI_EXIT_OK;
}

int cli_cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "color", optional_argument, NULL, 'c' },
		{ "colour", optional_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cli_doctor d;
	const char *colour = "auto", *nc;
	const char *lib = NULL;
	struct cli_reach reach;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			d.json = true;
			break;
		case 'c':
			colour = optarg ? optarg : "always";
			break;
		case 'h':
			return help();
		case ':':
			return cli_usage_error(CMD, "option '%s' needs an "
					      "argument", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error(CMD, "invalid option "
						      "-- '%c'", optopt);
			return cli_usage_error(CMD, "unrecognized option '%s'",
					      argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error(CMD, "one PROGRAM at most, not '%s' too",
				      argv[optind + 1]);
	if (!strcmp(colour, "always") || !strcmp(colour, "yes")) {
		d.colour = true;
	} else if (!strcmp(colour, "auto") || !strcmp(colour, "tty")) {
		nc = getenv("NO_COLOR");
		d.colour = isatty(STDOUT_FILENO) && !(nc && *nc);
	} else if (strcmp(colour, "never") && strcmp(colour, "no")) {
		return cli_usage_error(CMD, "--color=%s is not one of always, "
				      "never, auto", colour);
	}
	d.colour = d.colour && !d.json;
	/* Before any output: a PROGRAM that is not there is a failure. */
	if (optind < argc) {
		lib = cli_find_library(false);
		if (cli_reach_check(argv[optind], lib, &reach) < 0) {
			bool named = !strchr(argv[optind], '/');

			fprintf(stderr, "netshim doctor: %s: %s\n",
				argv[optind], named && reach.err == ENOENT ?
				"not found in PATH" : strerror(reach.err));
			return CLI_EXIT_FAIL;
		}
	}

	check_mptcp(&d);
	check_tfo(&d);
	check_mptcp_tfo(&d);
	cli_doc_check_net(&d);
	if (optind < argc)
		check_program(&d, &reach, lib);
	cli_doc_flush(&d);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "netshim doctor: writing the findings failed: "
			"%s\n", cli_doc_errname(errno));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
