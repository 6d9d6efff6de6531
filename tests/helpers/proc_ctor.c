// SPDX-License-Identifier: LGPL-2.1-or-later
/* Linked to libproc_ctor, whose constructor runs before netshim's. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

extern int proc_ctor_fd;

int main(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	printf("ctor fd %d main fd %d\n", proc_ctor_fd, s);
	if (s >= 0)
		close(s);
	return proc_ctor_fd >= 0 && s >= 0 ? 0 : 1;
}
