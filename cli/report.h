/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim report's parts: the counts (report_count.c) beside the sockets,
 * lookups and findings (track.c, lookups.c, findings.c). */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include "traces.h"

extern long long cli_report_nevents;

/* Counts one event. */
void cli_report_count(const struct cli_ev *ev);
/* The counts as members of the report's JSON object, each followed by a
 * comma; or as text sections. */
void cli_report_counts_json(void);
void cli_report_counts_text(void);

#endif
