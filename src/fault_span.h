/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading spans [p, e) of a NETSHIM_FAIL value: shared by the rule parser
 * (fault_rule.c) and the reading of the variables (fault_parse.c). */
#ifndef NS_FAULT_SPAN_H
#define NS_FAULT_SPAN_H

#include "fault.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* A token [p, e) equal to @word. */
static inline bool is(const char *p, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - p) == n && memcmp(p, word, n) == 0;
}

/* A copy of [p, e) into @out of @cap bytes; false when it does not fit. */
static inline bool copy(char *out, size_t cap, const char *p, const char *e)
{
	if ((size_t)(e - p) >= cap)
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

/* Decimal digits at *p up to @max; moves *p past them. */
static inline bool number(const char **p, const char *e, uint64_t max,
			  uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	for (; *p < e && **p >= '0' && **p <= '9'; (*p)++) {
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (uint64_t)(**p - '0'), v) ||
		    *v > max)
			return false;
	}
	return *p > s;
}

/* One rule [b, e) into @r (fault_rule.c); NULL, or what was expected at
 * *at. */
const char *ns_fault_parse_rule(struct ns_fault_rule *r, const char *b,
				const char *e, const char **at);

#endif
