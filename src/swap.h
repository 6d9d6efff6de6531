/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NETSHIM_MPTCP=fallback's swap of an MPTCP socket for a TCP one: the part
 * that acts on sockets of the calling process, the same for every front.
 * The front lends the engine its socket and dup3 (call.h). */
#ifndef NS_SWAP_H
#define NS_SWAP_H

#include "fdtable.h"

#include <stdbool.h>
#include <sys/socket.h>

/* The kernel's word, whatever a table says (it may have learnt the socket
 * by probing): a listening or connected socket is not swapped as one
 * that is neither (a listener is, by ns_swap_to_tcp, as a listener). */
bool ns_swap_idle(int fd);

/* The policy note once the swap is done. */
const char *ns_swap_done(const struct ns_fdinfo *info, int lost);

struct ns_ops;
struct ns_call_rec;

/* Puts a TCP socket in place of the MPTCP socket @fd (r->lfd; same number
 * and flags, options replayed, address bound again) that takes the option
 * @level/@name with @val; 0 when done, -1 when nothing changed (the note
 * says why). */
int ns_swap_to_tcp(const struct ns_ops *o, struct ns_call_rec *r, int fd,
		   struct ns_fdinfo *info, int level, int name,
		   const void *val, socklen_t len);

#endif
