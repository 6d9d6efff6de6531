// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names of the calls in the event model. */
#include "event.h"

#include <string.h>

static const char *const call_names[] = {
#define NS_X(name) #name,
	NS_CALLS(NS_X)
#undef NS_X
};

__thread bool ns_event_raw __attribute__((tls_model("initial-exec")));

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
