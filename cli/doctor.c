// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim doctor's findings: how each is written, as text or JSON, and the
 * small readers the checks share. */
#include "../src/buf.h"
#include "../src/names.h"
#include "doctor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Text columns: level, check name, message; advice lines start under the
 * message so that the findings stay one line each and easy to grep. */
#define CHECK_WIDTH 9
#define MSG_COLUMN (4 + 2 + CHECK_WIDTH + 2)

static const char *const level_word[] = { "OK", "NOTE", "WARN" };
static const char *const level_json[] = { "ok", "note", "warn" };
static const char *const level_sgr[] = { "\033[32m", "\033[36m",
					 "\033[1;33m" };

/* The engine's JSON strings: a path may hold any bytes. */
static void json_str(const char *s)
{
	char mem[4096];
	struct ns_buf b;

	ns_buf_init(&b, mem, sizeof(mem));
	ns_buf_jstr(&b, s, 600);
	fwrite(b.p, 1, b.len, stdout);
}

/* A line of text, C-escaped: a program's path may hold escapes. */
static void text_str(const char *s)
{
	char mem[4096];
	struct ns_buf b;

	ns_buf_init(&b, mem, sizeof(mem) - 1);
	ns_buf_esc(&b, s, 1000);
	ns_buf_putc(&b, '\n');
	fwrite(b.p, 1, b.len, stdout);
}

void cli_doc_flush(struct cli_doctor *d)
{
	if (!d->pending)
		return;
	d->pending = false;
	if (d->json) {
		printf("{\"level\":\"%s\",\"check\":", level_json[d->level]);
		json_str(d->check);
		printf(",\"message\":");
		json_str(d->msg);
		printf(",\"advice\":[");
		for (int i = 0; i < d->nadvice; i++) {
			if (i)
				putchar(',');
			json_str(d->advice[i]);
		}
		printf("]}\n");
		return;
	}
	if (d->colour)
		printf("%s%-4s\033[0m", level_sgr[d->level],
		       level_word[d->level]);
	else
		printf("%-4s", level_word[d->level]);
	printf("  %-*s  ", CHECK_WIDTH, d->check);
	text_str(d->msg);
	for (int i = 0; i < d->nadvice; i++) {
		printf("%*s", MSG_COLUMN, "");
		text_str(d->advice[i]);
	}
}

void cli_doc_finding(struct cli_doctor *d, enum cli_doc_level level,
		    const char *check, const char *fmt, ...)
{
	va_list ap;

	cli_doc_flush(d);
	d->pending = true;
	d->level = level;
	d->check = check;
	d->nadvice = 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void cli_doc_advise(struct cli_doctor *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->pending || d->nadvice == CLI_DOC_ADVICE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(d->advice[d->nadvice++], sizeof(d->advice[0]), fmt, ap);
	va_end(ap);
}

const char *cli_doc_errname(int err)
{
	static char other[24];
	const char *n = ns_name_errno(err);

	if (n)
		return n;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

int cli_doc_read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f)) {
		err = ferror(f) ? errno : EIO;
		fclose(f);
		return -err;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

