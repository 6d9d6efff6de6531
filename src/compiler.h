/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compiler helpers shared by the engine and every front. */
#ifndef NS_COMPILER_H
#define NS_COMPILER_H

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define NS_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Everything is built with -fvisibility=hidden; only hooks use this. */
#define NS_EXPORT	__attribute__((visibility("default")))
#define NS_UNUSED	__attribute__((unused))
/* The traced path of a hook, kept out of its untraced fast path. */
#define NS_NOINLINE	__attribute__((noinline))
/* Small pieces of every event, where a call costs more than the body. */
#define NS_INLINE	inline __attribute__((always_inline))

#endif
