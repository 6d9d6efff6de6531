/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim export's formats: Chrome/Perfetto trace events (cmd_export.c)
 * and OpenTelemetry OTLP/JSON logs (export_otlp.c). */
#ifndef CLI_EXPORT_H
#define CLI_EXPORT_H

#include "traces.h"

#include <stdbool.h>

/* OTLP/JSON: one ExportLogsServiceRequest a line, each holding the
 * consecutive events of one process (at most a batch). */
void cli_otlp_event(const struct cli_ev *ev);
void cli_otlp_end(void);

/* Calls that failed, not those under way (EINPROGRESS, EAGAIN...). */
bool cli_export_failed(const struct cli_ev *ev);
/* The call as one line: "connect(fd=5, addr=[::1]:80) = -1 ECONNREFUSED". */
const char *cli_export_line(const struct cli_ev *ev);

#endif
