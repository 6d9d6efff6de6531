// SPDX-License-Identifier: LGPL-2.1-or-later
/* What every part of the shim reads: the gate, the configuration, the
 * trace, and where netshim's complaints go. Set once by init.c. */
#include "shim.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int shim_gate = SHIM_GATE_INIT;
ns_callmask shim_calls_on;
const struct ns_config *shim_cfg;
struct ns_sink shim_sink;
int shim_pid;
__thread int shim_guard __attribute__((tls_model("initial-exec")));

int shim_errfd = -1;

/* What fd 2 was at set-up, for complaints when no copy is held. */
static struct {
	bool known;
	dev_t dev;
	ino_t ino;
} err_was;

static const char *env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/*
 * Complaints go where stderr was when netshim started, not into whatever
 * the program later put at fd 2 (a data file, a socket): a copy of it, or
 * fd 2 while it is still the same pipe, socket or terminal (shim_keep_stderr
 * says why).
 */
static int complaint_fd(void)
{
	int fd = __atomic_load_n(&shim_errfd, __ATOMIC_RELAXED);
	struct stat st;

	if (fd >= 0)
		return fd;
	if (!err_was.known || fstat(STDERR_FILENO, &st) != 0 ||
	    st.st_dev != err_was.dev || st.st_ino != err_was.ino)
		return -1;
	return STDERR_FILENO;
}

static void warn_stderr(const char *line, size_t len, void *ctx)
{
	int fd = complaint_fd();

	(void)ctx;
	/* Like the loader's own complaints, and never killing the program
	 * with SIGPIPE when nobody reads them. */
	while (fd >= 0 && len) {
		ssize_t r = ns_write_nosigpipe(fd, line, len);

		if (r <= 0 && errno != EINTR)
			return;
		if (r > 0) {
			line += r;
			len -= (size_t)r;
		}
	}
}

/*
 * A copy of fd 2, guarded from the program as the trace is (hook_fd.c),
 * when it is a regular file. Not of a pipe, socket or terminal: a copy
 * would hold it open, and whoever waits for its end after the program
 * closed stderr would wait for ever (a daemon under $(...), a log pipe,
 * sshd waiting for the last holder of a pty to go). Those are written
 * while fd 2 is still the same file, else not at all.
 */
void shim_keep_stderr(void)
{
	struct stat st;

	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	err_was.known = true;
	err_was.dev = st.st_dev;
	err_was.ino = st.st_ino;
	if (!S_ISREG(st.st_mode))
		return;
	__atomic_store_n(&shim_errfd, ns_sink_high_fd(STDERR_FILENO),
			 __ATOMIC_SEQ_CST);
}

int shim_errfd_move(void)
{
	int old = __atomic_load_n(&shim_errfd, __ATOMIC_RELAXED);

	/* -1 when no number is left: complaints then go by fd 2's
	 * identity, as for a pipe. */
	__atomic_store_n(&shim_errfd, ns_sink_high_fd(old), __ATOMIC_SEQ_CST);
	return old;
}

const struct ns_config_io shim_io = {
	.get = env_get,
	.warn = warn_stderr,
	.ctx = NULL,
};

