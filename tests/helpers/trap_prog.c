// SPDX-License-Identifier: LGPL-2.1-or-later
/* run_trap.bats' program, built -static by the suite: says whether netshim
 * is in its process or its environment, exits, dies, execs or traces
 * itself as asked. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

/* "blob=yes|no seccomp=N": the blob's segments in the maps, the filter
 * mode in the status (proc(5)). */
static void where(void)
{
	char line[512], mode[16] = "?";
	int blob = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "6e7301", 6))
			blob = 1;
	if (f)
		fclose(f);
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %15s", mode) == 1)
			break;
	if (f)
		fclose(f);
	printf("blob=%s seccomp=%s\n", blob ? "yes" : "no", mode);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "where";

	if (!strcmp(mode, "where")) {
		where();
		return 0;
	}
	if (!strcmp(mode, "env")) {
		const char *v = getenv("LD_PRELOAD");

		printf("LD_PRELOAD=%s\n", v ? v : "(unset)");
		return 0;
	}
	if (!strcmp(mode, "exit") && argc > 2)
		return atoi(argv[2]);
	if (!strcmp(mode, "kill") && argc > 2) {
		kill(getpid(), atoi(argv[2]));
		return 99;
	}
	if (!strcmp(mode, "sleep") && argc > 2) {
		printf("sleeping\n");
		fflush(stdout);
		sleep((unsigned)atoi(argv[2]));
		return 4;
	}
	if (!strcmp(mode, "exec") && argc > 2) {
		where();
		execvp(argv[2], argv + 2);
		printf("exec %s: %s\n", argv[2], strerror(errno));
		return 5;
	}
	if (!strcmp(mode, "traceme")) {
		/* Its parent, netshim, becomes its tracer (ptrace(2)). */
		long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
		int fd;

		printf("traceme=%ld\n", r);
		fflush(stdout);
		raise(SIGWINCH);	/* a stop netshim passes on */
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		printf("socket=%s\n", fd >= 0 ? "ok" : strerror(errno));
		return 0;
	}
	fprintf(stderr, "usage: trap_prog where|env|exit N|kill SIG|sleep N|"
		"exec PROG ARG...|traceme\n");
	return 2;
}
