/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trace destination: opens it out of the program's way and writes each
 * event with one write(2). */
#ifndef NS_SINK_H
#define NS_SINK_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NS_SINK_LANES 16

struct ns_sink {
	int fd;			/* -1: tracing off */
	bool owned;		/* we opened fd and protect it */
	bool pipe;		/* a pipe or FIFO: guard against SIGPIPE */
	bool sock;		/* a socket: send with MSG_NOSIGNAL */
	bool file;		/* a regular file: a short write is a full
				 * disk, its fragment cut off again */
	bool warned;		/* one complaint about failed writes */
	bool recovered;		/* one line when they work again */
	bool torn;		/* a fragment no cut could remove ends the
				 * file: the next line starts with '\n' */
	unsigned long lost;	/* events dropped by failed writes */
	char path[NS_PATH_MAX];	/* the file (%p expanded), fd:N or stderr */
	/* ns_sink_write calls under way, counted in lanes that threads
	 * share round-robin: one counter made every thread of a busy
	 * program bounce the same cache line twice an event. Padded, not
	 * aligned: two counters 64 bytes apart never share a line, and a
	 * sink inside a malloc'ed struct needs no over-aligned memory. */
	struct {
		int n;
		char pad[60];
	} writers[NS_SINK_LANES];
};

/* Opens what @c names for process @pid. A destination that cannot be used
 * is reported through @io and replaced by stderr. */
void ns_sink_open(struct ns_sink *s, const struct ns_config *c, int pid,
		  const struct ns_config_io *io);
/* Takes the trace descriptor `netshim run` handed down (@inherited, the
 * value of NETSHIM_TRACE_INHERITED) when it still is that file and @c
 * names one file; false, and nothing done, otherwise. */
bool ns_sink_adopt(struct ns_sink *s, const struct ns_config *c,
		   const char *inherited);
/* Writes one whole line; failures are reported once, never retried in a
 * loop and never raise SIGPIPE. A line a failure cut short is taken out
 * of a regular file again, so that the file holds only whole lines; the
 * first write that works again says how many events were lost. */
void ns_sink_write(struct ns_sink *s, const char *line, size_t len,
		   const struct ns_config_io *io);
/* Opens trace file @path for appending (0600, O_CLOEXEC), refusing a
 * link at its last name, a link another user planted in its directories
 * (path.h) and a file or FIFO another user planted in a sticky directory.
 * A FIFO nobody reads: waits for a reader when @wait, else -1 with ENXIO.
 * -1 with errno on failure. */
int ns_trace_open(const char *path, bool wait);
/* A copy of @fd (O_CLOEXEC) high up, where programs rarely look. */
int ns_sink_high_fd(int fd);
/* Moves an owned descriptor to another number because the program wants
 * this one (dup2 onto it). Returns the number given up, still open, for the
 * caller to close if the program's call fails; -1 if nothing moved. */
int ns_sink_move(struct ns_sink *s);
void ns_sink_close(struct ns_sink *s);
/* In the child of a fork: writes other threads had under way are not, the
 * threads are not there (ns_sink_move would wait for them for ever). */
void ns_sink_after_fork(struct ns_sink *s);
/* No descriptor could be found to move to: stop tracing rather than write
 * into what the program puts at our number. */
void ns_sink_disable(struct ns_sink *s, const struct ns_config_io *io);
/* The program changed what our (not owned) descriptor is: fd 2. */
void ns_sink_reclassify(struct ns_sink *s);
/* write(2) that cannot raise SIGPIPE, for pipes and for complaints. */
ssize_t ns_write_nosigpipe(int fd, const char *p, size_t n);

static inline bool ns_sink_owns(const struct ns_sink *s, int fd)
{
	return s->owned && fd == __atomic_load_n(&s->fd, __ATOMIC_RELAXED);
}

#endif
