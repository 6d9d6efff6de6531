/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Several JSON traces (a -o t.%p.json set) read as one, merged in time order,
 * with the keys every reader needs picked out of each event. */
#ifndef CLI_TRACES_H
#define CLI_TRACES_H

#include "jsonl.h"

#include <stdbool.h>

/* The keys of one event that every reader uses; strings point into the
 * parsed line (or into @num for numbers), valid until the next event. */
struct cli_ev {
	struct cli_json *j;
	const char *file;	/* as named on the command line */
	unsigned long line;
	unsigned src;		/* index of the file */
	const char *ts, *prog, *call;
	long long pid, tid, ret, dur_ns;
	long long t_us;		/* ts, microseconds since the epoch */
	const char *err;	/* errno's name or number, NULL when none */
	const char *gai;	/* error (lookups), NULL when none */
	bool has_fd;
	long long fd;
	bool has_sock;		/* sock is an object */
	const char *family, *type, *proto;	/* of sock */
	const char *addr;	/* NULL when absent or not a string */
	const char *policy, *injected;
	char num[4][24];	/* numbers given as text */
};

struct cli_traces;

/*
 * Opens @n files (- is standard input) for command @cmd ("report": messages
 * read "netshim report: ..."). A file that is not a JSON trace (a text
 * trace, binary data, something else) is refused in one line on standard
 * error; so is one that cannot be opened. *rc is then CLI_EXIT_FAIL, else
 * left alone. Returns NULL only when memory runs out.
 */
struct cli_traces *cli_traces_open(const char *cmd, char **files, int n,
				   int *rc);
/*
 * The next event of all files in time order (each file keeps its own
 * order, since a file is written as calls return): true with *ev filled,
 * false at the end. Lines that are not events are said on standard error
 * with their place and skipped, and counted.
 */
bool cli_traces_next(struct cli_traces *t, struct cli_ev *ev);
/* Lines skipped as not events, and files that were read. */
long long cli_traces_bad(const struct cli_traces *t);
int cli_traces_nread(const struct cli_traces *t);
/* Sets *rc to CLI_EXIT_FAIL if a read failed; frees everything. */
void cli_traces_close(struct cli_traces *t, int *rc);

/* "2026-11-23T06:00:27.980448Z" as microseconds since the epoch; -1 when
 * @ts is not of that form. */
long long cli_ts_us(const char *ts);

#endif
