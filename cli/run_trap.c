// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim run --front=trap: whether the trap front can serve a program,
 * the settings the blob reads instead of the program's environment, and
 * the options it cannot honour, named once. */
#include "inject.h"
#include "reach.h"
#include "../src/config.h"
#include "../trap/blob.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct block {
	char buf[TRAP_BLOB_ENV_MAX];
	size_t len;
	bool full;
};

static void add(struct block *b, const char *name, const char *value)
{
	int n;

	if (b->full)
		return;
	/* Room for this string and the empty one that ends the block. */
	n = snprintf(b->buf + b->len, sizeof(b->buf) - b->len, "%s=%s", name,
		     value);
	if (n < 0 || (size_t)n + 2 > sizeof(b->buf) - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n + 1;
}

/* LD_PRELOAD for the dynamic programs it execs: the library first, as
 * run's preload front puts it, without a second copy of it. */
static void add_preload(struct block *b, const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char val[TRAP_BLOB_ENV_MAX / 2];
	size_t n;

	if (!lib)
		return;
#ifdef NS_ASAN_RT
	/* A sanitized library needs its runtime first (cmd_run.c). */
	n = (size_t)snprintf(val, sizeof(val), "%s %s", NS_ASAN_RT, lib);
#else
	n = (size_t)snprintf(val, sizeof(val), "%s", lib);
#endif
	if (old) {
		char copy[TRAP_BLOB_ENV_MAX / 2], *tok, *save = NULL;

		snprintf(copy, sizeof(copy), "%s", old);
		for (tok = strtok_r(copy, " :", &save); tok && n < sizeof(val);
		     tok = strtok_r(NULL, " :", &save)) {
			const char *base = strrchr(tok, '/');

			base = base ? base + 1 : tok;
#ifdef NS_ASAN_RT
			if (!strcmp(tok, NS_ASAN_RT))
				continue;
#endif
			if (strcmp(base, "libnetshim.so"))
				n += (size_t)snprintf(val + n, sizeof(val) - n,
						      " %s", tok);
		}
	}
	if (n >= sizeof(val))
		b->full = true;
	else
		add(b, "LD_PRELOAD", val);
}

/* The trace run opened goes down across the exec (its FD_CLOEXEC
 * cleared), named for the blob's sink as for the library's (sink.c). */
bool cli_hand_down(int fd, char *val, size_t cap)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || fcntl(fd, F_SETFD, 0) != 0)
		return false;
	snprintf(val, cap, "%d:%llu:%llu", fd, (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	return true;
}

static bool add_trace(struct block *b, int fd)
{
	char val[80];

	if (fd < 0)
		return true;
	if (!cli_hand_down(fd, val, sizeof(val)))
		return false;
	add(b, NS_ENV_INHERITED, val);
	return true;
}

/* What the front cannot do, one line (issue 17, item 6). */
static void not_honoured(const char *prog, const char *const var[])
{
	const char *bt = var[NS_VAR_BACKTRACE], *pf = var[NS_VAR_PREFER];
	const char *raw = var[NS_VAR_RAW];
	char line[512];
	size_t n = 0;

	if (bt && strcmp(bt, "0"))
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      "%s--backtrace (no unwinder in the "
				      "program's process)",
				      n ? ", " : "");
	if (pf && strcmp(pf, "none"))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s--prefer "
				      "(a static program's name lookups make "
				      "no call netshim sees as a lookup)",
				      n ? ", " : "");
	if (raw && !strcmp(raw, "off"))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s--raw=off "
				      "(every call of a static program is "
				      "raw)", n ? ", " : "");
	if (n)
		fprintf(stderr, "netshim run: %s runs in the trap front, which "
			"does not honour %s\n", prog, line);
}

/* The blob's request: the blob, the run's settings (@var, else the
 * environment's), LD_PRELOAD with @lib, the trace @out_fd: false with why
 * in @why. */
static bool request(struct cli_inject_req *rq, const char *const var[],
		    const char *lib, int out_fd, char *why, size_t cap)
{
	static struct block b;
	char found[PATH_MAX + 128];

	*rq = (struct cli_inject_req){ .hand_fd = -1 };
	rq->blob = cli_find_blob(found, sizeof(found));
	if (!rq->blob) {
		snprintf(why, cap, "%s", found);
		return false;
	}
	b.len = 0;
	b.full = false;
	for (int i = 0; i < NS_VAR_COUNT; i++) {
		const char *v = var[i] ? var[i] : getenv(ns_var_names[i]);

		if (v)
			add(&b, ns_var_names[i], v);
	}
	add_preload(&b, lib);
	/* Execs of static programs come to netshim (trap/exec.c). */
	add(&b, NS_ENV_WATCHED, "1");
	if (!add_trace(&b, out_fd)) {
		snprintf(why, cap, "the trace: %s", strerror(errno));
		return false;
	}
	if (b.full) {
		snprintf(why, cap, "its settings take more than %d bytes",
			 TRAP_BLOB_ENV_MAX);
		return false;
	}
	b.buf[b.len++] = '\0';
	rq->env = b.buf;
	rq->env_len = b.len;
	rq->hand_fd = out_fd;
	return true;
}

int cli_run_trap(char *const argv[], const struct cli_reach *reach,
		 const char *const var[], const char *lib, int out_fd,
		 char *why, size_t cap)
{
	struct cli_inject_req rq;

	/* The blob is x86_64 code; the filter lets other ABIs through. */
	if (reach->elf[0] && (reach->elf_class != ELFCLASS64 ||
			      reach->elf_machine != EM_X86_64)) {
		if (strcmp(reach->elf, reach->path))
			snprintf(why, cap, "it runs %s, not a 64-bit x86 "
				 "program", reach->elf);
		else
			snprintf(why, cap, "not a 64-bit x86 program");
		return -1;
	}
	if (!request(&rq, var, lib, out_fd, why, cap) ||
	    setenv(NS_ENV_WATCHED, "1", 1) != 0)
		return -1;
	not_honoured(reach->path[0] ? reach->path : argv[0], var);
	return cli_trap_run(argv, &rq, why, cap);
}

/*
 * The preload front with the exec watch: only with CAP_SYS_ADMIN, since a
 * filter installed without it needs no_new_privs (seccomp(2)), which
 * would take set-user-ID programs' privileges from every run. The blobs
 * of static programs take the trace handed down as the library does
 * (NETSHIM_TRACE_INHERITED), which survives a privilege drop.
 */
int cli_run_watched(char *const argv[], const char *const var[],
		    const char *lib, int out_fd)
{
	struct cli_inject_req rq;
	char why[PATH_MAX + 256];
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
	struct { uint32_t eff, perm, inh; } data[2];

	if (syscall(SYS_capget, &hdr, data) != 0 ||
	    !(data[0].eff & (1u << 21)) /* CAP_SYS_ADMIN */ ||
	    !request(&rq, var, lib, out_fd, why, sizeof(why)))
		return -1;
	if (setenv(NS_ENV_WATCHED, "1", 1) != 0)
		return -1;
	return cli_watch_run(argv, &rq, why, sizeof(why));
}
