// SPDX-License-Identifier: LGPL-2.1-or-later
/* inet_pton(3) and inet_ntop(3) for the freestanding engine, giving what
 * glibc's give (its resolv/inet_pton.c and inet_ntop.c, from BIND), so
 * that both builds accept the same addresses and write the same text. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* Dotted quad, each part 0-255 without a leading zero. */
static int pton4(const char *src, unsigned char *dst)
{
	unsigned char tmp[4] = { 0 };
	int octets = 0, i = 0;
	bool digit = false;

	for (char ch; (ch = *src++);) {
		if (ch >= '0' && ch <= '9') {
			unsigned v = tmp[i] * 10U + (unsigned)(ch - '0');

			if ((digit && tmp[i] == 0) || v > 255)
				return 0;
			tmp[i] = (unsigned char)v;
			if (!digit) {
				if (++octets > 4)
					return 0;
				digit = true;
			}
		} else if (ch == '.' && digit) {
			if (octets == 4)
				return 0;
			tmp[++i] = 0;
			digit = false;
		} else {
			return 0;
		}
	}
	if (octets < 4)
		return 0;
	memcpy(dst, tmp, 4);
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 4291 section 2.2: groups of up to four hex digits, one "::", a
 * dotted quad for the last 32 bits. */
static int pton6(const char *src, unsigned char *dst)
{
	unsigned char tmp[16] = { 0 }, *tp = tmp, *end = tmp + 16;
	unsigned char *colonp = NULL;
	const char *tok;
	unsigned val = 0;
	int ndigits = 0;
	char ch;

	if (*src == ':' && *++src != ':')
		return 0;
	tok = src;
	while ((ch = *src++)) {
		int d = hexval(ch);

		if (d >= 0) {
			if (ndigits == 4)
				return 0;
			val = val << 4 | (unsigned)d;
			ndigits++;
			continue;
		}
		if (ch == ':') {
			tok = src;
			if (!ndigits) {
				if (colonp)
					return 0;
				colonp = tp;
				continue;
			}
			if (!*src || tp + 2 > end)
				return 0;
			*tp++ = (unsigned char)(val >> 8);
			*tp++ = (unsigned char)val;
			ndigits = 0;
			val = 0;
			continue;
		}
		if (ch == '.' && tp + 4 <= end && pton4(tok, tp) > 0) {
			tp += 4;
			ndigits = 0;
			break;
		}
		return 0;
	}
	if (ndigits) {
		if (tp + 2 > end)
			return 0;
		*tp++ = (unsigned char)(val >> 8);
		*tp++ = (unsigned char)val;
	}
	if (colonp) {
		long n = tp - colonp;

		if (tp == end)
			return 0;
		for (long i = 1; i <= n; i++) {
			end[-i] = colonp[n - i];
			colonp[n - i] = 0;
		}
		tp = end;
	}
	if (tp != end)
		return 0;
	memcpy(dst, tmp, 16);
	return 1;
}

/* 1, 0 for text that is no address, -1 for a family it does not know
 * (glibc sets EAFNOSUPPORT then; there is no errno here). */
int inet_pton(int af, const char *restrict src, void *restrict dst)
{
	if (af == AF_INET)
		return pton4(src, dst);
	if (af == AF_INET6)
		return pton6(src, dst);
	return -1;
}

static char *put_dec(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *ntop4(const unsigned char *a, char *p)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_dec(p, a[i]);
	}
	return p;
}

static char *put_hex(char *p, unsigned v)
{
	bool any = false;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = v >> shift & 0xf;

		if (d || any || !shift) {
			*p++ = "0123456789abcdef"[d];
			any = true;
		}
	}
	return p;
}

/* The longest run of zero groups (the first of equal ones, at least two)
 * becomes "::" (RFC 5952 section 4.2, as glibc); ::ffff:a.b.c.d and
 * ::a.b.c.d keep their dotted quad. */
static char *ntop6(const unsigned char *a, char *p)
{
	unsigned w[8];
	int base = -1, len = 0, cur = -1, clen = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				clen = 0;
			}
			if (++clen > len) {
				base = cur;
				len = clen;
			}
		} else {
			cur = -1;
		}
	}
	if (len < 2)
		base = -1;
	for (int i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + len) {
			if (i == base)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && base == 0 &&
		    (len == 6 || (len == 5 && w[5] == 0xffff)))
			return ntop4(a + 12, p);
		p = put_hex(p, w[i]);
	}
	if (base >= 0 && base + len == 8)
		*p++ = ':';
	return p;
}

const char *inet_ntop(int af, const void *restrict src, char *restrict dst,
		      socklen_t size)
{
	char tmp[INET6_ADDRSTRLEN], *end;

	if (af == AF_INET)
		end = ntop4(src, tmp);
	else if (af == AF_INET6)
		end = ntop6(src, tmp);
	else
		return NULL;
	if ((size_t)(end - tmp) + 1 > size)
		return NULL;	/* glibc: ENOSPC */
	memcpy(dst, tmp, (size_t)(end - tmp));
	dst[end - tmp] = '\0';
	return dst;
}
