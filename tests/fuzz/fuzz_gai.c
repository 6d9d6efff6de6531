// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: the getaddrinfo decisions of src/policy.c, the family
 * asked for (ns_plan_gai_family) and the reorder of the results
 * (ns_reorder_results) on a list built from the input, then the event of
 * that lookup formatted as JSON. */
#include "format.h"
#include "fuzz.h"
#include "../../cli/jsonl.h"
#include "policy.h"

#include <netdb.h>

#define MAXN 200

static const int families[] = { AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC };

static struct addrinfo *build(struct fz *f, struct addrinfo **node,
			      unsigned *np)
{
	struct addrinfo *head = NULL, **tail = &head;
	unsigned n = fz_u8(f) % MAXN;

	for (unsigned i = 0; i < n; i++) {
		struct addrinfo *ai = calloc(1, sizeof(*ai));
		uint8_t how = fz_u8(f);

		if (!ai)
			abort();
		ai->ai_family = families[how & 3];
		ai->ai_addrlen = ai->ai_family == AF_INET6
				     ? sizeof(struct sockaddr_in6)
				     : sizeof(struct sockaddr_in);
		ai->ai_addr = fz_mem(f, ai->ai_addrlen);
		ai->ai_addr->sa_family = (sa_family_t)ai->ai_family;
		/* getaddrinfo(3) names the first entry only (AI_CANONNAME). */
		if (i == 0 && (how & 4))
			ai->ai_canonname = fz_str(f, 300);
		node[i] = ai;
		*tail = ai;
		tail = &ai->ai_next;
	}
	*np = n;
	return head;
}

static void check_order(struct addrinfo *res, struct addrinfo **node,
			unsigned n, int want, const char *why,
			const char *head_canon)
{
	unsigned seen = 0, idx, last_want = 0, last_other = 0;
	bool other = false, moved = false;

	for (struct addrinfo *ai = res; ai; ai = ai->ai_next, seen++) {
		FZ_ASSERT(seen < n, "more entries than given: a cycle");
		for (idx = 0; idx < n && node[idx] != ai; idx++)
			;
		FZ_ASSERT(idx < n, "an entry that was not in the list");
		if (ai->ai_family == want) {
			FZ_ASSERT(!other, "a preferred entry after another");
			FZ_ASSERT(idx + 1 > last_want,
				  "preferred entries reordered");
			moved |= idx != seen;
			last_want = idx + 1;
		} else {
			other = true;
			FZ_ASSERT(idx + 1 > last_other,
				  "other entries reordered");
			last_other = idx + 1;
		}
		if (ai != res)
			FZ_ASSERT(!ai->ai_canonname,
				  "canonical name on entry %u", seen);
	}
	FZ_ASSERT(seen == n, "%u entries of %u", seen, n);
	FZ_ASSERT(!why == !moved, "said %s, moved %d", why ? why : "nothing",
		  moved);
	if (n)
		FZ_ASSERT(res->ai_canonname == head_canon,
			  "the canonical name did not follow the head");
}

static void format(struct addrinfo *res, const char *node, const char *why)
{
	static char line[NS_LINE_MAX], why_buf[128];
	static struct cli_json j;
	struct ns_event ev = { .call = NS_CALL_getaddrinfo, .fd = -1 };
	const char *bad;
	size_t n;

	ev.prog = "fuzz";
	ev.u.gai.node = node;
	ev.u.gai.res = res;
	ev.policy = why;
	n = ns_format_event(&ev, NS_FORMAT_JSON, line, sizeof(line));
	FZ_ASSERT(n && line[n - 1] == '\n' &&
		      memchr(line, '\n', n) == line + n - 1,
		  "not one line: %.*s", (int)n, line);
	FZ_ASSERT(
	    !cli_jsonl_event(&j, line, n - 1, why_buf, sizeof(why_buf), &bad),
	    "not a JSON event: %s", bad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct addrinfo *node[MAXN];
	struct fz f = { data, size };
	struct ns_config c = { 0 };
	struct addrinfo *res, *next;
	const char *why, *head_canon;
	char *host;
	unsigned n;
	int ask, rc, fam;

	c.family = (enum ns_family_policy)fz_pick(&f, 3);
	c.prefer = (enum ns_prefer_policy)fz_pick(&f, 3);
	fam = fz_bool(&f) ? families[fz_pick(&f, 4)] : fz_int(&f);
	host = fz_str(&f, 200);
	rc = ns_plan_gai_family(&c, fam, host, &ask, &why);
	FZ_ASSERT(rc == 0 || rc == EAI_NONAME, "rc %d", rc);
	FZ_ASSERT(c.family != NS_FAMILY_ANY || (!rc && ask == fam && !why),
		  "family=any changed the lookup");
	if (!rc && c.family == NS_FAMILY_IPV4)
		FZ_ASSERT(ask != AF_INET6, "family=ipv4 asked for AF_INET6");
	if (!rc && c.family == NS_FAMILY_IPV6)
		FZ_ASSERT(ask != AF_INET, "family=ipv6 asked for AF_INET");

	res = build(&f, node, &n);
	head_canon = res ? res->ai_canonname : NULL;
	why = ns_reorder_results(&c, &res);
	if (c.prefer == NS_PREFER_NONE)
		FZ_ASSERT(!why && (!n || res == node[0]), "prefer=none moved");
	else
		check_order(res, node, n,
			    c.prefer == NS_PREFER_IPV6 ? AF_INET6 : AF_INET,
			    why, head_canon);
	format(res, host, why);

	/* freeaddrinfo's walk: every entry and name freed once (LeakSanitizer
	 * and ASan's double-free check see the rest). */
	for (; res; res = next) {
		next = res->ai_next;
		free(res->ai_canonname);
		free(res->ai_addr);
		free(res);
	}
	free(host);
	return 0;
}
