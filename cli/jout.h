/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing strings to standard output as JSON or as escaped text, and into
 * fixed buffers: what every command that prints a summary needs. */
#ifndef CLI_JOUT_H
#define CLI_JOUT_H

#include <stddef.h>
#include <stdio.h>

/* @s as a JSON string on standard output. */
void cli_jput(const char *s);
/* @s as a JSON string on @f; NULL as null. */
void cli_jfput(FILE *f, const char *s);
/* At most @n bytes of @s, C-escaped, at most @max bytes of output;
 * returns the bytes written. */
int cli_tput(const char *s, size_t n, size_t max);

/* Appends to the NUL-ended text in @dst of @size; false, with the text
 * left as it was, when it does not fit. */
struct cli_sbuf {
	char *p;
	size_t size;
	size_t *len;		/* the text's length, kept; NULL: strlen */
};
#define CLI_SBUF(a) ((struct cli_sbuf){ (a), sizeof(a), NULL })
int cli_sadd(struct cli_sbuf d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends @s as a JSON string (null for NULL). */
int cli_sjstr(struct cli_sbuf d, const char *s);

/* snprintf, for text that may be cut where it does not fit. */
void cli_fmt(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
