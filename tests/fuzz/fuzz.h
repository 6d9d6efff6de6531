/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the libFuzzer targets share: taking typed values off the input. */
#ifndef NS_FUZZ_H
#define NS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The input, eaten from the front; past its end every value is 0. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint64_t fz_bits(struct fz *f, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | fz_u8(f);
	return v;
}

static inline int fz_int(struct fz *f)
{
	return (int)(uint32_t)fz_bits(f, 4);
}

static inline bool fz_bool(struct fz *f)
{
	return fz_u8(f) & 1;
}

/* One of @n small values; the numbers programs really use are small. */
static inline unsigned fz_pick(struct fz *f, unsigned n)
{
	return fz_u8(f) % n;
}

/*
 * @len bytes of the input in a buffer of exactly that size from malloc, so
 * AddressSanitizer sees any read past it; missing input reads as zero.
 */
static inline void *fz_mem(struct fz *f, size_t len)
{
	uint8_t *m = malloc(len ? len : 1);

	if (!m)
		abort();
	for (size_t i = 0; i < len; i++)
		m[i] = fz_u8(f);
	return m;
}

/* A string of up to @max bytes (no NUL inside), NULL one time in 8. A
 * length byte with the top bit set repeats the content, so long values
 * come from short inputs. Free with free(). */
static inline char *fz_str(struct fz *f, size_t max)
{
	uint8_t how = fz_u8(f);
	size_t len = fz_u8(f), unit;
	char *s;

	if ((how & 7) == 7)
		return NULL;
	if (how & 0x80)
		len *= 64;
	if (len > max)
		len = max;
	unit = (how >> 3 & 15) + 1;
	s = malloc(len + 1);
	if (!s)
		abort();
	for (size_t i = 0; i < len; i++) {
		uint8_t c = i < unit ? fz_u8(f) : (uint8_t)s[i % unit];

		s[i] = c ? (char)c : 'x';
	}
	s[len] = '\0';
	return s;
}

#define FZ_ASSERT(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "assertion failed: %s: ", #cond);      \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
