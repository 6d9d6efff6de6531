// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reading a trace line by line: once to its end, or following it by name
 * as tail -F does. */
#include "tail.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How often following looks at the file again. */
#define POLL_MS 200
/* A line longer than this is garbage, not a reason to eat all memory. */
#define LINE_MAX_BYTES (1024 * 1024)

static void take(struct cli_tail *s, char *text, size_t len)
{
	s->lineno++;
	s->line(s, text, len);
}

/* Hand over every complete line in the buffer and keep the rest. */
static void take_lines(struct cli_tail *s)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(s->buf + start, '\n', s->len - start))) {
		size_t n = (size_t)(nl - (s->buf + start));

		if (s->skipping)
			s->skipping = false;
		else
			take(s, s->buf + start, n);
		start += n + 1;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
	if (s->len == LINE_MAX_BYTES) {
		if (!s->skipping) {
			s->lineno++;
			s->bad(s, "longer than 1 MiB");
		}
		s->skipping = true;
		s->len = 0;
	}
}

/* The last bytes of a file that ends without a newline are still a line
 * when nothing more can come. */
static void take_rest(struct cli_tail *s)
{
	if (s->len && !s->skipping)
		take(s, s->buf, s->len);
	s->len = 0;
	s->skipping = false;
}

/* Read what is there: >0 bytes read, 0 at end of file, -1 on error. */
static ssize_t fill(struct cli_tail *s)
{
	ssize_t n;

	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		char *p;

		if (cap > LINE_MAX_BYTES)
			cap = LINE_MAX_BYTES;
		p = realloc(s->buf, cap);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		s->buf = p;
		s->cap = cap;
	}
	do
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
	while (n < 0 && errno == EINTR);
	s->short_read = n >= 0 && (size_t)n < s->cap - s->len;
	if (n > 0) {
		s->len += (size_t)n;
		s->pos += n;
	}
	return n;
}

static int open_src(struct cli_tail *s)
{
	struct stat st;

	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return -1;
	if (fstat(s->fd, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	s->pos = 0;
	s->lineno = 0;
	s->len = 0;
	s->skipping = false;
	return 0;
}

int cli_tail_read(struct cli_tail *s)
{
	int rc = CLI_EXIT_OK;
	ssize_t n;

	if (!s->path) {
		s->fd = STDIN_FILENO;
	} else if (open_src(s) < 0) {
		fprintf(stderr, "netshim %s: %s: %s\n", s->cmd, s->name,
			strerror(errno));
		return CLI_EXIT_FAIL;
	}
	while ((n = fill(s)) > 0) {
		take_lines(s);
		/* A pipe with nothing more for now: show what came. */
		if (s->short_read)
			s->idle(s);
	}
	if (n < 0) {
		fprintf(stderr, "netshim %s: %s: %s\n", s->cmd, s->name,
			strerror(errno));
		rc = CLI_EXIT_FAIL;
	} else {
		take_rest(s);
	}
	s->idle(s);
	if (s->path)
		close(s->fd);
	return rc;
}

static void nap(void)
{
	struct timespec ts = { 0, POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * tail -F: poll the name, not only the descriptor. A file renamed away is
 * read until a new file of that name appears, then to its end, and then
 * the new file is opened; a file shorter than what was read was truncated
 * and is read again from the start. The loop ends when the command is
 * killed.
 */
/*
 * Truncated and written again past where we were between two looks
 * (logrotate's copytruncate with a busy writer): the size alone does not
 * tell, but the last byte read does. It is a newline when no partial line
 * is pending, else the pending line's last byte.
 */
static bool rewritten(struct cli_tail *s)
{
	char want = s->len ? s->buf[s->len - 1] : '\n', c;

	if (s->pos <= 0 || s->skipping)
		return false;
	return pread(s->fd, &c, 1, s->pos - 1) == 1 && c != want;
}

int cli_tail_follow(struct cli_tail *s)
{
	s->fd = -1;	/* the file may not exist yet */
	for (;;) {
		struct stat st, now;
		ssize_t n;

		if (s->fd < 0 && open_src(s) < 0) {
			nap();
			continue;
		}
		/* Looked at before reading: what was written after a
		 * truncation must be read from the start, not from where we
		 * were. */
		if (fstat(s->fd, &st) == 0 &&
		    (st.st_size < s->pos || rewritten(s))) {
			fprintf(stderr, "netshim %s: %s: file truncated\n",
				s->cmd, s->name);
			lseek(s->fd, 0, SEEK_SET);
			s->pos = 0;
			s->lineno = 0;
			s->len = 0;
			s->skipping = false;
		}
		while ((n = fill(s)) > 0)
			take_lines(s);
		s->idle(s);
		if (n < 0) {
			fprintf(stderr, "netshim %s: %s: %s\n", s->cmd,
				s->name, strerror(errno));
			close(s->fd);
			s->fd = -1;
			nap();
			continue;
		}
		/* Renamed away and no new file yet: the writer may still be
		 * writing to the old one, so it is read until there is. */
		if (stat(s->path, &now) == 0 && (now.st_ino != s->ino ||
						 now.st_dev != s->dev)) {
			/* Lines written just before the rename still count. */
			while ((n = fill(s)) > 0)
				take_lines(s);
			take_rest(s);
			s->idle(s);
			close(s->fd);
			s->fd = -1;
			fprintf(stderr, "netshim %s: %s: file replaced, "
				"following the new one\n", s->cmd, s->name);
			continue;
		}
		nap();
	}
	return CLI_EXIT_OK;	/* not reached */
}

void cli_tail_done(struct cli_tail *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}
