// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whether a thread of the program has netshim's own credentials: where it
 * has not, netshim never makes its call (interim, issue 18 item 12). */
#include "front.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What makes a call more or less privileged (proc(5), credentials(7)):
 * the four uids and gids, the supplementary groups, the capability sets. */
static const char *const keys[] = {
	"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
	"CapAmb:",
};

#define CREDS_MAX 1024

/* Those lines of /proc/@tid/status (0: ours), one after the other; false
 * when it cannot be read. */
static bool read_creds(int tid, char *out, size_t cap)
{
	char path[48], buf[4096];
	size_t at = 0;
	ssize_t n;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/status", tid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/status");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = strstr(buf, keys[i]), *e;

		if (!p || (p != buf && p[-1] != '\n'))
			return false;
		e = strchr(p, '\n');
		e = e ? e : p + strlen(p);
		if (at + (size_t)(e - p) + 1 >= cap)
			return false;
		memcpy(out + at, p, (size_t)(e - p));
		at += (size_t)(e - p);
		out[at++] = '\n';
	}
	out[at] = '\0';
	return true;
}

static char ours[CREDS_MAX];
static bool have_ours;

void sc_creds_init(void)
{
	have_ours = read_creds(0, ours, sizeof(ours));
}

/* One look per process while nobody in it changes credentials (a fork
 * or a new thread has its creator's); a look per call after one did. */
bool sc_creds_same(struct sc_call *c)
{
	struct sc_proc *p = c->proc;
	char theirs[CREDS_MAX];
	bool same;

	if (p->creds == SC_CREDS_SAME)
		return true;
	if (p->creds == SC_CREDS_DIFFER)
		return false;
	same = have_ours && read_creds((int)c->req.pid, theirs,
				       sizeof(theirs)) &&
	       strcmp(theirs, ours) == 0;
	if (p->creds == SC_CREDS_UNKNOWN)
		p->creds = same ? SC_CREDS_SAME : SC_CREDS_DIFFER;
	return same;
}
