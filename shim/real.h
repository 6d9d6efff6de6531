/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libc functions the shim wraps: one list, resolved with
 * dlsym(RTLD_NEXT) so other preloads in the chain keep working. */
#ifndef SHIM_REAL_H
#define SHIM_REAL_H

#include "../src/calls.h"

#include <netdb.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* X(name, return type, parameter list, ...): every call of the engine's
 * table (calls.h), then the functions the shim hooks besides. */
#define SHIM_REAL_EXTRA(X)						\
	X(fcntl64, int, (int, int, ...), LIBC, none, none)		\
	X(vfork, pid_t, (void), LIBC, none, none)			\
	X(clone, int, (int (*)(void *), void *, int, void *, ...),	\
	  LIBC, none, none)
#define SHIM_REAL_SYMBOLS(X) NS_CALL_TABLE(X) SHIM_REAL_EXTRA(X)

/* shim_real.NAME points at the next definition of NAME; NULL until resolved. */
struct shim_real_table {
#define NS_X(name, ret, params, ...) ret(*name) params;
	SHIM_REAL_SYMBOLS(NS_X)
#undef NS_X
};

extern struct shim_real_table shim_real;

/* real_NAME(): the next NAME, resolved on first use so hooks work before
 * our constructor has run. NULL only if no library defines it. */
#define NS_X(name, ret, params, ...)					\
	ret(*shim_resolve_##name(void)) params;				\
	static inline ret(*real_##name##_fn(void)) params		\
	{								\
		ret(*f) params = __atomic_load_n(&shim_real.name,		\
						 __ATOMIC_RELAXED);	\
		return __builtin_expect(f != NULL, 1) ? f		\
						      : shim_resolve_##name(); \
	}
SHIM_REAL_SYMBOLS(NS_X)
#undef NS_X

/* SHIM_REAL(connect)(fd, sa, len) calls the real connect. */
#define SHIM_REAL(name) (real_##name##_fn())

void shim_real_resolve_all(void);

#endif
