// SPDX-License-Identifier: LGPL-2.1-or-later
/* Resolution of the real libc functions behind each hook. */
#include "real.h"

#include <dlfcn.h>

struct shim_real_table shim_real;

/* Several threads may resolve at once; they all store the same pointer. */
#define NS_X(name, ret, params, ...)					\
	ret(*shim_resolve_##name(void)) params				\
	{								\
		ret(*f) params = (ret(*) params)dlsym(RTLD_NEXT, #name); \
		__atomic_store_n(&shim_real.name, f, __ATOMIC_RELAXED);	\
		return f;						\
	}
SHIM_REAL_SYMBOLS(NS_X)
#undef NS_X

void shim_real_resolve_all(void)
{
#define NS_X(name, ...) shim_resolve_##name();
	SHIM_REAL_SYMBOLS(NS_X)
#undef NS_X
}
