// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim doctor: not written yet. */
#include "cli.h"

#include <stdio.h>

int ns_cmd_doctor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "netshim doctor: not implemented yet\n");
	return NS_EXIT_FAIL;
}
