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
 * by probing): a listening or connected socket is never swapped. */
bool ns_swap_idle(int fd);

/*
 * Readies @nfd, a new TCP socket, to take @fd's place: the options @info
 * recorded (SO_REUSEADDR and IPV6_V6ONLY must precede bind), the option
 * @level/@name the MPTCP socket refused, then @fd's address if it has one,
 * taken while @fd still holds it. Returns 0, or -1 with errno and *@why
 * and *@tail for the policy note. *@lost counts recorded options TCP
 * refused; *@bound says whether an address was taken over.
 */
int ns_swap_ready(int fd, int nfd, const struct ns_fdinfo *info, int level,
		  int name, const void *val, socklen_t len, int *lost,
		  bool *bound, const char **why, const char **tail);

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
