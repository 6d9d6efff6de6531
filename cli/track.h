/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netshim report's model of a trace: each socket's life and each lookup with
 * the dials that followed it, kept while open, written out when done, and
 * the findings drawn from them. */
#ifndef CLI_TRACK_H
#define CLI_TRACK_H

#include "traces.h"

#include <stdbool.h>
#include <stdio.h>
#include <uthash.h>

/* Text rows kept for the text report; JSON rows all go to a file. */
#define CLI_TEXT_ROWS 50

enum cli_conn { CONN_NONE, CONN_OK, CONN_PENDING, CONN_FAILED };

struct cli_lookup;

struct cli_sock {
	UT_hash_handle hh;
	struct { long long pid, fd; } key;
	unsigned long long seq;
	const char *file;
	unsigned long line;
	char ts[32], prog[64];
	char made_by[64];	/* "socket", "accept4 on fd 3", "dup2 of fd
				 * 6" */
	bool asked_known;
	char afam[24], atype[40], aproto[24];	/* asked */
	char fam[24], type[40], proto[24];	/* obtained */
	char local[72], peer[72];
	bool listening;
	enum cli_conn conn;
	char conn_err[24], conn_ts[32];
	unsigned long conn_line;
	long long conn_t0, conn_dur_us;
	char opts_j[1024], opts_t[320];		/* JSON array body; text */
	char pol_j[768], pol_t[320];
	bool opts_cut, pol_cut;
	/* replaced by dup2/dup3 before any connect: the socket() it was */
	char replaced[160];
	struct cli_lookup *lk;	/* the lookup a dial on it answers */
	unsigned dial;
};

enum cli_dial { DIAL_PENDING, DIAL_OK, DIAL_FAILED, DIAL_NEVER };

struct cli_dialrec {
	char addr[72], ts[32], err[24];
	long long t_us, dur_us;
	unsigned long line;
	enum cli_dial outcome;
	struct cli_sock *s;
};

#define CLI_ANSWERS 16
#define CLI_DIALS 16

struct cli_lookup {
	UT_hash_handle hh;
	char *key;		/* pid, NUL, name */
	size_t keylen;
	unsigned long long seq;
	long long pid, t_us;
	const char *file;
	unsigned long line;
	char ts[32], prog[64], node[256], error[24];
	char ans[CLI_ANSWERS][72];
	unsigned nans, more;
	struct cli_dialrec dials[CLI_DIALS];
	unsigned ndials;
	int served;
};

/* Where finished rows go. */
struct cli_rows {
	FILE *json;		/* one JSON object a line, commas added later;
				 * NULL: text only */
	long long n;
	char *text[CLI_TEXT_ROWS];
	unsigned long long seq[CLI_TEXT_ROWS];
	unsigned ntext;
};

extern struct cli_rows cli_sock_rows, cli_lookup_rows;

/* Opens the row files for --json (@json); false (said) when no temporary
 * file can be made. */
bool cli_track_init(bool json);
/* Takes one event. */
void cli_track_event(const struct cli_ev *ev);
/* Writes out what is still open at the end of the traces. */
void cli_track_end(void);

/* track.c, for track_event.c: the open sockets by (pid, fd). */
extern struct cli_sock *cli_socks;
struct cli_sock *cli_sock_find(long long pid, long long fd);
/* A new socket at @fd of @ev's process; one still there is written out. */
struct cli_sock *cli_sock_make(const struct cli_ev *ev, long long fd,
			       const char *made_by);
/* The socket @ev is on (made up when unseen), its sock taken. */
struct cli_sock *cli_sock_on(const struct cli_ev *ev);
/* Writes @s out and frees it: closed at time @closed, or NULL with @how
 * saying why it went away. */
void cli_sock_finish(struct cli_sock *s, const char *closed, const char *how,
		     long long t_us);
void cli_sock_policy(struct cli_sock *s, const struct cli_ev *ev);
void cli_sock_opt(struct cli_sock *s, const struct cli_ev *ev);

/* lookups.c, called by track.c. */
void cli_lookup_event(const struct cli_ev *ev);
/* A connect on @s to @addr: a dial of a lookup answer? */
void cli_lookup_dial(struct cli_sock *s, const struct cli_ev *ev);
/* @s's connect resolved (s->conn) or @s is going away (@gone). */
void cli_lookup_sock(struct cli_sock *s, bool gone, long long t_us);
/* The first connect of @s, when no lookup explains it: an IPv4 dial after
 * an IPv6 one to the same port that failed or is still under way. */
void cli_lookup_v6_then_v4(struct cli_sock *s, const struct cli_ev *ev);
void cli_lookup_end(void);

/* Keeps a finished row: its JSON object and its text. */
void cli_rows_add(struct cli_rows *r, unsigned long long seq,
		  const char *json, size_t jlen, const char *text);

/* The host part of an address: "[::1]:80" -> "::1", "1.2.3.4:80" ->
 * "1.2.3.4", into @out. */
void cli_addr_host(const char *addr, char *out, size_t size);
/* Copies @s (NULL: "") into @out of @size, cut to fit. */
void cli_cpy(char *out, size_t size, const char *s);

#endif
