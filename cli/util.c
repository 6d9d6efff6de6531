// SPDX-License-Identifier: LGPL-2.1-or-later
/* What every netshim subcommand shares: the usage complaint, and memory
 * that ends the command with a message when it runs out. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "netshim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'netshim%s%s --help' for more information.\n",
		cmd ? " " : "", cmd ? cmd : "");
	return CLI_EXIT_USAGE;
}

void *cli_xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "netshim: out of memory\n");
		exit(CLI_EXIT_FAIL);
	}
	return p;
}

char *cli_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(cli_xmalloc(n), s, n);
}
