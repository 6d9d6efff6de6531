/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bounded, allocation-free text buffer: events are formatted on the stack
 * so that hooks stay usable from signal handlers and before malloc is safe. */
#ifndef NS_BUF_H
#define NS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ns_buf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;	/* something did not fit; content is cut */
};

static inline void ns_buf_init(struct ns_buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

/* The three everything else is made of, inline: a JSON event is some
 * hundred of these calls. */
static inline void ns_buf_putc(struct ns_buf *b, char c)
{
	if (__builtin_expect(b->len < b->cap, 1))
		b->p[b->len++] = c;
	else
		b->overflow = true;
}

/* Most pieces are a few bytes: two overlapping fixed-size moves (as
 * glibc's memcpy does inside) without the call. */
static inline void ns_copy_short(char *d, const char *s, size_t n)
{
	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

static inline void ns_buf_mem(struct ns_buf *b, const char *s, size_t n)
{
	size_t room = b->cap - b->len;

	if (__builtin_expect(n > room, 0)) {
		n = room;
		b->overflow = true;
	}
	ns_copy_short(b->p + b->len, s, n);
	b->len += n;
}

/* Appends the @n bytes at @s, which has @copy >= @n readable bytes (a
 * padded literal): with room, one fixed-size copy instead of a loop. */
static inline void ns_buf_padded(struct ns_buf *b, const char *s, size_t n,
				 size_t copy)
{
	if (__builtin_expect(b->cap - b->len >= copy, 1)) {
		memcpy(b->p + b->len, s, copy);
		b->len += n;
	} else {
		ns_buf_mem(b, s, n);
	}
}

static inline void ns_buf_str(struct ns_buf *b, const char *s)
{
	ns_buf_mem(b, s, strlen(s));
}
/* "00" to "99", two characters each. */
extern const char ns_digit_pairs[201];

void ns_buf_u64_any(struct ns_buf *b, uint64_t v);

/* Descriptors, results, option values and lengths are mostly one digit:
 * that case goes without the call. */
static inline void ns_buf_u64(struct ns_buf *b, uint64_t v)
{
	if (v < 10 && b->len < b->cap)
		b->p[b->len++] = (char)('0' + v);
	else
		ns_buf_u64_any(b, v);
}

static inline void ns_buf_i64(struct ns_buf *b, int64_t v)
{
	uint64_t u = (uint64_t)v;

	if (v < 0) {
		ns_buf_putc(b, '-');
		u = -u;	/* unsigned: INT64_MIN too */
	}
	ns_buf_u64(b, u);
}
void ns_buf_hex(struct ns_buf *b, uint64_t v);
/* Zero-padded decimal of exactly @width digits. */
void ns_buf_dec(struct ns_buf *b, unsigned v, int width);
/* A JSON string (quotes included) or a C-style quoted string, reading at
 * most @max bytes of @s and marking a cut with "...". */
void ns_buf_jstr(struct ns_buf *b, const char *s, size_t max);
void ns_buf_cstr(struct ns_buf *b, const char *s, size_t max);
/* Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), reading at most @room
 * bytes; 0 when there is none. */
size_t ns_utf8_len(const unsigned char *s, size_t room);
/* C escapes without the quotes, for messages. */
void ns_buf_esc(struct ns_buf *b, const char *s, size_t max);

#endif
