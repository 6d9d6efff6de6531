// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names of the calls in the event model, and what calls.h says of each. */
#include "event.h"

#include <string.h>

static const char *const call_names[] = {
#define NS_X(name, ...) #name,
	NS_CALL_TABLE(NS_X)
#undef NS_X
};

static const unsigned char call_group[] = {
#define NS_X(name, ret, params, how, group, rules) NS_GROUP_##group,
	NS_CALL_TABLE(NS_X)
#undef NS_X
};

static const unsigned char call_rules[] = {
#define NS_X(name, ret, params, how, group, rules) NS_RULES_##rules,
	NS_CALL_TABLE(NS_X)
#undef NS_X
};

#ifndef NS_FREESTANDING
__thread bool ns_event_raw __attribute__((tls_model("initial-exec")));
#endif

const char *ns_call_name(enum ns_call c)
{
	return (unsigned)c < NS_CALL_COUNT ? call_names[c] : "?";
}

bool ns_call_by_name(const char *name, enum ns_call *c)
{
	for (unsigned i = 0; i < NS_CALL_COUNT; i++) {
		if (strcmp(call_names[i], name) == 0) {
			*c = (enum ns_call)i;
			return true;
		}
	}
	return false;
}

/* The calls whose entry in @table (one per call) has a bit of @bits. */
static ns_callmask calls_where(const unsigned char *table, unsigned bits)
{
	ns_callmask m = 0;

	for (unsigned i = 0; i < NS_CALL_COUNT; i++)
		if (table[i] & bits)
			m |= NS_CALLBIT(i);
	return m;
}

ns_callmask ns_calls_in_group(unsigned groups)
{
	return calls_where(call_group, groups);
}

ns_callmask ns_calls_with_rules(unsigned rules)
{
	return calls_where(call_rules, rules);
}
