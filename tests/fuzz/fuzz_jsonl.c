// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: netshim log's and report's strict JSON parser
 * (cli/jsonl.c) on any line a trace file may hold, in a buffer of exactly
 * its length, then the line rendered as text for people. */
#include "buf.h"
#include "fuzz.h"
#include "../../cli/jsonl.h"

static void check_tokens(const struct cli_json *j)
{
	FZ_ASSERT(j->ntok >= 1 && j->ntok <= CLI_JSON_TOKENS, "%u tokens",
		  j->ntok);
	FZ_ASSERT(j->tok[0].end == j->ntok, "the root ends at %u of %u",
		  j->tok[0].end, j->ntok);
	for (unsigned i = 0; i < j->ntok; i++) {
		const struct cli_jtok *t = &j->tok[i];
		unsigned n = 0;

		FZ_ASSERT(t->end > i && t->end <= j->ntok,
			  "token %u ends at %u", i, t->end);
		if (t->type == CLI_JSTR)
			FZ_ASSERT(t->str && t->str[t->len] == '\0',
				  "string %u not NUL-ended", i);
		if (t->type != CLI_JARR && t->type != CLI_JOBJ) {
			FZ_ASSERT(t->end == i + 1, "scalar %u has children", i);
			continue;
		}
		for (unsigned k = i + 1; k < t->end; k = j->tok[k].end) {
			FZ_ASSERT((t->type == CLI_JOBJ) ==
				      (j->tok[k].key != NULL),
				  "member %u of %u and its key", k, i);
			n++;
		}
		FZ_ASSERT(n == t->n, "%u children counted, %u said", n, t->n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cli_json j;
	static char text[16384], why_buf[128];
	struct ns_buf b;
	const char *why;
	char *line = malloc(size ? size : 1);

	if (!line)
		abort();
	memcpy(line, data, size);
	if (cli_json_parse(&j, line, size)) {
		FZ_ASSERT(j.err && j.errpos >= 1 && j.errpos <= size + 1,
			  "error at byte %zu of %zu", j.errpos, size);
	} else {
		check_tokens(&j);
		ns_buf_init(&b, text, sizeof(text));
		cli_jsonl_text(&b, &j, 0, true);
		/* What netshim log prints: one line, no control bytes. */
		for (size_t i = 0; i < b.len; i++)
			FZ_ASSERT((unsigned char)text[i] >= 0x20 &&
				      (unsigned char)text[i] != 0x7f,
				  "byte 0x%02x in the text",
				  (unsigned char)text[i]);
		(void)cli_jsonl_failed(&j);
	}
	memcpy(line, data, size);
	(void)cli_jsonl_event(&j, line, size, why_buf, sizeof(why_buf), &why);
	free(line);
	return 0;
}
