// SPDX-License-Identifier: LGPL-2.1-or-later
/* Bounded text buffer primitives; no libc formatting, no allocation. */
#include "buf.h"

#include <string.h>

/* Two digits at a time: half the divisions of the digit-by-digit loop. */
const char ns_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* Digits of @v: compares against powers of ten, most values are small. */
static int digits(uint64_t v)
{
	uint64_t p = 10;
	int n = 1;

	while (n < 20 && v >= p) {
		n++;
		p *= 10;
	}
	return n;
}

/* Near the end of the buffer: through a copy, cut as ns_buf_mem cuts. */
static __attribute__((noinline)) void u64_cut(struct ns_buf *b, uint64_t v,
					      int n)
{
	char tmp[20];
	int i = n;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (i);
	ns_buf_mem(b, tmp, (size_t)n);
}

void ns_buf_u64_any(struct ns_buf *b, uint64_t v)
{
	int n = digits(v);
	char *end;

	/* Straight into the buffer, from the last digit back. */
	if (__builtin_expect(b->cap - b->len < (size_t)n, 0)) {
		u64_cut(b, v, n);
		return;
	}
	end = b->p + b->len + n;
	b->len += n;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		end -= 2;
		end[0] = ns_digit_pairs[2 * r];
		end[1] = ns_digit_pairs[2 * r + 1];
	}
	if (v >= 10) {
		end[-2] = ns_digit_pairs[2 * v];
		end[-1] = ns_digit_pairs[2 * v + 1];
	} else {
		end[-1] = (char)('0' + v);
	}
}

void ns_buf_hex(struct ns_buf *b, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int i = sizeof(tmp);

	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	ns_buf_mem(b, "0x", 2);
	ns_buf_mem(b, tmp + i, sizeof(tmp) - i);
}

void ns_buf_dec(struct ns_buf *b, unsigned v, int width)
{
	char tmp[10];
	int i;

	if (width <= 0)
		return;
	if (width > (int)sizeof(tmp))
		width = sizeof(tmp);
	/* From the right, two digits at a time (microseconds: three). */
	for (i = width; i >= 2; i -= 2, v /= 100) {
		tmp[i - 2] = ns_digit_pairs[2 * (v % 100)];
		tmp[i - 1] = ns_digit_pairs[2 * (v % 100) + 1];
	}
	if (i)
		tmp[0] = (char)('0' + v % 10);
	ns_buf_mem(b, tmp, (size_t)width);
}

static void put_escape_u(struct ns_buf *b, unsigned char c)
{
	static const char digits[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', '0', '0', digits[c >> 4], digits[c & 15] };

	ns_buf_mem(b, e, sizeof(e));
}

static void put_escape_x(struct ns_buf *b, unsigned char c)
{
	static const char digits[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', digits[c >> 4], digits[c & 15] };

	ns_buf_mem(b, e, sizeof(e));
}

size_t ns_utf8_len(const unsigned char *s, size_t room)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n > room || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Strings come from the traced program and may hold anything. JSON output
 * keeps well-formed UTF-8 and escapes quotes, backslashes, control bytes and
 * stray bytes >= 0x80 (as \u00XX, the closest JSON has) so every line is
 * valid JSON; text output uses C escapes for everything outside printable
 * ASCII, so every event stays on one line and no terminal control sequence
 * gets through.
 */
static void put_str(struct ns_buf *b, const char *s, size_t max, bool json,
		    bool quotes)
{
	size_t i;

	if (quotes)
		ns_buf_putc(b, '"');
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t run = i;

		/* Most strings are plain: copy such runs at once. */
		while (run < max && (unsigned char)s[run] >= 0x20 &&
		       (unsigned char)s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		if (run > i) {
			ns_buf_mem(b, s + i, run - i);
			i = run - 1;
			continue;
		}
		if (c == '"' || c == '\\') {
			ns_buf_putc(b, '\\');
			ns_buf_putc(b, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			const unsigned char *u = (const unsigned char *)s + i;
			size_t room = strnlen(s + i, max - i);
			size_t n = json && c > 0x7f ? ns_utf8_len(u, room) : 0;

			if (n) {
				ns_buf_mem(b, s + i, n);
				i += n - 1;
			} else if (json) {
				put_escape_u(b, c);
			} else {
				put_escape_x(b, c);
			}
		} else {
			ns_buf_putc(b, (char)c);
		}
	}
	if (i == max && s[i])
		ns_buf_mem(b, "...", 3);
	if (quotes)
		ns_buf_putc(b, '"');
}

void ns_buf_jstr(struct ns_buf *b, const char *s, size_t max)
{
	put_str(b, s, max, true, true);
}

void ns_buf_cstr(struct ns_buf *b, const char *s, size_t max)
{
	put_str(b, s, max, false, true);
}

void ns_buf_esc(struct ns_buf *b, const char *s, size_t max)
{
	put_str(b, s, max, false, false);
}
