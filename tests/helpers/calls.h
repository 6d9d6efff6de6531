/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the calls_* test programs share: printing their own view of each
 * call, with a sentinel errno, and loopback addresses. */
#ifndef NS_TEST_CALLS_H
#define NS_TEST_CALLS_H

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sentinel errno before each call: a hook that leaks or loses errno,
 * even on success, changes the output. */
#define SENTINEL EDOM

static inline const char *ename(int e)
{
	static char num[16];
	const char *s = strerrorname_np(e);

	if (s)
		return s;
	snprintf(num, sizeof(num), "%d", e);
	return num;
}

/* "LABEL ret=R errno=E": the program's own view of one call. */
static inline long say(const char *label, long ret, int err)
{
	printf("%s ret=%ld errno=%s\n", label, ret, ename(err));
	fflush(stdout);
	return ret;
}

#define CALL(label, expr)                                               \
	({                                                              \
		long r_;                                                \
		errno = SENTINEL;                                       \
		r_ = (long)(expr);                                      \
		say(label, r_, errno);                                  \
	})

static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	exit(2);
}

static inline struct sockaddr_in sin4(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

#endif
