// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim report: summarise JSON traces, several merged in time order, as
 * text or one JSON object: findings with cause and fix, counts, sockets and
 * lookups. */
#include "cli.h"
#include "findings.h"
#include "jout.h"
#include "report.h"
#include "track.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "report"

static int help(void)
{
	printf("Usage: netshim report [OPTION]... [FILE]...\n"
	       "Summarise JSON traces (NETSHIM_FORMAT=json): findings (what "
	       "went wrong or was\nchanged, why, how to fix it, and the "
	       "lines that show it), calls, errors by\nerrno, families and "
	       "protocols, destinations, policy actions, the first\nfailure "
	       "of each kind with its backtrace, each socket's life and "
	       "each lookup\nwith the dials that followed. Several files (a "
	       "-o t.%%p.json set) are merged\nin time order. With no FILE, "
	       "or when FILE is -, read standard input.\n\n"
	       "      --json    one JSON object instead of text\n"
	       "  -h, --help    display this help and exit\n\n"
	       "Lines that are not trace events are reported on standard "
	       "error with their\nline number and skipped; a file that is not "
	       "a JSON trace (a text trace,\nbinary data) is refused in one "
	       "line.\n"
	       "Exit status: 0, 1 if a file could not be read or is not a "
	       "JSON trace (the\nothers are summarised), 2 for a usage "
	       "error.\n");
	return CLI_EXIT_OK;
}

/* The rows of a table, from their file, as members of a JSON array. */
static void json_rows(const char *name, struct cli_rows *r, bool last)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool first = true;

	printf("  \"%s\": [", name);
	rewind(r->json);
	while ((n = getline(&line, &cap, r->json)) > 0) {
		printf("%s\n    ", first ? "" : ",");
		fwrite(line, 1, (size_t)n - 1, stdout);
		first = false;
	}
	free(line);
	printf("%s]%s\n", first ? "" : "\n  ", last ? "" : ",");
}

static void text_rows(const char *title, struct cli_rows *r)
{
	if (!r->n)
		return;
	/* Kept in the order they ended; shown in the order they began. */
	for (unsigned i = 1; i < r->ntext; i++)
		for (unsigned k = i; k && r->seq[k - 1] > r->seq[k]; k--) {
			unsigned long long sq = r->seq[k];
			char *t = r->text[k];

			r->seq[k] = r->seq[k - 1];
			r->text[k] = r->text[k - 1];
			r->seq[k - 1] = sq;
			r->text[k - 1] = t;
		}
	printf("\n%s:\n", title);
	for (unsigned i = 0; i < r->ntext; i++) {
		printf("  ");
		/* Rows are made of the trace's strings: escaped, but the
		 * newlines between their own lines kept. */
		for (const char *p = r->text[i]; *p;) {
			size_t w = strcspn(p, "\n");

			cli_tput(p, w, 8192);
			p += w;
			if (*p) {
				putchar('\n');
				p++;
			}
		}
		putchar('\n');
	}
	if (r->n > r->ntext)
		printf("  ... and %lld more (netshim report --json lists them "
		       "all)\n", r->n - r->ntext);
}

int cli_cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char *dash[] = { "-" };
	bool as_json = false;
	struct cli_traces *t;
	struct cli_ev ev;
	char **files;
	int c, nfiles, rc = CLI_EXIT_OK;
	long long nbad;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h')
			return help();
		if (c == 'j')
			as_json = true;
		else
			return cli_usage_error(CMD, "unknown option '%s'",
					      argv[optind - 1]);
	}
	files = optind < argc ? argv + optind : dash;
	nfiles = optind < argc ? argc - optind : 1;
	if (!cli_track_init(as_json))
		return CLI_EXIT_FAIL;
	t = cli_traces_open(CMD, files, nfiles, &rc);
	while (cli_traces_next(t, &ev)) {
		cli_report_count(&ev);
		cli_track_event(&ev);
	}
	cli_track_end();
	nbad = cli_traces_bad(t);
	if (as_json) {
		printf("{\n  \"files\": [");
		for (int i = 0; i < nfiles; i++) {
			printf("%s", i ? ", " : "");
			cli_jput(files[i]);
		}
		printf("],\n  \"events\": %lld,\n  \"bad_lines\": %lld,\n",
		       cli_report_nevents, nbad);
		cli_report_counts_json();
		cli_findings_json();
		json_rows("sockets", &cli_sock_rows, false);
		json_rows("lookups", &cli_lookup_rows, true);
		printf("}\n");
	} else {
		int nread = cli_traces_nread(t);

		printf("%lld events from %d trace%s", cli_report_nevents,
		       nread, nread == 1 ? "" : "s");
		if (nbad)
			printf(", %lld bad line%s skipped", nbad,
			       nbad == 1 ? "" : "s");
		putchar('\n');
		cli_findings_text();
		cli_report_counts_text();
		text_rows("Sockets", &cli_sock_rows);
		text_rows("Lookups (answers in order, then the dials)",
			  &cli_lookup_rows);
	}
	cli_traces_close(t, &rc);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = CLI_EXIT_FAIL;
	return rc;
}
