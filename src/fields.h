/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The formatter's fields, shared by text and JSON: one walk renders both.
 * Private to src/format*.c. */
#ifndef NS_FIELDS_H
#define NS_FIELDS_H

#include "compiler.h"
#include "format.h"

#include <netdb.h>

#define STR_MAX	 255 /* longest program string shown (host names, ...) */
#define STR_BRIEF 32 /* the same when the line did not fit */
#define LIST_MAX 64  /* most results listed */

/*
 * A JSON key as the text that goes before its value, separator included:
 * ,"family": — made at compile time and padded to NS_KEY_ROOM bytes, so a
 * key is one fixed-size copy rather than a loop over its bytes (keys were a
 * third of a JSON event's instructions). K() is a list element: no key.
 */
#define NS_KEY_ROOM 32
#define NS_KEY_COPY 24	/* bytes copied: the longest key, ",\"name\":" */
struct ns_key {
	const char *s;
	unsigned char len;
};
#define K(name)								\
	({								\
		static const char ns_k_[NS_KEY_ROOM] = ",\"" #name "\":";	\
		_Static_assert(sizeof(",\"" #name "\":") <= NS_KEY_COPY,	\
			       "key too long for NS_KEY_COPY");		\
		(struct ns_key){ ns_k_,					\
				 sizeof(#name) > 1 ?			\
					 sizeof(",\"" #name "\":") - 1 : 1 };\
	})

struct ns_out {
	struct ns_buf *b;
	bool json;
	bool brief;	 /* drop lists: the full line did not fit */
	bool cut;	 /* a list was longer than LIST_MAX */
	int n;		 /* fields written at this level */
	const char *sep; /* text: between fields */
};

void ns_f_sep(struct ns_out *o);

/* Starts a field: the separator, then in JSON the key (none for list
 * elements, K()). Text is positional and shows no keys. Inline: an event
 * starts some fifteen fields. */
static NS_INLINE void ns_f_key(struct ns_out *o, struct ns_key k)
{
	bool first = o->n++ == 0;

	if (__builtin_expect(!o->json, 0)) {
		if (!first)
			ns_f_sep(o);
		return;
	}
	/* The first field of an object or list goes without the comma. */
	ns_buf_padded(o->b, k.s + first, k.len - first, NS_KEY_COPY);
}
int ns_f_open(struct ns_out *o, struct ns_key k, char c);
void ns_f_close(struct ns_out *o, int saved, char c);
void ns_f_quote(struct ns_out *o);
void ns_f_int(struct ns_out *o, struct ns_key k, long v);
void ns_f_null(struct ns_out *o, struct ns_key k);
void ns_f_str(struct ns_out *o, struct ns_key k, const char *s);
void ns_f_sym(struct ns_out *o, struct ns_key k, const char *name, long v);
void ns_f_flags(struct ns_out *o, struct ns_key k, const struct ns_flagtab *tab,
		unsigned long v);
void ns_f_socktype(struct ns_out *o, struct ns_key k, int type);
void ns_f_addr(struct ns_out *o, struct ns_key k, const struct sockaddr *sa,
	       socklen_t len, bool port);
void ns_f_ptr(struct ns_out *o, struct ns_key k, const void *p);
void ns_f_triple(struct ns_out *o, int family, int type, int protocol);
void ns_f_fd(struct ns_out *o, const struct ns_event *ev);
bool ns_f_readable(const struct ns_event *ev);
void ns_f_sockaddr_arg(struct ns_out *o, const struct ns_event *ev,
		       const struct sockaddr *sa, socklen_t len);
void ns_f_optval(struct ns_out *o, const struct ns_event *ev);
void ns_f_results(struct ns_out *o, const struct addrinfo *res);
void ns_f_hostent(struct ns_out *o, const struct hostent *he);
void ns_f_hints(struct ns_out *o, const struct addrinfo *h);

#endif
