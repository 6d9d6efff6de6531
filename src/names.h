/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Symbolic names for the numbers a socket call carries: families, types,
 * protocols, option levels and names, flags, errno, EAI_* and h_errno. */
#ifndef NS_NAMES_H
#define NS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct ns_sym {
	int value;
	const char *name;
};

/* A set of named bits; see ns_fmt_flags(). */
struct ns_flag {
	unsigned long bit;
	const char *name;
};

struct ns_symtab {
	const struct ns_sym *sym;
	size_t n;
};

struct ns_flagtab {
	const struct ns_flag *flag;
	size_t n;
};

/* Name of @value in @t, or NULL. */
const char *ns_sym_name(const struct ns_symtab *t, int value);
/* Value named @name in @t; false when unknown. */
bool ns_sym_value(const struct ns_symtab *t, const char *name, int *value);

extern const struct ns_symtab ns_families, ns_socktypes, ns_levels,
	ns_shutdown_how, ns_fcntl_cmds, ns_eai_codes, ns_herrno_codes;
extern const struct ns_flagtab ns_sock_flags, ns_msg_flags, ns_ai_flags,
	ns_ni_flags, ns_close_range_flags, ns_dup3_flags;

const char *ns_name_errno(int err);
bool ns_errno_value(const char *name, int *err);
const char *ns_name_protocol(int family, int protocol);
const char *ns_name_sockopt(int level, int optname);
/* The level and number of the option named @name (the names
 * ns_name_sockopt gives); false when unknown. */
bool ns_sockopt_value(const char *name, int *level, int *optname);
/* The protocol the kernel picks for protocol 0 (TCP for an IPv4 or IPv6
 * stream socket, UDP for datagrams); @protocol itself otherwise. */
int ns_effective_protocol(int family, int type, int protocol);
/* True when the option's value is a string (TCP_CONGESTION, ...). */
bool ns_sockopt_is_string(int level, int optname);
/* How many bytes of a setsockopt value of @optlen the kernel reads, so the
 * most a tracer may read: an int, struct linger, struct timeval, or up to 15
 * bytes of a name (stop at its NUL); 0 when unknown. */
size_t ns_sockopt_read_len(int level, int optname, size_t optlen);

#endif
