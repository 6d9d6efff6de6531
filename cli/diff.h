/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim diff's parts: what of an event is compared and shown, and the
 * tally of families, protocols, options and errors per side. */
#ifndef CLI_DIFF_H
#define CLI_DIFF_H

#include "traces.h"

#include <stdbool.h>

/*
 * The event as compared (*norm: no times, ids, descriptor numbers,
 * durations or ephemeral ports) and as shown (*shown: a line for people);
 * both malloc'ed; @shown may be NULL when only *norm is wanted.
 */
void cli_diff_norm(const struct cli_ev *ev, char **norm, char **shown);
/* Counts what side @side (0: A, 1: B) did, for the summary. */
void cli_diff_tally(int side, const struct cli_ev *ev);
/* Prints what differs in families, protocols, options, errors, policies
 * and injected faults; @differ: the alignment found a difference. True
 * when anything differs. */
bool cli_diff_summary(long long na, long long nb, bool differ);

#endif
