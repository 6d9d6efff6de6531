// SPDX-License-Identifier: LGPL-2.1-or-later
/* One program built twice by tests/free.bats, on the hosted engine and on
 * the freestanding one (libnsfree.a, its own _start): both must write the
 * same addresses, trace lines and table answers. */
#include "buf.h"
#include "config.h"
#include "epoll_regs.h"
#include "fdtable.h"
#include "format.h"
#include "sink.h"
#include "sys.h"
#ifdef NS_FREESTANDING
#include "free.h"
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

static char **env;

static void out(int fd, const char *s)
{
	ns_sys_write(fd, s, strlen(s));
}

static const char *get(const char *name, void *ctx)
{
	size_t n = strlen(name);

	for (char **e = env; *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static void warn(const char *line, size_t len, void *ctx)
{
	ns_sys_write(2, line, len);
}

/* "TEXT -> CANONICAL" through inet_pton and inet_ntop, or "TEXT -> -". */
static void addr(const char *text)
{
	unsigned char a[16];
	char back[INET6_ADDRSTRLEN];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;

	out(1, text);
	out(1, " -> ");
	if (inet_pton(af, text, a) == 1 &&
	    inet_ntop(af, a, back, sizeof(back)))
		out(1, back);
	else
		out(1, "-");
	out(1, "\n");
}

/* Two events through the sink, at a fixed time: what the blob writes. */
static void events(const struct ns_config *c, const struct ns_config_io *io)
{
	static const struct ns_sock tcp6 = { AF_INET6, SOCK_STREAM, 6 };
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(8080) };
	struct ns_event ev = { .call = NS_CALL_socket, .pid = 42, .tid = 43,
			       .prog = "free_prog", .ret = 5, .fd = -1 };
	struct ns_fdinfo info = { .family = AF_INET6, .type = SOCK_STREAM,
				  .protocol = 6 }, got;
	struct ns_sink s;
	char line[NS_LINE_MAX];
	size_t n;

	ns_sink_open(&s, c, 42, io);
	ev.ts.tv_sec = 1700000000;
	ev.ts.tv_nsec = 123456789;
	ev.u.sock.family = AF_INET6;
	ev.u.sock.type = SOCK_STREAM;
	ev.u.sock.protocol = 0;
	n = ns_format_event(&ev, c->format, line, sizeof(line));
	ns_sink_write(&s, line, n, io);
	inet_pton(AF_INET6, "2001:db8::1", &sa.sin6_addr);
	ns_fd_put(5, &info);
	ev.call = NS_CALL_connect;
	ev.ret = -1;
	ev.err = 111;	/* ECONNREFUSED */
	ev.fd = 5;
	ev.sock = ns_fd_get(5, &got) ? &tcp6 : NULL;
	ev.u.addr.sa = (const struct sockaddr *)&sa;
	ev.u.addr.len = sizeof(sa);
	n = ns_format_event(&ev, c->format, line, sizeof(line));
	ns_sink_write(&s, line, n, io);
	ns_fd_del(5);
	out(1, ns_fd_get(5, &got) ? "fd 5 kept\n" : "fd 5 gone\n");
	ns_sink_close(&s);
}

/* An epoll set watching 80 eventfds and a socket: the set's fdinfo holds
 * over 6 KiB of lines (in the kernel's order, not ours), read a piece at
 * a time; the socket's is found wherever it falls. */
static void epoll_check(void)
{
	struct epoll_event e = { .events = EPOLLIN };
	struct ns_epoll_reg regs[NS_EPOLL_REGS_MAX];
	int ep = (int)ns_syscall(SYS_epoll_create1, EPOLL_CLOEXEC), s, n;
	char line[64];
	struct ns_buf b;

	for (int i = 0; i < 80; i++) {
		int efd = (int)ns_syscall(SYS_eventfd2, 0, 0);

		e.data.u64 = (uint64_t)i;
		ns_syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, &e);
	}
	s = (int)ns_syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	e.events = EPOLLIN | EPOLLET;
	e.data.u64 = 0xfeed;
	ns_syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, s, &e);
	n = ns_epoll_find(0, s, regs, NS_EPOLL_REGS_MAX);
	ns_buf_init(&b, line, sizeof(line) - 1);
	ns_buf_str(&b, "epoll: ");
	ns_buf_u64(&b, (uint64_t)n);
	if (n == 1) {
		ns_buf_str(&b, regs[0].epfd == ep ? " in the set" : " elsewhere");
		/* The kernel adds EPOLLERR and EPOLLHUP (epoll_ctl(2)). */
		ns_buf_str(&b, regs[0].events == (EPOLLIN | EPOLLET | EPOLLERR |
						  EPOLLHUP) &&
				       regs[0].data == 0xfeed
			       ? ", as registered" : ", changed");
	}
	ns_buf_putc(&b, '\n');
	ns_sys_write(1, line, b.len);
}

/* The clock answers (through the vDSO in the freestanding build). */
static void clock_check(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	out(1, rt.tv_sec > 1600000000 && mono.tv_sec + mono.tv_nsec > 0
		       ? "clock ok\n" : "clock wrong\n");
}

static int run(int argc, char **argv)
{
	struct ns_config_io io = { .get = get, .warn = warn };
	struct ns_config c;

	ns_config_parse(&c, &io);
	for (int i = 1; i < argc; i++)
		addr(argv[i]);
	events(&c, &io);
	epoll_check();
	clock_check();
	return 0;
}

#ifdef NS_FREESTANDING
void free_main(unsigned long *sp);

/* The stack the kernel hands a new program: argc, argv, NULL, envp,
 * NULL, auxv (the System V x86_64 ABI, 3.4.1). */
void free_main(unsigned long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **e = argv + argc + 1;

	env = e;
	while (*e)
		e++;
	/* NS_FREE_NO_VDSO: as where the kernel maps none (vdso=0). */
	ns_free_init(get("NS_FREE_NO_VDSO", NULL) ? NULL
		     : (const unsigned long *)(e + 1));
	ns_syscall(SYS_exit_group, run(argc, argv));
	__builtin_unreachable();
}

__asm__(".text\n.globl _start\n_start:\n"
	"	mov %rsp, %rdi\n	and $-16, %rsp\n	call free_main\n	hlt\n");
#else
int main(int argc, char **argv, char **envp)
{
	env = envp;
	return run(argc, argv);
}
#endif
