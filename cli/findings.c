// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report's findings, kept one per kind and subject with a count and
 * the first lines they rest on, and written as text or JSON. */
#include "findings.h"
#include "cli.h"
#include "jout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* Lines kept per finding: the first ones say enough, the count the rest. */
#define REFS 6

struct cli_finding {
	UT_hash_handle hh;
	enum cli_fkind kind;
	unsigned long long seq;
	long long n;
	char *summary, *cause, *fix;
	struct { const char *file; unsigned long line; } ref[REFS];
	unsigned nref;
	char key[];		/* kind, subject */
};

static struct cli_finding *all;
static unsigned long long seq;

struct cli_finding *cli_finding_add(enum cli_fkind kind, const char *subject,
				    const char *file, unsigned long line,
				    bool *is_new)
{
	size_t n = strlen(subject) + 4;
	char *key = cli_xmalloc(n);
	struct cli_finding *f;

	snprintf(key, n, "%c:%s", 'a' + kind, subject);
	n = strlen(key);
	HASH_FIND(hh, all, key, n, f);
	*is_new = !f;
	if (!f) {
		f = cli_xmalloc(sizeof(*f) + n + 1);
		memset(f, 0, sizeof(*f));
		memcpy(f->key, key, n + 1);
		f->kind = kind;
		f->seq = seq++;
		HASH_ADD(hh, all, key[0], n, f);
	}
	free(key);
	f->n++;
	if (file)
		cli_finding_ref(f, file, line);
	return f;
}

void cli_finding_ref(struct cli_finding *f, const char *file,
		     unsigned long line)
{
	for (unsigned i = 0; i < f->nref; i++)
		if (f->ref[i].line == line && !strcmp(f->ref[i].file, file))
			return;
	if (f->nref == REFS)
		return;
	f->ref[f->nref].file = file;
	f->ref[f->nref++].line = line;
}

void cli_finding_text(struct cli_finding *f, const char *summary,
		      const char *cause, const char *fix)
{
	free(f->summary);
	free(f->cause);
	free(f->fix);
	f->summary = cli_xstrdup(summary);
	f->cause = cli_xstrdup(cause);
	f->fix = cli_xstrdup(fix);
}

static int order(struct cli_finding *a, struct cli_finding *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

long long cli_findings_count(void)
{
	return HASH_COUNT(all);
}

static const char *const kind_names[F_NKINDS] = {
	"mptcp-option-refused", "mptcp-refused", "mptcp-dropped",
	"ipv6-first-failed", "v4-mapped", "descriptor-replaced",
	"family-mismatch", "policy", "injected",
};

void cli_findings_json(void)
{
	struct cli_finding *f;

	HASH_SRT(hh, all, order);
	printf("  \"findings\": [");
	for (f = all; f; f = f->hh.next) {
		printf("%s\n    {\"kind\": \"%s\", \"summary\": ",
		       f == all ? "" : ",", kind_names[f->kind]);
		cli_jput(f->summary ?: "");
		printf(",\n     \"cause\": ");
		cli_jput(f->cause ?: "");
		printf(",\n     \"fix\": ");
		cli_jput(f->fix ?: "");
		printf(",\n     \"count\": %lld, \"lines\": [", f->n);
		for (unsigned i = 0; i < f->nref; i++) {
			printf("%s{\"file\": ", i ? ", " : "");
			cli_jput(f->ref[i].file);
			printf(", \"line\": %lu}", f->ref[i].line);
		}
		printf("]}");
	}
	printf("%s],\n", all ? "\n  " : "");
}

/* @text folded at spaces to 76 columns, each line after @first indented. */
static void fold(const char *label, const char *text)
{
	size_t col = printf("  %-7s", label), indent = col;
	const char *p = text;

	while (*p) {
		size_t w = strcspn(p, " ");

		if (col + w > 78 && col > indent) {
			printf("\n%*s", (int)indent, "");
			col = indent;
		}
		col += (size_t)cli_tput(p, w, 1000);
		p += w;
		while (*p == ' ')
			p++;
		if (*p) {
			putchar(' ');
			col++;
		}
	}
	putchar('\n');
}

void cli_findings_text(void)
{
	unsigned k = 0;

	if (!all)
		return;
	HASH_SRT(hh, all, order);
	printf("\nFindings:\n");
	for (struct cli_finding *f = all; f; f = f->hh.next) {
		printf("%s%u. ", k ? "\n" : "", k + 1);
		cli_tput(f->summary ?: "", SIZE_MAX, 2000);
		if (f->n > 1)
			printf(" (%lld times)", f->n);
		putchar('\n');
		fold("cause:", f->cause ?: "");
		fold("fix:", f->fix ?: "");
		printf("  lines: ");
		for (unsigned i = 0; i < f->nref; i++) {
			printf("%s", i ? ", " : "");
			cli_tput(f->ref[i].file, SIZE_MAX, 512);
			printf(":%lu", f->ref[i].line);
		}
		if (f->n > (long long)f->nref && f->nref == REFS)
			printf(", ...");
		putchar('\n');
		k++;
	}
}
