/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fronts that start with the library's set-up, without the front that runs
 * the set-up knowing them: each puts its start function in one linker
 * section (as the kernel's initcalls do), and the set-up runs them all. */
#ifndef NS_STARTER_H
#define NS_STARTER_H

#include "config.h"

typedef void (*ns_starter_fn)(const struct ns_config *c,
			      const struct ns_config_io *io);

/* Registers @fn to run once the configuration is parsed, before the trace
 * is opened and before the program's code runs. */
#define NS_STARTER(fn)							\
	static const ns_starter_fn ns_starter_##fn			\
		__attribute__((used, section("ns_starters"),		\
			       aligned(sizeof(void *)))) = fn

/* Runs every registered start function, in link order; none in a program
 * that links no front that registers one (the netshim command). */
void ns_run_starters(const struct ns_config *c,
		     const struct ns_config_io *io);

#endif
