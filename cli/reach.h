/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether LD_PRELOAD can reach a program: static, setuid, Go, ELF class. */
#ifndef CLI_REACH_H
#define CLI_REACH_H

#include <limits.h>
#include <stdio.h>

/* What stands between the loader's LD_PRELOAD and the program. */
enum {
	CLI_REACH_STATIC = 1 << 0, /* ELF without PT_INTERP: no loader at all */
	CLI_REACH_SECURE = 1 << 1, /* setuid/setgid/file caps take effect */
	CLI_REACH_GO = 1 << 2,	  /* Go: sockets by raw system calls */
	CLI_REACH_CLASS = 1 << 3,  /* ELF class or machine differs from lib */
};

struct cli_reach {
	char path[PATH_MAX];	/* the program, found on PATH as execvp does */
	char elf[PATH_MAX];	/* the ELF file that runs: path or its #! */
	unsigned int flags;	/* CLI_REACH_*, and private detail bits */
	int elf_class, elf_machine;	/* ELFCLASS*, EM_* of elf */
	int lib_class, lib_machine;	/* and of the library */
	int err;		/* errno: path not found or unreadable */
};

/*
 * Looks at @prog (a name searched on PATH, or a path) and at the ELF that
 * would run for it, following #! lines; @lib, if not NULL, is the library
 * to preload, whose ELF class and machine must match. Returns the number
 * of CLI_REACH_* problems found, or -1 with @r->err set when the program
 * cannot be found or read (then exec will fail and say why).
 */
int cli_reach_check(const char *prog, const char *lib, struct cli_reach *r);

/*
 * One line on @out per problem in @r, "netshim CMD: PATH is ...", saying
 * what will not be traced and what to do about it.
 */
void cli_reach_print(FILE *out, const char *cmd, const struct cli_reach *r);

#endif
