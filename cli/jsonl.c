// SPDX-License-Identifier: LGPL-2.1-or-later
/* A strict JSON parser for one trace line (RFC 8259, UTF-8 checked), that
 * decodes strings in place into caller-owned tokens and never allocates. */
#include "jsonl.h"

#include "../src/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct cli_json *j;
	char *s;
	size_t len;
	size_t pos;
};

static int fail(struct parser *p, const char *msg)
{
	p->j->err = msg;
	p->j->errpos = p->pos + 1;
	return -1;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int hex4(struct parser *p, unsigned *v)
{
	*v = 0;
	if (p->len - p->pos < 4)
		return fail(p, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos + i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return fail(p, "bad hex digit in \\u escape");
		*v = *v << 4 | d;
	}
	p->pos += 4;
	return 0;
}

static size_t put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xc0 | cp >> 6);
		w[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xe0 | cp >> 12);
		w[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		w[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	w[0] = (char)(0xf0 | cp >> 18);
	w[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	w[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	w[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX, with a surrogate pair as one code point; a lone surrogate is no
 * character and is refused. */
static int unicode_escape(struct parser *p, unsigned *cp)
{
	unsigned lo;

	if (hex4(p, cp))
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(p, "lone low surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (p->len - p->pos < 2 || p->s[p->pos] != '\\' ||
	    p->s[p->pos + 1] != 'u')
		return fail(p, "high surrogate without its low half");
	p->pos += 2;
	if (hex4(p, &lo))
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(p, "high surrogate without its low half");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/*
 * A string at the opening quote. The decoded bytes are written from that
 * quote on: every escape is at least as long as what it stands for, so the
 * writer never passes the reader, and the closing quote leaves room for the
 * NUL.
 */
static int string(struct parser *p, const char **out, size_t *outlen)
{
	char *w = p->s + p->pos;

	*out = w;
	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20)
			return fail(p, "control byte in a string");
		if (c >= 0x80) {
			size_t n = ns_utf8_len((unsigned char *)p->s + p->pos,
					    p->len - p->pos);

			if (!n)
				return fail(p, "invalid UTF-8");
			memmove(w, p->s + p->pos, n);
			w += n;
			p->pos += n;
			continue;
		}
		p->pos++;
		if (c != '\\') {
			*w++ = (char)c;
			continue;
		}
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			*w++ = (char)c;
			break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned cp;

			if (unicode_escape(p, &cp))
				return -1;
			w += put_utf8(w, cp);
			break;
		}
		default:
			p->pos--;
			return fail(p, "unknown escape");
		}
	}
	*outlen = (size_t)(w - *out);
	*w = '\0';
	return 0;
}

static size_t digits(struct parser *p)
{
	size_t n = 0;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

static int number(struct parser *p, struct cli_jtok *t)
{
	size_t start = p->pos;
	bool frac = false;
	char tmp[64];
	char *end;

	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
	} else if (!digits(p)) {
		return fail(p, "bad number");
	}
	if (peek(p) == '.') {
		p->pos++;
		frac = true;
		if (!digits(p))
			return fail(p, "digit expected after '.'");
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		frac = true;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!digits(p))
			return fail(p, "digit expected in exponent");
	}
	t->str = p->s + start;
	t->len = p->pos - start;
	if (t->len >= sizeof(tmp))
		return fail(p, "number too long");
	memcpy(tmp, t->str, t->len);
	tmp[t->len] = '\0';
	t->isint = false;
	if (!frac) {
		errno = 0;
		t->ival = strtoll(tmp, &end, 10);
		t->isint = errno == 0 && *end == '\0';
	}
	/* strtod is the parser's dearest call: integers do without. */
	t->dval = t->isint ? (double)t->ival : strtod(tmp, NULL);
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "unexpected character");
	p->pos += n;
	return 0;
}

static int value(struct parser *p, const char *key, unsigned depth);

static int members(struct parser *p, unsigned me, bool obj, unsigned depth)
{
	char close = obj ? '}' : ']';

	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;

		skip_ws(p);
		if (obj) {
			if (peek(p) != '"')
				return fail(p, "member name expected");
			if (string(p, &key, &klen))
				return -1;
			skip_ws(p);
			if (peek(p) != ':')
				return fail(p, "':' expected");
			p->pos++;
		}
		if (value(p, key, depth + 1))
			return -1;
		p->j->tok[me].n++;
		skip_ws(p);
		if (peek(p) == close) {
			p->pos++;
			return 0;
		}
		if (peek(p) != ',')
			return fail(p, obj ? "',' or '}' expected" :
					     "',' or ']' expected");
		p->pos++;
	}
}

static int value(struct parser *p, const char *key, unsigned depth)
{
	struct cli_json *j = p->j;
	struct cli_jtok *t;
	unsigned me;
	int c, rc;

	if (depth > CLI_JSON_DEPTH)
		return fail(p, "nested too deep");
	if (j->ntok >= CLI_JSON_TOKENS)
		return fail(p, "too many values");
	me = j->ntok++;
	t = &j->tok[me];
	memset(t, 0, sizeof(*t));
	t->key = key;
	skip_ws(p);
	c = peek(p);
	switch (c) {
	case '{':
	case '[':
		t->type = c == '{' ? CLI_JOBJ : CLI_JARR;
		rc = members(p, me, c == '{', depth);
		break;
	case '"':
		t->type = CLI_JSTR;
		rc = string(p, &t->str, &t->len);
		break;
	case 't':
		t->type = CLI_JTRUE;
		rc = literal(p, "true");
		break;
	case 'f':
		t->type = CLI_JFALSE;
		rc = literal(p, "false");
		break;
	case 'n':
		t->type = CLI_JNULL;
		rc = literal(p, "null");
		break;
	case -1:
		return fail(p, "value expected, end of line found");
	default:
		if (c != '-' && (c < '0' || c > '9'))
			return fail(p, "unexpected character");
		t->type = CLI_JNUM;
		rc = number(p, t);
		break;
	}
	/* t may not be used past members(): only the index is stable. */
	j->tok[me].end = j->ntok;
	return rc;
}

int cli_json_parse(struct cli_json *j, char *line, size_t len)
{
	struct parser p = { .j = j, .s = line, .len = len, .pos = 0 };

	j->ntok = 0;
	j->err = NULL;
	j->errpos = 0;
	if (value(&p, NULL, 1))
		return -1;
	skip_ws(&p);
	if (p.pos != p.len)
		return fail(&p, "text after the value");
	return 0;
}

int cli_json_get(const struct cli_json *j, int obj, const char *key)
{
	if (obj < 0 || (unsigned)obj >= j->ntok || j->tok[obj].type != CLI_JOBJ)
		return -1;
	for (unsigned i = (unsigned)obj + 1; i < j->tok[obj].end;
	     i = j->tok[i].end)
		if (!strcmp(j->tok[i].key, key))
			return (int)i;
	return -1;
}

const char *cli_json_str(const struct cli_json *j, int i)
{
	if (i < 0 || j->tok[i].type != CLI_JSTR)
		return NULL;
	return j->tok[i].str;
}

bool cli_json_int(const struct cli_json *j, int i, long long *v)
{
	if (i < 0 || j->tok[i].type != CLI_JNUM || !j->tok[i].isint)
		return false;
	*v = j->tok[i].ival;
	return true;
}

bool cli_json_none(const struct cli_json *j, int i)
{
	return i < 0 || j->tok[i].type == CLI_JNULL;
}

static bool is_int(const struct cli_json *j, const char *key)
{
	long long v;

	return cli_json_int(j, cli_json_get(j, 0, key), &v);
}

/* errno and error: null, a name, or a number netshim had no name for. */
static bool is_code(const struct cli_json *j, int i)
{
	return i >= 0 && (j->tok[i].type == CLI_JNULL ||
			  j->tok[i].type == CLI_JSTR ||
			  (j->tok[i].type == CLI_JNUM && j->tok[i].isint));
}

int cli_jsonl_event(struct cli_json *j, char *line, size_t len,
		   char *why_buf, size_t why_size, const char **why)
{
	static const char *const strs[] = { "ts", "prog", "call" };
	static const char *const ints[] = { "pid", "tid", "ret", "dur_ns" };
	int e;

	if (cli_json_parse(j, line, len)) {
		snprintf(why_buf, why_size, "byte %zu: %s", j->errpos,
			 j->err);
		*why = why_buf;
		return -1;
	}
	if (j->tok[0].type != CLI_JOBJ) {
		*why = "not a JSON object";
		return -1;
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (!cli_json_str(j, cli_json_get(j, 0, strs[i]))) {
			snprintf(why_buf, why_size,
				 "\"%s\" is missing or not a string", strs[i]);
			*why = why_buf;
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (!is_int(j, ints[i])) {
			snprintf(why_buf, why_size,
				 "\"%s\" is missing or not an integer",
				 ints[i]);
			*why = why_buf;
			return -1;
		}
	}
	if (!is_code(j, cli_json_get(j, 0, "errno"))) {
		*why = "\"errno\" is missing or not null, a name or a number";
		return -1;
	}
	e = cli_json_get(j, 0, "error");
	if (e >= 0 && !is_code(j, e)) {
		*why = "\"error\" is not null, a name or a number";
		return -1;
	}
	return 0;
}

bool cli_jsonl_failed(const struct cli_json *j)
{
	return !cli_json_none(j, cli_json_get(j, 0, "errno")) ||
	       !cli_json_none(j, cli_json_get(j, 0, "error"));
}

/* Strings from the program are quoted; names and addresses are bare. */
bool cli_jsonl_quoted(const char *key)
{
	static const char *const keys[] = { "node", "service", "host", "serv",
					    "value" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (key && !strcmp(key, keys[i]))
			return true;
	return false;
}

void cli_jsonl_text(struct ns_buf *b, const struct cli_json *j, int i,
		   bool quote)
{
	const struct cli_jtok *t = &j->tok[i];
	unsigned k;

	switch (t->type) {
	case CLI_JNULL:
		ns_buf_str(b, "NULL");
		break;
	case CLI_JTRUE:
	case CLI_JFALSE:
		ns_buf_str(b, t->type == CLI_JTRUE ? "true" : "false");
		break;
	case CLI_JNUM:
		ns_buf_mem(b, t->str, t->len);
		break;
	case CLI_JSTR:
		if (quote)
			ns_buf_cstr(b, t->str, SIZE_MAX);
		else
			ns_buf_esc(b, t->str, SIZE_MAX);
		break;
	case CLI_JOBJ:
		/* A result {family, addr}: the address says the family. */
		if (cli_json_get(j, i, "addr") >= 0) {
			cli_jsonl_text(b, j, cli_json_get(j, i, "addr"), false);
			break;
		}
		/* fall through */
	case CLI_JARR:
		ns_buf_putc(b, t->type == CLI_JOBJ ? '{' : '[');
		for (k = (unsigned)i + 1; k < t->end; k = j->tok[k].end) {
			if (k != (unsigned)i + 1)
				ns_buf_str(b, t->type == CLI_JOBJ ? " " : ", ");
			cli_jsonl_text(b, j, (int)k,
				      cli_jsonl_quoted(j->tok[k].key));
		}
		ns_buf_putc(b, t->type == CLI_JOBJ ? '}' : ']');
		break;
	}
}
