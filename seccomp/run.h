/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the netshim command asks of the seccomp front. */
#ifndef NS_SC_RUN_H
#define NS_SC_RUN_H

/*
 * Runs @argv under the seccomp front, configured from the NETSHIM_*
 * variables of the environment, and returns its exit status. Returns -1
 * with *@err set when the front cannot be had here (see ns_sc_why) and
 * nothing ran: the caller falls back to LD_PRELOAD.
 */
int ns_sc_run(char *const argv[], int *err);

/* Whether the front can be had here: 0, or -errno as ns_sc_run's. A
 * child of ours tries the filter and exits. */
int ns_sc_probe(void);

/* One line for the fallback message: why @err stopped the front. */
const char *ns_sc_why(int err);

#endif
