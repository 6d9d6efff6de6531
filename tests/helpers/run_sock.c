// SPDX-License-Identifier: LGPL-2.1-or-later
/* One TCP socket through libc, then "ok": a program whose trace is known. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	close(fd);
	puts("ok");
	return 0;
}
