/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim doctor's findings and checks, shared by its source files. */
#ifndef NS_DOCTOR_H
#define NS_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

enum ns_doc_level { NS_DOC_OK, NS_DOC_NOTE, NS_DOC_WARN };

#define NS_DOC_MSG_MAX 1200
#define NS_DOC_ADVICE_MAX 4

struct ns_doctor {
	bool json, colour;
	/* The finding being built: JSON needs its advice inside the object,
	 * so a finding is written when the next one starts. */
	bool pending;
	enum ns_doc_level level;
	const char *check;
	char msg[NS_DOC_MSG_MAX];
	char advice[NS_DOC_ADVICE_MAX][NS_DOC_MSG_MAX];
	int nadvice;
};

/* Starts a finding of @check (a short name such as "route6"); the one
 * before it is written out. */
void ns_doc_finding(struct ns_doctor *d, enum ns_doc_level level,
		    const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Adds a line on what helps to the finding just started. */
void ns_doc_advise(struct ns_doctor *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes out the last finding. */
void ns_doc_flush(struct ns_doctor *d);

/* "ENOENT", or "errno N" for a number without a name. */
const char *ns_doc_errname(int err);
/* The first line of a small file, without its newline; 0 or -errno. */
int ns_doc_read_line(const char *path, char *buf, size_t size);

/* Loopback, IPv6 addresses, disable_ipv6, default routes, gai.conf. */
void ns_doc_check_net(struct ns_doctor *d);

#endif
