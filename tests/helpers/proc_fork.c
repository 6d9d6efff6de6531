// SPDX-License-Identifier: LGPL-2.1-or-later
/* Children made by fork, vfork+exec, posix_spawn and clone(CLONE_VM), each
 * making a socket or duplicating one. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What an exec'd child does: one socket, closed, and says who it is. */
static int child_work(const char *who)
{
	int s = socket(AF_INET6, SOCK_DGRAM, 0);

	if (s < 0 || close(s) != 0)
		return 3;
	printf("%s %d\n", who, (int)getpid());
	return 0;
}

static int wait_ok(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A socket made before fork: the child closes it (traced only if the
 * child knows it from the parent's fd table) and makes one of its own. */
static int do_fork(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	if (s < 0)
		return 1;
	printf("parent %d fd %d\n", (int)getpid(), s);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int t;

		if (close(s) != 0)
			_exit(3);
		t = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (t < 0 || close(t) != 0)
			_exit(4);
		printf("child %d\n", (int)getpid());
		fflush(stdout);
		_exit(0);
	}
	if (!wait_ok(pid))
		return 1;
	return close(s) == 0 ? 0 : 1;
}

static int do_vfork(const char *self)
{
	char *argv[] = {(char *)self, "child", "vfork-child", NULL};
	int s = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		/* Between vfork and exec only exec and _exit are allowed;
		 * dup2 is what shells do there and is hooked. */
		dup2(s, 20);
		execve(self, argv, environ);
		_exit(127);
	}
	if (!wait_ok(pid))
		return 1;
	close(s);
	return child_work("parent-after");
}

static int clone_child(void *arg)
{
	/* Our memory, our own descriptor table (no CLONE_FILES). */
	return dup2(*(int *)arg, 21) == 21 ? 0 : 1;
}

/* A child sharing our memory but not our descriptors, as some runtimes
 * make them: its dup2 is its own, and says so. */
static int do_clonevm(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int s = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	pid = clone(clone_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, &s);
	if (!wait_ok(pid))
		return 1;
	printf("clonevm-child %d\n", (int)pid);
	/* Not ours: the child's dup2 did not give us 21. */
	return fcntl(21, F_GETFD) < 0 && errno == EBADF && close(s) == 0 ? 0 : 1;
}

static int do_spawn(const char *self)
{
	char *argv[] = {(char *)self, "child", "spawn-child", NULL};
	posix_spawn_file_actions_t fa;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;
	int err;

	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, s, 21);
	posix_spawn_file_actions_addclose(&fa, s);
	err = posix_spawn(&pid, self, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "posix_spawn: %s\n", strerror(err));
		return 1;
	}
	if (!wait_ok(pid))
		return 1;
	close(s);
	return child_work("parent-after");
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "child") == 0)
		return child_work(argv[2]);
	if (argc > 1 && strcmp(argv[1], "fork") == 0)
		return do_fork();
	if (argc > 1 && strcmp(argv[1], "vfork") == 0)
		return do_vfork(argv[0]);
	if (argc > 1 && strcmp(argv[1], "clonevm") == 0)
		return do_clonevm();
	if (argc > 1 && strcmp(argv[1], "spawn") == 0)
		return do_spawn(argv[0]);
	fprintf(stderr, "usage: %s fork|vfork|spawn|child NAME\n", argv[0]);
	return 2;
}
