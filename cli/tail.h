/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a trace line by line, once or as tail -F follows a file that is
 * still being written, rotated or truncated. */
#ifndef CLI_TAIL_H
#define CLI_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cli_tail {
	/* Set by the caller. */
	const char *cmd;	/* "log": messages read "netshim log: ..." */
	const char *name;	/* the source in messages */
	const char *path;	/* NULL: standard input */
	/* One complete line (without its newline); line is its number. */
	void (*line)(struct cli_tail *t, char *text, size_t len);
	/* A line that cannot be a trace line (longer than the reader
	 * holds); lineno is its number. */
	void (*bad)(struct cli_tail *t, const char *why);
	/* Nothing more to read for now: show what is pending. */
	void (*idle)(struct cli_tail *t);
	void *ctx;

	/* The reader's own. */
	unsigned long lineno;	/* lines taken from the current file */
	int fd;
	dev_t dev;
	ino_t ino;
	off_t pos;		/* bytes read from the current file */
	bool skipping;		/* dropping the rest of an overlong line */
	bool short_read;	/* the last read left room in the buffer */
	char *buf;
	size_t len, cap;
};

/* Reads @t's source to its end; the exit status for the command. */
int cli_tail_read(struct cli_tail *t);
/* Follows @t's path for ever, by name; returns only on error. */
int cli_tail_follow(struct cli_tail *t);
/* Frees what the reader holds. */
void cli_tail_done(struct cli_tail *t);

#endif
