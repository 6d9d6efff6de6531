/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trap front's injector: the blob file, putting it into a program
 * stopped at its exec, and running a program that way (issue 17). */
#ifndef CLI_INJECT_H
#define CLI_INJECT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CLI_BLOB_SEGS 4

/* One PT_LOAD of the blob: where it goes, its bytes in the file. */
struct cli_blob_seg {
	uint64_t vaddr, memsz, filesz, off;
	int prot;			/* PROT_* from p_flags */
};

struct cli_blob {
	char path[PATH_MAX];
	unsigned char *image;		/* the whole file */
	size_t len;
	uint64_t entry;
	struct cli_blob_seg seg[CLI_BLOB_SEGS];
	int nseg;
};

/*
 * netshim-blob found as the library is (beside the netshim binary, then
 * ../lib/netshim/, then the configured pkglibdir), read and checked once.
 * NULL when there is none or it is not a blob, with why in @why.
 */
const struct cli_blob *cli_find_blob(char *why, size_t cap);

/* What cli_inject did. */
enum cli_inject_result {
	CLI_INJ_OK,		/* set up, registers back, detached */
	CLI_INJ_TAKEN,		/* the blob's addresses are in use: nothing
				 * changed, the process is still stopped */
	CLI_INJ_FAILED,		/* why says; the process was killed */
	CLI_INJ_GONE,		/* the process ended; *@wstatus says how */
};

struct cli_inject_req {
	const struct cli_blob *blob;
	uint32_t flags;			/* TRAP_BLOB_F_* */
	const char *env;		/* "NAME=VALUE\0"... ended by "\0" */
	size_t env_len;
	bool at_exec_event;		/* PTRACE_EVENT_EXEC: inside execve */
	int hand_fd;			/* the child's to keep, netshim's to
					 * close once it has forked, or -1 */
};

/*
 * Puts the blob into @pid, a ptrace-stopped thread just past its exec,
 * runs its set-up and detaches, handing back every signal that came
 * meanwhile. With TRAP_BLOB_F_LISTEN, *@listener is netshim's copy of
 * the program's seccomp listener, else -1. On CLI_INJ_TAKEN the caller
 * still holds the stopped process. On CLI_INJ_FAILED and CLI_INJ_GONE the
 * process has been reaped: *@wstatus is its wait status.
 */
enum cli_inject_result cli_inject(pid_t pid, const struct cli_inject_req *rq,
				  int *listener, int *wstatus, char *why,
				  size_t cap);

/*
 * Runs @argv (PATH searched as execvp does) with the blob injected at its
 * exec, follows the execs of static programs it starts, and returns the
 * program's exit status (128+N for signal N). Returns -1 when the trap
 * front cannot serve this program, having put why in @why and started
 * nothing that ran: the caller falls back.
 */
int cli_trap_run(char *const argv[], const struct cli_inject_req *rq,
		 char *why, size_t cap);

/*
 * Runs @argv as the preload front does (the library from LD_PRELOAD, set
 * by the caller), with netshim's exec watch in its first process: every
 * exec of the run comes to netshim, which puts the blob into the static
 * programs among them (@rq as for cli_trap_run). Returns the exit status,
 * or -1 with why in @why when there can be no watch and nothing ran.
 */
int cli_watch_run(char *const argv[], const struct cli_inject_req *rq,
		  char *why, size_t cap);

/* The watch (watch.c): its filter, installed in the calling process,
 * with the listener's number returned (or -1 and errno); whether the
 * exec a notification holds runs a static x86_64 program. */
int cli_watch_install(void);
/* Whether this kernel lets netshim take a process's descriptor
 * (pidfd_getfd(2)), else why; @pid's descriptor @fd as netshim's own. */
bool cli_can_take_fds(char *why, size_t cap);
int cli_take_fd(pid_t pid, int fd);
struct seccomp_notif;
bool cli_watch_static(const struct seccomp_notif *req);
/* Whether @pid's image has the blob: an image exec'd from it has the
 * blob's filter already. */
bool cli_watch_has_blob(pid_t pid);

struct cli_reach;

/*
 * netshim run's trap front for @argv, which @reach describes: the run's
 * settings (@var, config.h's NETSHIM_* order, NULL where the environment
 * says), @lib for the dynamic programs it execs (may be NULL) and the
 * trace @out_fd opened by run (or -1) go to the blob. Returns the exit
 * status, or -1 with why in @why when the front cannot serve @argv and
 * nothing ran.
 */
int cli_run_trap(char *const argv[], const struct cli_reach *reach,
		 const char *const var[], const char *lib, int out_fd,
		 char *why, size_t cap);

/* The trace @fd that run opened, made to survive exec (FD_CLOEXEC
 * cleared) and named for NETSHIM_TRACE_INHERITED ("N:DEV:INO") in @val,
 * which the library's and the blob's sinks take up (sink.c). */
bool cli_hand_down(int fd, char *val, size_t cap);

/* The preload front as root, with the exec watch (cli_watch_run); -1
 * when there can be none: then exec the program as before. */
int cli_run_watched(char *const argv[], const char *const var[],
		    const char *lib, int out_fd);

#endif
