// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target for the NETSHIM_FAIL rule parser: the input's first line
 * is NETSHIM_FAIL, the second NETSHIM_SCENARIO, the third NETSHIM_SEED, read
 * through the engine's config io; the rules parsed are then matched against
 * a few calls. Complaints must be one line each. */
#include "fault.h"
#include "config.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct input {
	char *var[3];
};

static const char *get(const char *name, void *ctx)
{
	struct input *in = ctx;

	if (!strcmp(name, "NETSHIM_FAIL"))
		return in->var[0];
	if (!strcmp(name, "NETSHIM_SCENARIO"))
		return in->var[1];
	if (!strcmp(name, "NETSHIM_SEED"))
		return in->var[2];
	return NULL;
}

/* The promise: one whole line per complaint, never an empty one. */
static void warn(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	if (len < 2 || line[len - 1] != '\n' ||
	    memchr(line, '\n', len - 1) || len > 1024)
		abort();
}

static void free_one(struct addrinfo *ai)
{
	(void)ai;
}

static void match_some(const struct ns_faults *f)
{
	static struct ns_fault_state st;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(8080),
				   .sin_addr.s_addr = htonl(0x7f000001) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(443),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	const struct ns_fault_call calls[] = {
		{ .call = NS_CALL_socket, .family = AF_INET6,
		  .protocol = IPPROTO_TCP, .level = -1, .optname = -1 },
		{ .call = NS_CALL_connect, .family = AF_INET,
		  .protocol = 262, .sa = (void *)&sin, .salen = sizeof(sin),
		  .level = -1, .optname = -1 },
		{ .call = NS_CALL_sendto, .family = AF_INET6,
		  .protocol = IPPROTO_UDP, .sa = (void *)&sin6,
		  .salen = sizeof(sin6), .level = -1, .optname = -1 },
		{ .call = NS_CALL_setsockopt, .family = AF_INET,
		  .protocol = 262, .level = IPPROTO_TCP, .optname = 23 },
		{ .call = NS_CALL_getaddrinfo, .host = "a.example.test" },
		{ .call = NS_CALL_getaddrinfo, .host = "::1",
		  .family = AF_INET6 },
		{ .call = NS_CALL_gethostbyname2, .host = "dual.test.",
		  .family = AF_INET6 },
	};
	struct ns_fault_hit hit;

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (!ns_fault_match(f, &st, &calls[i], &hit))
			continue;
		/* Whatever fired is a rule of f, and a bounded wait. */
		if (!hit.rule || hit.delay_ms > NS_FAULT_DELAY_MAX ||
		    strlen(hit.rule) >= NS_FAULT_TEXT)
			abort();
	}
	(void)free_one;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { { NULL, NULL, NULL } };
	struct ns_config_io io = { get, warn, &in, false };
	/* Static: the struct is big (the config lives in static storage in
	 * the shim too). */
	static struct ns_faults f;
	char *buf = malloc(size + 1), *p;
	int n = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; n < 3; n++) {
		char *nl = strchr(p, '\n');

		in.var[n] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	ns_fault_parse(&f, &io);
	if (f.n < 0 || f.n > NS_FAULT_MAX)
		abort();
	for (int i = 0; i < f.n; i++)
		if (!memchr(f.rule[i].text, '\0', NS_FAULT_TEXT))
			abort();
	match_some(&f);
	free(buf);
	return 0;
}
