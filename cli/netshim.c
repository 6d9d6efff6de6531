// SPDX-License-Identifier: LGPL-2.1-or-later
/* The netshim command: dispatch to run, log, report, diff, export and
 * doctor. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "run", cli_cmd_run, "run a program with libnetshim.so preloaded" },
	{ "log", cli_cmd_log, "show a JSON trace as aligned lines" },
	{ "report", cli_cmd_report, "summarise JSON traces: findings, sockets, "
				    "lookups" },
	{ "diff", cli_cmd_diff, "compare two JSON traces call by call" },
	{ "export", cli_cmd_export, "write JSON traces for Perfetto or "
				    "OpenTelemetry" },
	{ "doctor", cli_cmd_doctor, "check this host for what trips programs up" },
};

static int help(FILE *out)
{
	fprintf(out, "Usage: netshim COMMAND [OPTION]... [ARG]...\n"
		     "Trace and rewrite the socket calls of programs you "
		     "cannot rebuild.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "\n  -h, --help     display this help and exit\n"
		     "  -V, --version  output version information and exit\n"
		     "\n'netshim COMMAND --help' describes each command.\n"
		     "The environment variables are in libnetshim(7).\n");
	return out == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return help(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return help(stdout);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("netshim %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	return cli_usage_error(NULL, "'%s' is not a netshim command", argv[1]);
}
