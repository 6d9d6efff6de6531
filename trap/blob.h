/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `netshim run` and the trap front's blob agree on: where the blob
 * lives in a static program, what netshim tells it, what it answers. */
#ifndef NS_TRAP_BLOB_H
#define NS_TRAP_BLOB_H

#include <stdint.h>

/*
 * The blob is the trap front and the engine built freestanding (no libc,
 * no TLS, no malloc): an x86_64 ELF executable (ET_EXEC, static, no
 * interpreter, no relocations) installed as $(pkglibdir)/netshim-blob,
 * whose PT_LOAD segments all lie in [TRAP_BLOB_BASE, + TRAP_BLOB_SPAN).
 * netshim maps them into a program stopped at its exec (ptrace), at
 * their own addresses, writes struct trap_blob_args at TRAP_BLOB_ARGS
 * and calls the entry point (e_entry) on the program's stack:
 *
 *	rdi	the program's stack pointer at the exec stop (argc, argv,
 *		envp, auxv: the blob reads AT_SYSINFO_EHDR there)
 *	rsi	TRAP_BLOB_ARGS
 *	rsp	((rdi - 1024) & ~15): the entry calls the set-up, whose
 *		return value (0 or -errno, also in status) is left in rax,
 *		and then executes int3: netshim sees SIGTRAP, reads the
 *		answer, puts the registers back and detaches.
 *
 * The gate page (trap.h, TRAP_SITE_ADDR) sits below the blob: the blob
 * maps it itself, as the library does.
 */
#define TRAP_BLOB_FILE "netshim-blob"
/* The gate's instruction pointer after its system call (trap.h, site.c):
 * what netshim run's own exec watch lets through. */
#define TRAP_BLOB_GATE_IP 0x6e7300000019UL
#define TRAP_BLOB_BASE 0x6e7301000000UL
#define TRAP_BLOB_SPAN 0x1000000UL
#define TRAP_BLOB_ARGS 0x6e7301800000UL

#define TRAP_BLOB_MAGIC 0x6e73626cU	/* "nsbl" */
#define TRAP_BLOB_VERSION 1

/* flags */
/* Install the seccomp filter: the first image of a run; an exec'd image
 * has its parent's filter already (seccomp(2): it survives exec). */
#define TRAP_BLOB_F_FILTER 0x1
/* With it, a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER) for the execs
 * of static programs: netshim takes it with pidfd_getfd(2) and closes
 * the program's copy. */
#define TRAP_BLOB_F_LISTEN 0x2

#define TRAP_BLOB_ENV_MAX 16384
#define TRAP_BLOB_WHY_MAX 200

struct trap_blob_args {
	uint32_t magic;		/* TRAP_BLOB_MAGIC: built into the blob */
	uint32_t version;	/* TRAP_BLOB_VERSION: built into the blob */
	/* in, written by netshim */
	uint32_t flags;
	uint32_t env_len;	/* bytes of env used */
	/* "NAME=VALUE\0" strings ended by an empty one: the run's
	 * NETSHIM_* settings and LD_PRELOAD, read instead of the program's
	 * environment (which it may have emptied before exec), and what a
	 * dynamic program it execs gets back. */
	char env[TRAP_BLOB_ENV_MAX];
	/* out, written by the blob */
	int32_t status;		/* 0, or -errno of what failed */
	int32_t listener;	/* its listener's number there, or -1 */
	char why[TRAP_BLOB_WHY_MAX];	/* what failed, one phrase, or "" */
};

#endif
