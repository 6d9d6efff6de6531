// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim run's trap front: start the program traced, inject the blob at
 * its exec, then follow the execs the blob's filter sends to netshim's
 * listener until the whole tree is gone (issue 17's design, step 5). */
#include "cli.h"
#include "inject.h"
#include "../trap/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Listeners: the root's blob's, each static program's under the exec
 * watch, and the watch's own. */
#define RUN_LFD_MAX 64

struct run {
	const struct cli_inject_req *rq;
	const char *prog;
	pid_t root;
	int root_status;		/* -1 while it runs */
	int lfd[RUN_LFD_MAX];		/* the listeners */
	bool watch[RUN_LFD_MAX];	/* that one is the exec watch's */
	int nlfd;
	size_t notif_size;
};

/* A listener to serve; one past RUN_LFD_MAX is closed: its execs then
 * fail with ENOSYS, never meeting the filter without the handler. */
static void add_listener(struct run *r, int fd, bool watch)
{
	if (fd < 0)
		return;
	if (r->nlfd == RUN_LFD_MAX) {
		close(fd);
		return;
	}
	r->watch[r->nlfd] = watch;
	r->lfd[r->nlfd++] = fd;
}

static void drop_listener(struct run *r, int i)
{
	close(r->lfd[i]);
	r->nlfd--;
	r->lfd[i] = r->lfd[r->nlfd];
	r->watch[i] = r->watch[r->nlfd];
}

/* What the child tells the parent when it never gets to the program. */
struct child_err {
	int stage;			/* 1 PTRACE_TRACEME, 2 exec */
	int err;
};

/* The child: traced by netshim from its exec on, the program exec'd as
 * run does for the preload front. */
static void child(char *const argv[], int tell, const sigset_t *mask)
{
	struct child_err e = { 1, 0 };

	sigprocmask(SIG_SETMASK, mask, NULL);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
		e.err = errno;
		if (write(tell, &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	e.err = cli_exec("run", argv);
	e.stage = 2;
	if (write(tell, &e, sizeof(e)) < 0)
		_exit(e.err);
	_exit(e.err);
}

/* The exit status a shell shows for @st. */
static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Children changed state. The root's end is kept; a process that made
 * netshim its tracer with PTRACE_TRACEME after the detach (only the root
 * can: it is our only child) gets every stop passed on, as if untraced;
 * orphans a subreaper inherits are reaped.
 */
static void reap(struct run *r, pid_t w, int st)
{
	if (WIFSTOPPED(st)) {
		int sig = (st >> 16) ? 0 : WSTOPSIG(st);

		ptrace(PTRACE_CONT, w, 0, sig);
		return;
	}
	if (w == r->root)
		r->root_status = st;
}

static void reap_all(struct run *r)
{
	pid_t w;
	int st;

	while ((w = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
		reap(r, w, st);
}

/*
 * The blob into an exec'd image. The image has the filter already: one
 * left without the handler would die of SIGSYS at its first trapped call,
 * so one that cannot have it is killed before its first instruction.
 */
static void followed(struct run *r, pid_t pid,
		     const struct cli_inject_req *rq)
{
	char why[TRAP_BLOB_WHY_MAX + 160], exe[PATH_MAX], link[40];
	enum cli_inject_result res;
	ssize_t n;
	int lfd, wst;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	res = cli_inject(pid, rq, &lfd, &wst, why, sizeof(why));
	if (res == CLI_INJ_OK)
		add_listener(r, lfd, false);
	if (res == CLI_INJ_TAKEN) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &wst, __WALL) == pid && WIFSTOPPED(wst))
			;
	}
	if (res == CLI_INJ_TAKEN || res == CLI_INJ_FAILED)
		fprintf(stderr, "netshim run: %s (process %d, exec'd under "
			"netshim): %s; killed\n", exe, pid, why);
	/* Reaped already: the root's end must not be lost. */
	if (res != CLI_INJ_OK && !WIFSTOPPED(wst))
		reap(r, pid, wst);
}

/* After SEIZE + CONTINUE + INTERRUPT: the exec stop (inject again with
 * @flags: no second filter after a blob's exec, a filter and a listener
 * after the watch's) or the interrupt's (the exec failed: let it go). */
static void follow(struct run *r, pid_t tid, uint32_t flags)
{
	struct cli_inject_req rq = *r->rq;
	int st;
	pid_t w;

	rq.flags = flags;
	rq.at_exec_event = true;
	for (;;) {
		w = waitpid(-1, &st, __WALL);
		if (w < 0)
			return;
		if (!WIFSTOPPED(st)) {
			reap(r, w, st);
			if (w == tid)
				return;
			continue;
		}
		/* A thread other than the leader that execs comes back as
		 * the leader (execve(2), de_thread): any exec stop is it. */
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8)) {
			followed(r, w, &rq);
			return;
		}
		if (w == tid && st >> 16 == PTRACE_EVENT_STOP) {
			ptrace(PTRACE_DETACH, w, 0, 0);
			return;
		}
		if (w == tid) {	/* a signal on its way: pass it on */
			ptrace(PTRACE_CONT, w, 0, WSTOPSIG(st));
			continue;
		}
		reap(r, w, st);
	}
}

/* One exec held by a filter until the answer (seccomp_unotify(2)): a
 * traced static program's, or any the exec watch sees, of which only a
 * static program's is followed. */
static void on_notify(struct run *r, int i)
{
	struct seccomp_notif *req = calloc(1, r->notif_size);
	struct seccomp_notif_resp resp;
	int lfd = r->lfd[i];
	bool watch = r->watch[i];
	uint32_t flags = 0;
	pid_t tid;
	int seized;

	if (!req)
		return;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		free(req);
		return;
	}
	tid = (pid_t)req->pid;
	/* The watch's filter has the one listener a process may have
	 * (seccomp(2), EBUSY): a static program under it gets a filter
	 * without one, unless its parent image had the blob's already. */
	if (watch && !cli_watch_has_blob(tid))
		flags = TRAP_BLOB_F_FILTER;
	if (watch && !cli_watch_static(req)) {
		memset(&resp, 0, sizeof(resp));
		resp.id = req->id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		free(req);
		ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		return;
	}
	/* Seized before the exec goes on, so its exec stop is ours. */
	seized = ptrace(PTRACE_SEIZE, tid, 0,
			PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) == 0;
	/* The thread may have died and its id been reused since RECV: the
	 * notification still pending proves it is the same one
	 * (seccomp_unotify(2), SECCOMP_IOCTL_NOTIF_ID_VALID). */
	if (seized && ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id)) {
		ptrace(PTRACE_DETACH, tid, 0, 0);
		free(req);
		return;
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req->id;
	if (seized) {
		/* The exec is made by the program, with its credentials. */
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		/* Without the handler its image would die of SIGSYS at
		 * its first trapped call: the exec fails instead, as it
		 * does when netshim is gone (ENOSYS). */
		fprintf(stderr, "netshim run: cannot follow the exec of "
			"process %d: PTRACE_SEIZE: %s; the exec fails with "
			"that error\n", tid, strerror(errno));
		resp.error = -(errno ? errno : EPERM);
	}
	free(req);
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 || !seized) {
		if (seized)
			ptrace(PTRACE_DETACH, tid, 0, 0);
		return;
	}
	/* A failed exec makes no exec stop: the interrupt stops it on its
	 * way back to the program instead. A successful one clears the
	 * interrupt (kernel/signal.c, ptrace_stop: "any trap clears
	 * pending STOP trap"). */
	ptrace(PTRACE_INTERRUPT, tid, 0, 0);
	follow(r, tid, flags);
}

/*
 * Yama's scope 1 lets a tracer seize its descendants only: an orphan
 * re-parented to init could not be followed by a non-root netshim. Then
 * (and only then: orphans' getppid() shows netshim) netshim becomes a
 * subreaper (Documentation/admin-guide/LSM/Yama.rst).
 */
static void maybe_subreaper(void)
{
	FILE *f;
	int scope = 0;

	if (geteuid() == 0)
		return;
	f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (!f)
		return;
	if (fscanf(f, "%d", &scope) != 1)
		scope = 0;
	fclose(f);
	if (scope == 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/*
 * SIGTERM or SIGHUP for netshim: the program's while it runs. Once it has
 * ended, netshim stops waiting for what it left behind; their later execs
 * then fail with ENOSYS, as when netshim is gone (seccomp_unotify(2)), and
 * never meet the filter without the handler.
 */
static void stop_or_pass(struct run *r, int sig)
{
	if (r->root_status == -1) {
		kill(r->root, sig);
		return;
	}
	while (r->nlfd)
		drop_listener(r, 0);
}

/*
 * Serve until the root has ended and the listener hangs up: the filter's
 * last user is gone (seccomp_unotify(2)). SIGTERM and SIGHUP aimed at
 * netshim go to the program, and the terminal's ^C and ^\ are the
 * program's, as the seccomp front does (seccomp/supervisor.c).
 */
static void serve(struct run *r, int sfd)
{
	struct seccomp_notif_sizes sz;

	r->notif_size = sizeof(struct seccomp_notif);
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 &&
	    sz.seccomp_notif > r->notif_size)
		r->notif_size = sz.seccomp_notif;
	while (r->root_status == -1 || r->nlfd) {
		struct pollfd p[1 + RUN_LFD_MAX] = { { sfd, POLLIN, 0 } };
		struct signalfd_siginfo si;
		int n = r->nlfd;

		for (int i = 0; i < n; i++)
			p[1 + i] = (struct pollfd){ r->lfd[i], POLLIN, 0 };
		/* Without a signalfd, children are looked at 10 times a
		 * second. */
		if (poll(p, 1 + (nfds_t)n, sfd < 0 ? 100 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		while (sfd >= 0 && read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGCHLD)
				stop_or_pass(r, (int)si.ssi_signo);
		reap_all(r);
		/* Backwards: dropping one moves the last into its place,
		 * and serving one may add listeners at the end. */
		for (int i = n - 1; i >= 0; i--) {
			if (i >= r->nlfd || r->lfd[i] != p[1 + i].fd)
				continue;
			if (p[1 + i].revents & POLLIN)
				on_notify(r, i);
			else if (p[1 + i].revents & (POLLHUP | POLLERR))
				drop_listener(r, i);
		}
	}
}

/* Die of the program's signal, so that the shell sees what it would have
 * seen without netshim (as the seccomp front, seccomp/run.c). */
static int die_as(int st)
{
	int sig;

	if (!WIFSIGNALED(st))
		return status_of(st);
	sig = WTERMSIG(st);
	signal(sig, SIG_DFL);
	if (sig != SIGKILL && sig != SIGSTOP) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		fflush(NULL);
		raise(sig);
	}
	return 128 + sig;
}

/* A failed injection of the first image: why, then its status. */
static int first_failed(struct run *r, enum cli_inject_result res,
			const char *why, size_t cap, char *out, int wst)
{
	int st;

	if (res == CLI_INJ_GONE)
		return die_as(wst);
	if (res == CLI_INJ_TAKEN) {
		kill(r->root, SIGKILL);
		while (waitpid(r->root, &st, __WALL) == r->root &&
		       WIFSTOPPED(st))
			;
		snprintf(out, cap, "%s", why);
		return -1;
	}
	fprintf(stderr, "netshim run: %s: %s\n", r->prog, why);
	return 126;
}

/* The signals netshim waits for with a signalfd (serve), blocked from
 * before the fork; the child gets the old mask back. */
static bool block(sigset_t *mask, sigset_t *old)
{
	sigemptyset(mask);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	return sigprocmask(SIG_BLOCK, mask, old) == 0;
}

/* The root forked into @kid with a pipe to tell netshim what happened
 * before its program ran; its read end in *@tell. false with why. */
static bool start(struct run *r, char *const argv[],
		  void (*kid)(char *const[], int, const sigset_t *),
		  const sigset_t *old, int *tell, char *why, size_t cap)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, cap, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	r->root = fork();
	if (r->root == 0) {
		close(p[0]);
		kid(argv, p[1], old);
	}
	close(p[1]);
	if (r->root < 0) {
		close(p[0]);
		snprintf(why, cap, "fork: %s", strerror(errno));
		return false;
	}
	*tell = p[0];
	return true;
}

/*
 * The program runs: ^C and ^\ are its own, the trace it got is no more
 * netshim's to hold (a FIFO's reader sees its end when the program's
 * last copy closes), and netshim serves until the tree is gone; the
 * root's end, as a shell would see it.
 */
static int finish(struct run *r, const sigset_t *mask, const sigset_t *old)
{
	int sfd, st;

	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (r->rq->hand_fd >= 0)
		close(r->rq->hand_fd);
	maybe_subreaper();
	sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	serve(r, sfd);
	if (sfd >= 0)
		close(sfd);
	while (r->root_status == -1 && waitpid(r->root, &st, __WALL) > 0)
		reap(r, r->root, st);
	sigprocmask(SIG_SETMASK, old, NULL);
	/* Never lost (reap() keeps it wherever it is reaped); still. */
	return r->root_status == -1 ? CLI_EXIT_FAIL : die_as(r->root_status);
}

int cli_trap_run(char *const argv[], const struct cli_inject_req *rq,
		 char *why, size_t cap)
{
	struct run r = { .rq = rq, .prog = argv[0], .root = -1,
			 .root_status = -1 };
	struct cli_inject_req first = *rq;
	struct child_err e = { 0, 0 };
	char msg[TRAP_BLOB_WHY_MAX + 160];
	sigset_t mask, old;
	int tell, st = 126 << 8, wst, res;

	if (!cli_can_take_fds(why, cap))
		return -1;
	if (!block(&mask, &old)) {
		snprintf(why, cap, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	if (!start(&r, argv, child, &old, &tell, why, cap)) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	/* Nothing: the exec closed it (O_CLOEXEC). */
	if (read(tell, &e, sizeof(e)) != (ssize_t)sizeof(e))
		e.stage = 0;
	close(tell);
	/* A signal sent between fork and exec stops it first: on. */
	while (waitpid(r.root, &st, __WALL) == r.root && WIFSTOPPED(st) &&
	       WSTOPSIG(st) != SIGTRAP)
		ptrace(PTRACE_CONT, r.root, 0, WSTOPSIG(st));
	if (!WIFSTOPPED(st) || e.stage) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (!WIFSTOPPED(st) && e.stage == 1) {
			/* netshim already traced (strace -f, gdb): no
			 * second tracer (ptrace(2), EPERM). */
			snprintf(why, cap, "ptrace refused (PTRACE_TRACEME: "
				 "%s)", strerror(e.err));
			return -1;
		}
		return status_of(st);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	/* If netshim dies before the detach, the program does not run on
	 * half set up. */
	ptrace(PTRACE_SETOPTIONS, r.root, 0, PTRACE_O_EXITKILL);
	first.flags = TRAP_BLOB_F_FILTER | TRAP_BLOB_F_LISTEN;
	first.at_exec_event = false;
	res = cli_inject(r.root, &first, &r.lfd[0], &wst, msg, sizeof(msg));
	r.nlfd = r.lfd[0] >= 0;
	if (res != CLI_INJ_OK) {
		res = first_failed(&r, res, msg, cap, why, wst);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return res;
	}
	return finish(&r, &mask, &old);
}

/* The exec watch's child: the filter, its listener's number told, then
 * the program exec'd as run does for the preload front. */
static void child_watch(char *const argv[], int tell, const sigset_t *mask)
{
	struct child_err e = { 3, 0 };

	sigprocmask(SIG_SETMASK, mask, NULL);
	e.err = cli_watch_install();
	if (e.err < 0) {
		e.stage = 4;
		e.err = errno;
	}
	if (write(tell, &e, sizeof(e)) != (ssize_t)sizeof(e) || e.stage == 4)
		_exit(127);
	e.err = cli_exec("run", argv);
	e.stage = 2;
	if (write(tell, &e, sizeof(e)) < 0)
		_exit(e.err);
	_exit(e.err);
}

int cli_watch_run(char *const argv[], const struct cli_inject_req *rq,
		  char *why, size_t cap)
{
	struct run r = { .rq = rq, .prog = argv[0], .root = -1,
			 .root_status = -1 };
	struct child_err e = { 0, 0 };
	sigset_t mask, old;
	int tell, st, fd = -1;

	if (!cli_can_take_fds(why, cap))
		return -1;
	if (!block(&mask, &old)) {
		snprintf(why, cap, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	if (!start(&r, argv, child_watch, &old, &tell, why, cap)) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	/* The child's exec waits for netshim's answer: its second word
	 * (an exec that failed) is never waited for here, and the pipe
	 * stays open so that it can still say it. */
	if (read(tell, &e, sizeof(e)) != (ssize_t)sizeof(e) ||
	    e.stage != 3 || (fd = cli_take_fd(r.root, e.err)) < 0) {
		snprintf(why, cap, "no exec watch: %s",
			 strerror(e.stage == 4 ? e.err : errno));
		while (waitpid(r.root, &st, 0) < 0 && errno == EINTR)
			;
		close(tell);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	add_listener(&r, fd, true);
	st = finish(&r, &mask, &old);
	close(tell);
	return st;
}
