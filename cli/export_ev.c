// SPDX-License-Identifier: LGPL-2.1-or-later
/* What both export formats say of an event: whether the call failed, and
 * the call as one line, as netshim diff shows it. */
#include "diff.h"
#include "export.h"
#include "track.h"

#include <stdlib.h>
#include <string.h>

static bool is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

bool cli_export_failed(const struct cli_ev *ev)
{
	if (ev->gai)
		return true;
	return ev->err && !is(ev->err, "EINPROGRESS") &&
	       !is(ev->err, "EAGAIN") && !is(ev->err, "EWOULDBLOCK") &&
	       !is(ev->err, "EINTR") && !is(ev->err, "EALREADY");
}

const char *cli_export_line(const struct cli_ev *ev)
{
	static char line[8192];
	char *norm, *shown;

	cli_diff_norm(ev, &norm, &shown);
	cli_cpy(line, sizeof(line), shown);
	free(norm);
	free(shown);
	return line;
}
