/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the freestanding engine (libnsfree.a) asks of the code it runs in:
 * one call at start, and the error texts the sink uses. */
#ifndef NS_FREE_H
#define NS_FREE_H

#ifdef NS_FREESTANDING
/*
 * Once, before any other engine call, in a single thread: @auxv is the
 * program's auxiliary vector (getauxval(3): pairs ended by AT_NULL), or
 * NULL. Its AT_SYSINFO_EHDR gives the vDSO, whose clock_gettime costs
 * tens of nanoseconds where the system call costs microseconds; without
 * one the clock is read by system call.
 */
void ns_free_init(const unsigned long *auxv);

/* strerrordesc_np(3) for the errors a trace file's opening and writing
 * meet; NULL for the others (the name alone is said then). */
const char *ns_free_strerror(int err);

/* gettid(2), by system call. */
int ns_free_gettid(void);
#endif

#endif
