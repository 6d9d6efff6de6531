// SPDX-License-Identifier: LGPL-2.1-or-later
/* A library whose constructor calls socket() before netshim's runs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int proc_ctor_fd = -2;

/*
 * PROC_CTOR_SETENV=NAME PROC_CTOR_VALUE=PREFIX PROC_CTOR_SIZE=N: sets NAME
 * to PREFIX padded to N bytes with PROC_CTOR_FILL repeated (default "A")
 * first: a value too big for execve.
 */
static void big_setenv(void)
{
	const char *name = getenv("PROC_CTOR_SETENV");
	const char *prefix = getenv("PROC_CTOR_VALUE");
	const char *size = getenv("PROC_CTOR_SIZE");
	const char *fill = getenv("PROC_CTOR_FILL");
	size_t n, plen, flen;
	char *v;

	if (!name || !size)
		return;
	n = strtoul(size, NULL, 10);
	plen = prefix ? strlen(prefix) : 0;
	if (n < plen)
		n = plen;
	v = malloc(n + 1);
	if (!v)
		return;
	memcpy(v, prefix ? prefix : "", plen);
	if (!fill || !*fill)
		fill = "A";
	flen = strlen(fill);
	for (size_t i = plen; i < n; i++)
		v[i] = fill[(i - plen) % flen];
	v[n] = '\0';
	setenv(name, v, 1);
	free(v);
}

__attribute__((constructor)) static void proc_ctor(void)
{
	big_setenv();
	proc_ctor_fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (proc_ctor_fd >= 0)
		close(proc_ctor_fd);
}
