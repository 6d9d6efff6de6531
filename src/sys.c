// SPDX-License-Identifier: LGPL-2.1-or-later
/* The one system-call entry netshim's own descriptor calls use (sys.h). */
#include "sys.h"

#include <unistd.h>

long (*ns_sys_site)(long nr, long a, long b, long c, long d, long e, long f);

#ifndef NS_FREESTANDING
long ns_syscall_site(long nr, long a, long b, long c, long d, long e,
		     long f)
{
	long r = ns_sys_site(nr, a, b, c, d, e, f);

	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
#endif
