/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim doctor's findings and checks, shared by its source files. */
#ifndef CLI_DOCTOR_H
#define CLI_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

enum cli_doc_level { CLI_DOC_OK, CLI_DOC_NOTE, CLI_DOC_WARN };

#define CLI_DOC_MSG_MAX 1200
#define CLI_DOC_ADVICE_MAX 4

struct cli_doctor {
	bool json, colour;
	/* The finding being built: JSON needs its advice inside the object,
	 * so a finding is written when the next one starts. */
	bool pending;
	enum cli_doc_level level;
	const char *check;
	char msg[CLI_DOC_MSG_MAX];
	char advice[CLI_DOC_ADVICE_MAX][CLI_DOC_MSG_MAX];
	int nadvice;
};

/* Starts a finding of @check (a short name such as "route6"); the one
 * before it is written out. */
void cli_doc_finding(struct cli_doctor *d, enum cli_doc_level level,
		    const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Adds a line on what helps to the finding just started. */
void cli_doc_advise(struct cli_doctor *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes out the last finding. */
void cli_doc_flush(struct cli_doctor *d);

/* "ENOENT", or "errno N" for a number without a name. */
const char *cli_doc_errname(int err);
/* The first line of a small file, without its newline; 0 or -errno. */
int cli_doc_read_line(const char *path, char *buf, size_t size);

/* Loopback, IPv6 addresses, disable_ipv6, default routes, gai.conf. */
void cli_doc_check_net(struct cli_doctor *d);

#endif
