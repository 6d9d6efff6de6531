// SPDX-License-Identifier: LGPL-2.1-or-later
/* The one system-call entry netshim's own descriptor calls use (sys.h). */
#include "sys.h"

#include <errno.h>
#include <stdarg.h>

long (*ns_sys_site)(long nr, long a, long b, long c, long d, long e, long f);

long ns_syscall(long nr, ...)
{
	long a[6], (*site)(long, long, long, long, long, long, long);
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	site = __atomic_load_n(&ns_sys_site, __ATOMIC_RELAXED);
	if (site) {
		long r = site(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

		if ((unsigned long)r > -4096UL) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	return syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
