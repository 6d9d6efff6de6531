// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fights over the trace fd (close all, dup2 onto it); event loops. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <unistd.h>

/* The descriptor whose /proc/self/fd link reads @path, or -1. */
static int find_fd(const char *path)
{
	char link[64], target[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int found = -1;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		int fd = atoi(d->d_name);
		ssize_t n;

		if (d->d_name[0] == '.' || fd == dirfd(dir))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			found = fd;
	}
	closedir(dir);
	return found;
}

/* How many descriptors >= 3 are open, /proc's own aside. */
static int count_open(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && atoi(d->d_name) >= 3 &&
		    atoi(d->d_name) != dirfd(dir))
			n++;
	closedir(dir);
	return n;
}

static int one_socket(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	return s >= 0 && close(s) == 0 ? 0 : 1;
}

/* closeall loop|range|from TRACEPATH */
static int closeall(const char *how, const char *trace)
{
	int t = find_fd(trace), loop_ebadf = 0, r, err;

	printf("trace fd found: %s\n", t >= 0 ? "yes" : "no");
	socket(AF_INET6, SOCK_STREAM, 0); /* left open, closed below */
	if (strcmp(how, "loop") == 0) {
		for (int fd = 3; fd <= 1024; fd++) {
			errno = 0;
			if (close(fd) != 0 && errno == EBADF && fd == t)
				loop_ebadf = 1;
		}
		printf("loop close of trace fd: %s\n",
		       loop_ebadf ? "EBADF" : "other");
	} else if (strcmp(how, "range") == 0) {
		r = close_range(3, ~0U, 0);
		printf("close_range: %d\n", r);
	} else {
		closefrom(3);
	}
	printf("open after: %d\n", count_open());
	errno = 0;
	r = t >= 0 ? close(t) : -2;
	err = errno;
	printf("close(trace fd): %d %s\n", r, err == EBADF ? "EBADF" : "?");
	return one_socket();
}

/* dup2onto TRACEPATH MYPATH */
static int dup2onto(const char *trace, const char *mine, int three)
{
	int t = find_fd(trace), m, r;
	static const char msg[] = "written by the program\n";

	if (t < 0) {
		printf("trace fd not found\n");
		return 1;
	}
	m = open(mine, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (m < 0)
		return 1;
	r = three ? dup3(m, t, O_CLOEXEC) : dup2(m, t);
	printf("dup onto trace fd: %s\n", r == t ? "ok" : "failed");
	if (write(t, msg, sizeof(msg) - 1) != (ssize_t)sizeof(msg) - 1)
		printf("write failed\n");
	if (one_socket())
		return 1;
	r = close(t);
	printf("close(it): %d\n", r);
	close(m);
	/* The trace goes on after all this. */
	return one_socket();
}

static int events(long n)
{
	for (long i = 0; i < n; i++)
		if (one_socket())
			return 1;
	printf("done\n");
	return 0;
}

/* secure MAPNAME: is it secure execution, is MAPNAME loaded, do calls work. */
static int secure(const char *name)
{
	char line[4096];
	FILE *maps = fopen("/proc/self/maps", "r");
	int loaded = 0;

	while (maps && fgets(line, sizeof(line), maps))
		loaded |= strstr(line, name) != NULL;
	if (maps)
		fclose(maps);
	printf("AT_SECURE=%lu loaded=%d euid=%d uid=%d\n", getauxval(AT_SECURE),
	       loaded, (int)geteuid(), (int)getuid());
	return one_socket();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "closeall") == 0)
		return closeall(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "dup2onto") == 0)
		return dup2onto(argv[2], argv[3], 0);
	if (argc == 4 && strcmp(argv[1], "dup3onto") == 0)
		return dup2onto(argv[2], argv[3], 1);
	if (argc == 3 && strcmp(argv[1], "events") == 0)
		return events(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "secure") == 0)
		return secure(argv[2]);
	fprintf(stderr,
		"usage: %s closeall loop|range|from TRACE | "
		"dup2onto|dup3onto TRACE MINE | events N | secure NAME\n",
		argv[0]);
	return 2;
}
