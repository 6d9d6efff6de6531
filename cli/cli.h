/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The netshim command's subcommands, one file each, on the shared engine. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses, as GNU tools use them. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Each takes the arguments after its own name (argv[0] is the
 * subcommand's name) and returns the exit status; run only returns on
 * failure, since it execs the program. */
int cli_cmd_run(int argc, char **argv);
int cli_cmd_log(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_doctor(int argc, char **argv);
int cli_cmd_diff(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);

/* "netshim run: MESSAGE" and a pointer to --help on stderr; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* malloc and strdup that end the command with a message when memory
 * runs out: a summary or a view has nothing better to do then. */
void *cli_xmalloc(size_t n);
char *cli_xstrdup(const char *s);

/* Execs @argv (argv[0] searched on PATH) as bash would; returns only when
 * that failed, having said why in bash's words as "netshim CMD: ...", with
 * bash's status: 127 (not found) or 126 (not runnable). */
int cli_exec(const char *cmd, char *const argv[]);

/* The library to preload: found beside the installed command or in the
 * build tree; NULL when there is none, said on stderr if @complain. */
const char *cli_find_library(bool complain);

#endif
