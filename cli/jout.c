// SPDX-License-Identifier: LGPL-2.1-or-later
/* JSON strings and escaped text for the summaries, on standard output or in
 * fixed buffers that refuse what does not fit rather than cut it. */
#include "jout.h"
#include "cli.h"
#include "../src/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cli_jfput(FILE *f, const char *s)
{
	size_t cap;
	char small[512], *mem;
	struct ns_buf b;

	if (!s) {
		fputs("null", f);
		return;
	}
	cap = strlen(s) * 6 + 3;
	mem = cap <= sizeof(small) ? small : cli_xmalloc(cap);
	ns_buf_init(&b, mem, cap);
	ns_buf_jstr(&b, s, SIZE_MAX);
	fwrite(b.p, 1, b.len, f);
	if (mem != small)
		free(mem);
}

void cli_jput(const char *s)
{
	cli_jfput(stdout, s);
}

int cli_tput(const char *s, size_t n, size_t max)
{
	char small[1024], *mem, *src;
	struct ns_buf b;
	size_t len = strnlen(s, n);

	/* The escaper cuts with "..." at its own limit: give it exactly the
	 * bytes to show. */
	src = cli_xmalloc(len + 1);
	memcpy(src, s, len);
	src[len] = '\0';
	mem = max <= sizeof(small) ? small : cli_xmalloc(max);
	ns_buf_init(&b, mem, max);
	ns_buf_esc(&b, src, SIZE_MAX);
	fwrite(b.p, 1, b.len, stdout);
	if (mem != small)
		free(mem);
	free(src);
	return (int)b.len;
}

int cli_sadd(struct cli_sbuf d, const char *fmt, ...)
{
	size_t used = d.len ? *d.len : strlen(d.p);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d.p + used, d.size - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= d.size - used) {
		d.p[used] = '\0';
		return -1;
	}
	if (d.len)
		*d.len = used + (size_t)n;
	return 0;
}

int cli_sjstr(struct cli_sbuf d, const char *s)
{
	size_t used = d.len ? *d.len : strlen(d.p);
	struct ns_buf b;

	if (!s)
		return cli_sadd(d, "null");
	ns_buf_init(&b, d.p + used, d.size - used - 1);
	ns_buf_jstr(&b, s, SIZE_MAX);
	if (b.overflow) {
		d.p[used] = '\0';
		return -1;
	}
	d.p[used + b.len] = '\0';
	if (d.len)
		*d.len = used + b.len;
	return 0;
}

void cli_fmt(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}
