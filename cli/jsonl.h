/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A strict JSON parser for one trace line, and the checks that make a parsed
 * line a trace event, shared by netshim log and netshim report. */
#ifndef CLI_JSONL_H
#define CLI_JSONL_H

#include <stdbool.h>
#include <stddef.h>

struct ns_buf;

/* Nesting deeper than this is refused: events nest three levels. */
#define CLI_JSON_DEPTH 16
/* Values one line may hold: 64 results and 32 frames fit with room. */
#define CLI_JSON_TOKENS 1024

enum cli_jtype {
	CLI_JNULL,
	CLI_JFALSE,
	CLI_JTRUE,
	CLI_JNUM,
	CLI_JSTR,
	CLI_JARR,
	CLI_JOBJ,
};

/*
 * One value, in document order: an array's or object's children follow it,
 * and @end is the index after its last descendant, so the next sibling of
 * tok[i] is tok[tok[i].end].
 */
struct cli_jtok {
	enum cli_jtype type;
	const char *key;	/* member name; NULL outside an object */
	const char *str;	/* CLI_JSTR: decoded, NUL-ended; CLI_JNUM: text */
	size_t len;		/* bytes of str (a string may hold NULs) */
	long long ival;		/* CLI_JNUM when isint */
	double dval;		/* CLI_JNUM */
	bool isint;		/* an integer that fits in long long */
	unsigned n;		/* CLI_JARR, CLI_JOBJ: direct children */
	unsigned end;
};

struct cli_json {
	struct cli_jtok tok[CLI_JSON_TOKENS];
	unsigned ntok;
	size_t errpos;		/* 1-based byte of the error */
	const char *err;	/* what is wrong, NULL after success */
};

/*
 * Parse @len bytes of @line as exactly one JSON value. Strings are decoded
 * in place, so @line is overwritten and must outlive the tokens. Returns 0,
 * or -1 with j->err and j->errpos set.
 */
int cli_json_parse(struct cli_json *j, char *line, size_t len);

/* Index of member @key of object tok[obj], or -1. */
int cli_json_get(const struct cli_json *j, int obj, const char *key);
/* The string at index @i (-1 allowed), or NULL when it is not a string. */
const char *cli_json_str(const struct cli_json *j, int i);
/* True, with *v, when index @i is an integer. */
bool cli_json_int(const struct cli_json *j, int i, long long *v);
/* True when index @i is absent (-1) or null. */
bool cli_json_none(const struct cli_json *j, int i);

/*
 * Parse a trace line and check the keys README promises in every event.
 * On failure *why says why, in a form for "not a trace line: WHY"; it
 * points into @why_buf or a constant.
 */
int cli_jsonl_event(struct cli_json *j, char *line, size_t len,
		   char *why_buf, size_t why_size, const char **why);

/* True for the keys whose strings come from the program (node, service,
 * host, serv, value): those are shown quoted, names and addresses bare. */
bool cli_jsonl_quoted(const char *key);
/*
 * Value @i as one line of text for people: strings C-escaped (quoted when
 * @quote), a lookup result {family, addr} as its address, arrays as
 * [a, b], objects as {a b}, null as NULL.
 */
void cli_jsonl_text(struct ns_buf *b, const struct cli_json *j, int i,
		   bool quote);

/* True when the event failed: errno is set, or a lookup's error is. */
bool cli_jsonl_failed(const struct cli_json *j);

#endif
