// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of event formatting (format.c, fields.c, fmt_addr.c) as
 * text and JSON lines, linked with the engine alone. */
#include "tap.h"
#include "format.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

int main(void)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(443) };
	struct ns_sock sock = { AF_INET6, SOCK_STREAM, IPPROTO_TCP };
	struct ns_event ev = {
		.call = NS_CALL_connect,
		.ts = { 1764000000, 123456789 },
		.dur_ns = 2500,
		.pid = 42,
		.tid = 43,
		.prog = "prog",
		.ret = -1,
		.err = ENETUNREACH,
		.fd = 3,
		.sock = &sock,
		.policy = "family=ipv6: an IPv4-mapped address is IPv4",
	};
	char line[NS_LINE_MAX];
	size_t n;

	inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
	ev.u.addr.sa = (struct sockaddr *)&s6;
	ev.u.addr.len = sizeof(s6);
	n = ns_format_event(&ev, NS_FORMAT_JSON, line, sizeof(line));
	ok(n > 0 && line[n - 1] == '\n' && !memchr(line, '\n', n - 1),
	   "JSON: one line");
	line[n] = '\0';
	ok(strstr(line, "\"call\":\"connect\"") != NULL, "JSON: the call");
	ok(strstr(line, "\"addr\":\"[::ffff:127.0.0.1]:443\"") != NULL,
	   "JSON: the address");
	ok(strstr(line, "\"errno\":\"ENETUNREACH\"") != NULL &&
		   strstr(line, "\"ret\":-1") != NULL,
	   "JSON: result and errno by name");
	ok(strstr(line, "\"policy\":\"family=ipv6: an IPv4-mapped address "
			"is IPv4\"") != NULL,
	   "JSON: the policy's words");
	ok(strncmp(line, "{\"ts\":\"2025-11-24T16:00:00.123456Z\"", 35) == 0,
	   "JSON: the time, RFC 3339 UTC with microseconds");

	n = ns_format_event(&ev, NS_FORMAT_TEXT, line, sizeof(line));
	line[n] = '\0';
	is_str(line, "16:00:00.123456 prog[42/43] connect(3<AF_INET6 "
		     "SOCK_STREAM IPPROTO_TCP>, [::ffff:127.0.0.1]:443) = -1 "
		     "ENETUNREACH <2us> policy: family=ipv6: an IPv4-mapped "
		     "address is IPv4\n",
	       "text: strace-like, the socket described");

	ev.policy = "a \"quoted\"\nnote";
	n = ns_format_event(&ev, NS_FORMAT_JSON, line, sizeof(line));
	line[n] = '\0';
	ok(strstr(line, "\"a \\\"quoted\\\"\\u000anote\"") != NULL &&
		   !memchr(line, '\n', n - 1),
	   "JSON: a note's quotes and newline escaped");
	return tap_done();
}
