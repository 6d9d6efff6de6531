// SPDX-License-Identifier: LGPL-2.1-or-later
/* Formatting of socket addresses, times and flag sets. */
#include "format.h"
#include "names.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

static void fmt_unix(struct ns_buf *b, const struct sockaddr_un *sun,
		     socklen_t len)
{
	size_t n = len - offsetof(struct sockaddr_un, sun_path);
	const char *p = sun->sun_path;

	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (n == 0)
		return;		/* unnamed (unix(7)) */
	if (p[0] == '\0') {
		/* Abstract: the name is every byte of the rest, shown as
		 * ss(8) does with a leading '@'. */
		ns_buf_putc(b, '@');
		for (size_t i = 1; i < n; i++)
			ns_buf_putc(b, p[i] ? p[i] : '@');
		return;
	}
	ns_buf_mem(b, p, strnlen(p, n));
}

void ns_fmt_sockaddr(struct ns_buf *b, const struct sockaddr *sa,
		     socklen_t len, bool with_port)
{
	char ip[INET6_ADDRSTRLEN];
	const char *fam;

	if (len < sizeof(sa_family_t)) {
		ns_buf_str(b, "short:");
		ns_buf_u64(b, len);
		return;
	}
	/* The kernel refuses longer ones unread (EINVAL): so do we. */
	if (len > sizeof(struct sockaddr_storage)) {
		ns_buf_str(b, "len=");
		ns_buf_u64(b, len);
		return;
	}
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const void *)sa;

		if (len < sizeof(*sin))
			break;
		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		ns_buf_str(b, ip);
		if (with_port) {
			ns_buf_putc(b, ':');
			ns_buf_u64(b, ntohs(sin->sin_port));
		}
		return;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		if (len < sizeof(*sin6))
			break;
		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		if (with_port)
			ns_buf_putc(b, '[');
		ns_buf_str(b, ip);
		if (sin6->sin6_scope_id) {
			ns_buf_putc(b, '%');
			ns_buf_u64(b, sin6->sin6_scope_id);
		}
		if (with_port) {
			ns_buf_str(b, "]:");
			ns_buf_u64(b, ntohs(sin6->sin6_port));
		}
		return;
	}
	case AF_UNIX:
		fmt_unix(b, (const void *)sa, len);
		return;
	}
	/* An unknown family, or a known one with a short length. */
	fam = ns_sym_name(&ns_families, sa->sa_family);
	if (fam)
		ns_buf_str(b, fam);
	else
		ns_buf_u64(b, sa->sa_family);
	ns_buf_str(b, " len=");
	ns_buf_u64(b, len);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm), because
 * gmtime_r takes glibc's time zone lock and hooks run in signal handlers. */
static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void ns_fmt_second(struct ns_buf *b, int64_t s, bool date)
{
	int64_t days = s / 86400, sod = s % 86400;

	if (sod < 0) {
		sod += 86400;
		days--;
	}
	if (date) {
		int y;
		unsigned m, d;

		civil(days, &y, &m, &d);
		ns_buf_dec(b, (unsigned)y, 4);
		ns_buf_putc(b, '-');
		ns_buf_dec(b, m, 2);
		ns_buf_putc(b, '-');
		ns_buf_dec(b, d, 2);
		ns_buf_putc(b, 'T');
	}
	ns_buf_dec(b, (unsigned)(sod / 3600), 2);
	ns_buf_putc(b, ':');
	ns_buf_dec(b, (unsigned)(sod / 60 % 60), 2);
	ns_buf_putc(b, ':');
	ns_buf_dec(b, (unsigned)(sod % 60), 2);
}

/* One fixed-size copy: every event has it. */
void ns_fmt_frac(struct ns_buf *b, long nsec, bool date)
{
	const char *pairs = ns_digit_pairs;
	unsigned us = (unsigned)(nsec / 1000) % 1000000;
	unsigned hi = us / 10000, mid = us / 100 % 100, lo = us % 100;
	char t[8] = { '.',
		      pairs[2 * hi], pairs[2 * hi + 1],
		      pairs[2 * mid], pairs[2 * mid + 1],
		      pairs[2 * lo], pairs[2 * lo + 1],
		      'Z' };

	ns_buf_padded(b, t, date ? 8 : 7, sizeof(t));
}

void ns_fmt_time(struct ns_buf *b, const struct timespec *ts, bool date)
{
	ns_fmt_second(b, ts->tv_sec, date);
	ns_fmt_frac(b, ts->tv_nsec, date);
}

void ns_fmt_flags(struct ns_buf *b, const struct ns_flagtab *tab,
		  unsigned long v)
{
	bool first = true;

	for (size_t i = 0; i < tab->n && v; i++) {
		if ((v & tab->flag[i].bit) != tab->flag[i].bit)
			continue;
		if (!first)
			ns_buf_putc(b, '|');
		ns_buf_str(b, tab->flag[i].name);
		v &= ~tab->flag[i].bit;
		first = false;
	}
	if (v || first) {
		if (!first)
			ns_buf_putc(b, '|');
		if (v)
			ns_buf_hex(b, v);
		else
			ns_buf_putc(b, '0');
	}
}
