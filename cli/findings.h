/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim report's findings: what went wrong or was changed, why, how to fix
 * it, and the trace lines each rests on; one per kind and subject. */
#ifndef CLI_FINDINGS_H
#define CLI_FINDINGS_H

#include <stdbool.h>

/* In the order the report shows them: causes first, netshim's own doings
 * last. */
enum cli_fkind {
	F_MPTCP_OPT,		/* TFO/MD5 option refused on an MPTCP socket */
	F_MPTCP_REFUSED,	/* socket(IPPROTO_MPTCP) refused */
	F_MPTCP_DROPPED,	/* the program went on with TCP by itself */
	F_V6_FIRST,		/* IPv6 first answer, IPv6 dial went nowhere */
	F_V4MAPPED,		/* AF_INET6 socket to ::ffff:a.b.c.d */
	F_DUP_REPLACED,		/* descriptor replaced before connect */
	F_FAMILY_MISMATCH,	/* connect address of another family */
	F_POLICY,		/* a netshim policy acted */
	F_INJECTED,		/* an injected fault acted */
	F_NKINDS
};

struct cli_finding;

/*
 * The finding of @kind about @subject (an option, a name, a program...),
 * counted once more, with the line that shows it. Returns it; when it is
 * new, the caller gives its text with cli_finding_text.
 */
struct cli_finding *cli_finding_add(enum cli_fkind kind, const char *subject,
				    const char *file, unsigned long line,
				    bool *is_new);
/* Another line the finding rests on (kept up to a few). */
void cli_finding_ref(struct cli_finding *f, const char *file,
		     unsigned long line);
/* The summary line, the cause and the fix (copied). */
void cli_finding_text(struct cli_finding *f, const char *summary,
		      const char *cause, const char *fix);

void cli_findings_json(void);	/* "findings": [...], with a comma */
void cli_findings_text(void);
long long cli_findings_count(void);

#endif
