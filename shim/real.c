// SPDX-License-Identifier: LGPL-2.1-or-later
/* Resolution of the real libc functions behind each hook. */
#include "real.h"

#include <dlfcn.h>

struct ns_real_table ns_real;

/* Several threads may resolve at once; they all store the same pointer. */
#define NS_X(name, ret, params, ...)					\
	ret(*ns_resolve_##name(void)) params				\
	{								\
		ret(*f) params = (ret(*) params)dlsym(RTLD_NEXT, #name); \
		__atomic_store_n(&ns_real.name, f, __ATOMIC_RELAXED);	\
		return f;						\
	}
NS_REAL_SYMBOLS(NS_X)
#undef NS_X

void ns_real_resolve_all(void)
{
#define NS_X(name, ...) ns_resolve_##name();
	NS_REAL_SYMBOLS(NS_X)
#undef NS_X
}
