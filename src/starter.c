// SPDX-License-Identifier: LGPL-2.1-or-later
/* The list of fronts that start with the library (starter.h): the linker
 * gathers the section and names its bounds. */
#include "starter.h"

/* Weak: a binary without any starter has no such section at all; hidden:
 * the library exports only its hooks. */
extern const ns_starter_fn __start_ns_starters[]
	__attribute__((weak, visibility("hidden")));
extern const ns_starter_fn __stop_ns_starters[]
	__attribute__((weak, visibility("hidden")));

void ns_run_starters(const struct ns_config *c,
		     const struct ns_config_io *io)
{
	for (const ns_starter_fn *f = __start_ns_starters;
	     f && f < __stop_ns_starters; f++)
		(*f)(c, io);
}
