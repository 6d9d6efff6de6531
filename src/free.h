/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the freestanding engine (libnsfree.a) asks of the code it runs in:
 * one call at start, and the error texts the sink uses. */
#ifndef NS_FREE_H
#define NS_FREE_H

/*
 * libnsfree.a is the engine (src/) built again with NS_FREESTANDING
 * (Makefile.am), for trap/'s blob inside a static program, which owns
 * %fs, errno, the allocator and the signal stack. Engine code that
 * builds both ways:
 *
 *  - no errno: system calls go through sys.h, whose results are tested
 *    (< 0), read with ns_sys_err() and made with ns_sys_fail();
 *  - no __thread: the blob's handler runs with every asynchronous signal
 *    blocked, so a thread never re-enters the engine, but several
 *    threads run it at once (re-entrancy guards compile out, caches go);
 *  - no libc call but those free_*.c define (string functions,
 *    inet_pton/inet_ntop, clock_gettime, clock_nanosleep, getpid,
 *    getrandom, sched_yield), all hidden; tests/free.bats links the
 *    whole archive and fails on any other;
 *  - a small stack: the handler may run on a Go signal stack of 32 KiB
 *    (tests/free.bats reads the -fstack-usage figures).
 */

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
