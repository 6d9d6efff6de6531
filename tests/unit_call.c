// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the engine's entry points for socketpair, bind, listen,
 * accept, getsockopt and shutdown (call_sock.c), close, close_range, dup,
 * dup2, dup3 and fcntl's F_DUPFD (call_fd.c), linked with the engine
 * alone and lent real kernel calls on loopback, as an in-process front
 * (the trap's raw ops) lends them: the event fields, the table, the rules. */
#include "tap.h"
#include "call.h"
#include "fault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static struct ns_config cfg;
static struct tap_env env;
static struct ns_fdtab *tab;
static struct ns_fault_state fstate;

static int res(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

static int op_socketpair(struct ns_call_rec *r, int f, int t, int p,
			 int sv[2])
{
	(void)r;
	return res(socketpair(f, t, p, sv));
}

static int op_bind(struct ns_call_rec *r, int fd, const struct sockaddr *sa,
		   socklen_t len)
{
	(void)r;
	return res(bind(fd, sa, len));
}

static int op_listen(struct ns_call_rec *r, int fd, int backlog)
{
	(void)r;
	return res(listen(fd, backlog));
}

static int op_accept(struct ns_call_rec *r, int fd, struct sockaddr *sa,
		     socklen_t *lenp, int flags)
{
	if (r->ev.call == NS_CALL_accept4)
		return res(accept4(fd, sa, lenp, flags));
	return res(accept(fd, sa, lenp));
}

static int op_getsockopt(struct ns_call_rec *r, int fd, int level, int name,
			 void *val, socklen_t *lenp)
{
	(void)r;
	return res(getsockopt(fd, level, name, val, lenp));
}

static int op_shutdown(struct ns_call_rec *r, int fd, int how)
{
	(void)r;
	return res(shutdown(fd, how));
}

static int op_close(struct ns_call_rec *r, int fd)
{
	(void)r;
	return res(close(fd));
}

static int op_dup(struct ns_call_rec *r, int fd, int newfd, int flags)
{
	switch (r->ev.call) {
	case NS_CALL_dup2: return res(dup2(fd, newfd));
	case NS_CALL_dup3: return res(dup3(fd, newfd, flags));
	case NS_CALL_fcntl: return res(fcntl(fd, flags, newfd));
	default: return res(dup(fd));
	}
}

static int op_close_range(struct ns_call_rec *r, unsigned first,
			  unsigned last, int flags)
{
	(void)r;
	return res(close_range(first, last, flags));
}

static int op_fcntl(struct ns_call_rec *r, int fd, int cmd, int arg)
{
	(void)r;
	return res(fcntl(fd, cmd, arg));
}

/* The program's descriptors are ours: a new socket is at its number. */
static int op_install(struct ns_call_rec *r, int lfd, int fd, bool cloexec)
{
	(void)r;
	(void)cloexec;
	return fd < 0 ? lfd : -EINVAL;
}

static bool op_lookup(struct ns_call_rec *r, int fd, struct ns_fdinfo *info)
{
	(void)r;
	return ns_fdtab_get(tab, fd, info) || ns_probe_fd(fd, info);
}

static void op_put(struct ns_call_rec *r, int fd, int lfd,
		   const struct ns_fdinfo *info)
{
	(void)r;
	(void)lfd;
	ns_fdtab_put(tab, fd, info);
}

static void op_set_state(struct ns_call_rec *r, int fd, uint32_t bits)
{
	(void)r;
	ns_fdtab_set_state(tab, fd, bits);
}

static void op_listening(struct ns_call_rec *r, int fd, int backlog)
{
	(void)r;
	ns_fdtab_listen(tab, fd, backlog);
}

static void op_del(struct ns_call_rec *r, int fd)
{
	(void)r;
	ns_fdtab_del(tab, fd);
}

static void op_del_range(struct ns_call_rec *r, unsigned first,
			 unsigned last)
{
	(void)r;
	ns_fdtab_del_range(tab, first, last);
}

static int op_inject(struct ns_call_rec *r, const struct ns_fault_call *fc)
{
	struct ns_fault_hit hit = { 0 };

	if (!ns_fault_match(&r->cfg->fault, &fstate, fc, &hit))
		return 0;
	r->ev.injected = hit.rule;
	return hit.fail && hit.kind == NS_FAULT_ERRNO ? hit.value : 0;
}

static const struct ns_ops ops = {
	.socketpair = op_socketpair,
	.bind = op_bind,
	.listen = op_listen,
	.accept = op_accept,
	.getsockopt = op_getsockopt,
	.shutdown = op_shutdown,
	.close = op_close,
	.dup = op_dup,
	.close_range = op_close_range,
	.fcntl = op_fcntl,
	.install = op_install,
	.lookup = op_lookup,
	.put = op_put,
	.set_state = op_set_state,
	.listening = op_listening,
	.del = op_del,
	.del_range = op_del_range,
	.inject = op_inject,
};

static void begin(struct ns_call_rec *r, enum ns_call call, int fd)
{
	ns_rec_begin(r, &cfg, call, fd);
}

static uint32_t state_of(int fd)
{
	struct ns_fdinfo info;

	return ns_fdtab_get(tab, fd, &info) ? info.state : 0;
}

/* close(2) as a front that sees it: the table forgets the number. */
static void forget(int fd)
{
	close(fd);
	ns_fdtab_del(tab, fd);
}

/* A TCP socket in the table as ns_do_socket leaves it. */
static int tcp_socket(void)
{
	struct ns_fdinfo info = { .family = AF_INET, .type = SOCK_STREAM,
				  .protocol = IPPROTO_TCP };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ns_fdtab_put(tab, fd, &info);
	return fd;
}

static void pair(void)
{
	struct ns_call_rec r;
	struct ns_fdinfo info;
	int sv[2] = { -1, -1 }, ret;

	begin(&r, NS_CALL_socketpair, -1);
	ret = ns_do_socketpair(&ops, &r, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
			       0, sv);
	ok(ret == 0 && r.ev.ret == 0 && r.ev.err == 0 && sv[0] >= 0 &&
		   sv[1] >= 0,
	   "socketpair: 0, two numbers");
	ok(r.ev.u.sock.sv[0] == sv[0] && r.ev.u.sock.sv[1] == sv[1] &&
		   r.ev.u.sock.family == AF_UNIX &&
		   r.ev.u.sock.type == (SOCK_STREAM | SOCK_CLOEXEC),
	   "socketpair: the event shows the call and both numbers");
	ok(ns_fdtab_get(tab, sv[1], &info) && info.family == AF_UNIX &&
		   info.type == SOCK_STREAM && info.state == NS_FD_CONNECTED,
	   "socketpair: both ends in the table, connected, type bare");
	ok((fcntl(sv[0], F_GETFD) & FD_CLOEXEC) && write(sv[0], "x", 1) == 1,
	   "socketpair: the kernel's pair, SOCK_CLOEXEC kept");
	forget(sv[0]);
	forget(sv[1]);

	begin(&r, NS_CALL_socketpair, -1);
	ret = ns_do_socketpair(&ops, &r, AF_INET, SOCK_STREAM, 0, sv);
	ok(ret == -1 && r.ev.ret == -1 && r.ev.err == EOPNOTSUPP,
	   "socketpair(AF_INET): the kernel's EOPNOTSUPP");
}

/* A listener on 127.0.0.1 by the engine, its address in @sin. */
static int listener(struct sockaddr_in *sin)
{
	struct ns_call_rec r;
	socklen_t len = sizeof(*sin);
	int fd = tcp_socket(), ret;

	*sin = (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_addr.s_addr = htonl(0x7f000001) };
	begin(&r, NS_CALL_bind, fd);
	ret = ns_do_bind(&ops, &r, fd, (struct sockaddr *)sin, sizeof(*sin));
	ok(ret == 0 && r.ev.ret == 0 &&
		   r.ev.u.addr.sa == (struct sockaddr *)sin &&
		   r.ev.u.addr.len == sizeof(*sin),
	   "bind: 0, the event shows the address");
	ok(state_of(fd) & NS_FD_BOUND, "bind: NS_FD_BOUND");
	getsockname(fd, (struct sockaddr *)sin, &len);

	begin(&r, NS_CALL_listen, fd);
	ret = ns_do_listen(&ops, &r, fd, 7);
	ok(ret == 0 && r.ev.u.num.n == 7, "listen: 0, the event's backlog");
	return fd;
}

static void accepts(void)
{
	struct sockaddr_in sin, peer;
	struct ns_fdinfo info;
	struct ns_call_rec r;
	socklen_t len;
	int l, c, n;

	l = listener(&sin);
	ok(ns_fdtab_get(tab, l, &info) && (info.state & NS_FD_LISTENING) &&
		   info.backlog == 7,
	   "listen: NS_FD_LISTENING and the backlog in the table");
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&sin, sizeof(sin));

	/* A buffer of 4 bytes: the kernel writes 4 and says 16. */
	len = 4;
	memset(&peer, 0, sizeof(peer));
	begin(&r, NS_CALL_accept4, l);
	n = ns_do_accept(&ops, &r, l, (struct sockaddr *)&peer, &len,
			 SOCK_CLOEXEC);
	ok(n >= 0 && r.ev.ret == n && len == sizeof(sin),
	   "accept4: the number; the kernel's full length for the caller");
	ok(r.ev.u.addr.sa == (struct sockaddr *)&peer && r.ev.u.addr.len == 4 &&
		   r.ev.u.addr.flags == SOCK_CLOEXEC,
	   "accept4: the event shows no more than the 4 bytes written");
	ok(peer.sin_addr.s_addr == 0, "accept4: the kernel wrote only 4");
	ok(ns_fdtab_get(tab, n, &info) && info.family == AF_INET &&
		   info.type == SOCK_STREAM &&
		   info.protocol == IPPROTO_TCP &&
		   info.state == (NS_FD_ACCEPTED | NS_FD_CONNECTED),
	   "accept4: the new socket is what the listener is");
	ok(state_of(l) & NS_FD_SERVED, "accept4: the listener is served");
	ok(fcntl(n, F_GETFD) & FD_CLOEXEC, "accept4: SOCK_CLOEXEC applied");
	forget(n);
	close(c);

	/* A rule fails accept without the kernel: the connection waits. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&sin, sizeof(sin));
	tap_config(&cfg, &env,
		   (const char *const[]){ "NETSHIM_FAIL=accept=ECONNABORTED#1",
					  NULL });
	begin(&r, NS_CALL_accept, l);
	n = ns_do_accept(&ops, &r, l, NULL, NULL, 0);
	ok(n == -1 && r.ev.err == ECONNABORTED && r.ev.injected &&
		   r.ev.u.addr.sa == NULL && r.ev.u.addr.len == 0,
	   "accept=ECONNABORTED: injected, no address shown");
	begin(&r, NS_CALL_accept, l);
	n = ns_do_accept(&ops, &r, l, NULL, NULL, 0);
	ok(n >= 0 && !r.ev.injected && !(fcntl(n, F_GETFD) & FD_CLOEXEC),
	   "accept=ECONNABORTED#1: the next accept gets the connection");
	tap_config(&cfg, &env, (const char *const[]){ NULL });
	forget(n);
	close(c);
	forget(l);
}

static void sockopts(void)
{
	struct ns_call_rec r;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), val = -1, ret;
	socklen_t len = sizeof(val);

	begin(&r, NS_CALL_getsockopt, fd);
	ret = ns_do_getsockopt(&ops, &r, fd, SOL_SOCKET, SO_TYPE, &val, &len);
	ok(ret == 0 && val == SOCK_DGRAM && r.ev.u.opt.len == sizeof(int) &&
		   r.ev.u.opt.vlen == sizeof(int) &&
		   memcmp(r.ev.u.opt.val, &val, sizeof(int)) == 0 &&
		   r.ev.u.opt.level == SOL_SOCKET &&
		   r.ev.u.opt.name == SO_TYPE,
	   "getsockopt: the value the kernel wrote, copied for the event");

	/* The length pointer the kernel refused is not read. */
	begin(&r, NS_CALL_getsockopt, fd);
	ret = ns_do_getsockopt(&ops, &r, fd, SOL_SOCKET, SO_TYPE, &val, NULL);
	ok(ret == -1 && r.ev.err == EFAULT && r.ev.u.opt.len == 0 &&
		   r.ev.u.opt.vlen == 0,
	   "getsockopt(NULL length): EFAULT, no value shown");

	tap_config(&cfg, &env,
		   (const char *const[]){
			   "NETSHIM_FAIL=getsockopt(SO_TYPE)=ENOPROTOOPT",
			   NULL });
	val = -1;
	len = sizeof(val);
	begin(&r, NS_CALL_getsockopt, fd);
	ret = ns_do_getsockopt(&ops, &r, fd, SOL_SOCKET, SO_TYPE, &val, &len);
	ok(ret == -1 && r.ev.err == ENOPROTOOPT && val == -1 &&
		   r.ev.u.opt.len == 0 && r.ev.u.opt.vlen == 0 &&
		   r.ev.injected,
	   "getsockopt(SO_TYPE)=ENOPROTOOPT: injected, the kernel not asked");
	begin(&r, NS_CALL_getsockopt, fd);
	ret = ns_do_getsockopt(&ops, &r, fd, SOL_SOCKET, SO_DOMAIN, &val, &len);
	ok(ret == 0 && val == AF_INET6 && !r.ev.injected,
	   "getsockopt(SO_TYPE)=ENOPROTOOPT: SO_DOMAIN untouched");
	tap_config(&cfg, &env, (const char *const[]){ NULL });

	begin(&r, NS_CALL_shutdown, fd);
	ret = ns_do_shutdown(&ops, &r, fd, SHUT_WR);
	ok(ret == -1 && r.ev.err == ENOTCONN && r.ev.u.num.n == SHUT_WR,
	   "shutdown: the kernel's ENOTCONN, the event's how");
	forget(fd);
}

static bool known(int fd)
{
	struct ns_fdinfo info;

	return ns_fdtab_get(tab, fd, &info);
}

static void lifetime(void)
{
	struct ns_fdinfo info;
	struct ns_call_rec r;
	int fd = tcp_socket(), other = tcp_socket(), n, d, ret;

	ns_fdtab_get(tab, fd, &info);
	begin(&r, NS_CALL_dup, fd);
	n = ns_do_dup(&ops, &r, fd, -1, 0, &info);
	ok(n > fd && r.ev.ret == n && known(n), "dup: the copy is remembered");

	/* What was at the number before is the copy now. */
	begin(&r, NS_CALL_dup2, fd);
	ret = ns_do_dup(&ops, &r, other, n, 0, NULL);
	ok(ret == n && !known(n) && r.ev.u.fds.a == n,
	   "dup2 of an unknown number: the stale entry at newfd goes");
	begin(&r, NS_CALL_dup3, fd);
	ret = ns_do_dup(&ops, &r, fd, n, O_CLOEXEC, &info);
	ok(ret == n && known(n) && (fcntl(n, F_GETFD) & FD_CLOEXEC) &&
		   r.ev.u.fds.a == n && r.ev.u.fds.b == O_CLOEXEC,
	   "dup3: newfd is the socket, the event shows newfd and flags");
	begin(&r, NS_CALL_dup2, fd);
	ret = ns_do_dup(&ops, &r, fd, fd, 0, &info);
	ok(ret == fd && known(fd), "dup2 onto itself: nothing changes");

	begin(&r, NS_CALL_fcntl, fd);
	d = ns_do_dup(&ops, &r, fd, 100, F_DUPFD_CLOEXEC, &info);
	ok(d >= 100 && known(d) && r.ev.u.fds.a == F_DUPFD_CLOEXEC &&
		   r.ev.u.fds.b == 100,
	   "fcntl(F_DUPFD_CLOEXEC, 100): remembered, command and number");

	begin(&r, NS_CALL_close_range, -1);
	ret = ns_do_close_range(&ops, &r, (unsigned)d, (unsigned)d,
				CLOSE_RANGE_CLOEXEC);
	ok(ret == 0 && known(d), "close_range(CLOEXEC): nothing forgotten");
	begin(&r, NS_CALL_close_range, -1);
	ret = ns_do_close_range(&ops, &r, (unsigned)d, ~0U, 0);
	ok(ret == 0 && !known(d) && fcntl(d, F_GETFD) < 0 &&
		   r.ev.u.fds.a == d && r.ev.u.fds.c == 0,
	   "close_range: closed and forgotten, the event's range");

	begin(&r, NS_CALL_close, n);
	ret = ns_do_close(&ops, &r, n);
	ok(ret == 0 && !known(n) && fcntl(n, F_GETFD) < 0,
	   "close: closed and forgotten");

	/* libc closed it behind our back: the entry was stale. */
	close(other);
	ns_fdtab_put(tab, other, &info);
	begin(&r, NS_CALL_dup, other);
	r.ev.sock = &(struct ns_sock){ AF_INET, SOCK_STREAM, IPPROTO_TCP };
	ret = ns_do_dup(&ops, &r, other, -1, 0, &info);
	ok(ret == -1 && r.ev.err == EBADF && !known(other) && !r.ev.sock,
	   "dup of a closed number: EBADF, the stale entry dropped");
	forget(fd);
}

int main(void)
{
	tab = ns_fdtab_new();
	tap_config(&cfg, &env,
		   (const char *const[]){ "NETSHIM_TRACE=stderr", NULL });
	pair();
	accepts();
	sockopts();
	lifetime();
	return tap_done();
}
