// SPDX-License-Identifier: LGPL-2.1-or-later
/* Exec'ing the program as a shell would, and saying why it cannot run in
 * the shell's words and with its statuses (bash: 127 not found, 126 found
 * but not runnable), with netshim's name and the path. */
#include "cli.h"
#include "reach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * What bash calls a binary file (check_binary_file, execute_cmd.c): a NUL
 * in the first line of the first 80 bytes. A text file without #! goes to
 * /bin/sh, as execvp(3) does on ENOEXEC; a binary one must not.
 */
static bool is_binary(const char *path)
{
	char head[80];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n >= 2 && head[0] == '#' && head[1] == '!')
		return false;
	for (ssize_t i = 0; i < n && head[i] != '\n'; i++)
		if (!head[i])
			return true;
	return false;
}

int cli_exec(const char *cmd, char *const argv[])
{
	static struct cli_reach r;
	const char *prog = argv[0], *what;
	bool found = cli_reach_check(prog, NULL, &r) >= 0;
	struct stat st;
	int err;

	if (found && is_binary(r.path))
		execv(r.path, argv);
	else
		execvp(prog, argv);
	err = errno;
	what = strerror(err);
	if (err == ENOENT && !strchr(prog, '/') && !found)
		what = "command not found";
	else if (err == EACCES && stat(found ? r.path : prog, &st) == 0 &&
		 S_ISDIR(st.st_mode))
		what = "Is a directory";
	else if (err == ENOEXEC)
		what = "cannot execute binary file: Exec format error";
	/* The file is there, its #! interpreter or ELF loader is not:
	 * bash 5.2's words. */
	if (err == ENOENT && found)
		what = "cannot execute: required file not found";
	fprintf(stderr, "netshim %s: %s: %s\n", cmd, prog, what);
	return err == ENOENT ? 127 : 126;
}
