/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rendering of events as strace-like text or JSON lines. */
#ifndef NS_FORMAT_H
#define NS_FORMAT_H

#include "buf.h"
#include "config.h"
#include "event.h"
#include "names.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Room for one event: a line longer than this is cut down by dropping
 * lists (results, backtrace) first, and marked "truncated". */
#define NS_LINE_MAX 4096

/* Renders @ev as one line ending in '\n' into @mem; returns its length. */
size_t ns_format_event(const struct ns_event *ev, enum ns_format fmt,
		       char *mem, size_t cap);

/* The helpers below are shared with other renderers (netshim log). */

/* 127.0.0.1:80, [::1]:80, [fe80::1%2]:80, /path, @abstract, "" for an
 * unnamed AF_UNIX socket; never reads past @len. */
void ns_fmt_sockaddr(struct ns_buf *b, const struct sockaddr *sa,
		     socklen_t len, bool with_port);
/* RFC 3339 UTC with microseconds, or the time of day alone. */
void ns_fmt_time(struct ns_buf *b, const struct timespec *ts, bool date);
/* Its two halves, for a caller that keeps the first: "YYYY-MM-DDTHH:MM:SS"
 * (or "HH:MM:SS"), then ".uuuuuu" and a date's "Z". */
void ns_fmt_second(struct ns_buf *b, int64_t s, bool date);
void ns_fmt_frac(struct ns_buf *b, long nsec, bool date);
/* SYM|SYM|0x40 from @tab, or 0. */
void ns_fmt_flags(struct ns_buf *b, const struct ns_flagtab *tab,
		  unsigned long v);

#endif
