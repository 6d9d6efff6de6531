// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer target: an event built from the input (any sockaddr bytes and
 * lengths, option values, strings, lookup results) rendered as text and as
 * JSON; both must be one whole line, the JSON one valid JSON that netshim
 * log accepts as an event. */
#include "format.h"
#include "fuzz.h"
#include "../../cli/jsonl.h"

#include <errno.h>
#include <netdb.h>

/* Everything an event points to, freed after each input. */
#define NOWN 512
static void *own[NOWN];
static int nown;

static void *keep(void *p)
{
	if (nown < NOWN)
		own[nown++] = p;
	else
		abort();
	return p;
}

static const int families[] = { AF_INET,    AF_INET6,  AF_UNIX, AF_UNSPEC,
				AF_NETLINK, AF_PACKET, 0x7fff };

/* An address of the length the call claims; the memory holds only what
 * the formatter may read: nothing past what the kernel would. */
static const struct sockaddr *sockaddr(struct fz *f, socklen_t *len)
{
	size_t have;
	uint8_t *m;

	switch (fz_pick(f, 4)) {
	case 0:
		*len = fz_pick(f, 40);
		break;
	case 1:
		*len = fz_u8(f);
		break;
	case 2:
		*len = (socklen_t)fz_int(f);
		break;
	default:
		*len = sizeof(struct sockaddr_in6);
		break;
	}
	have = *len < sizeof(struct sockaddr_storage)
		   ? *len
		   : sizeof(struct sockaddr_storage);
	m = keep(fz_mem(f, have));
	if (have >= sizeof(sa_family_t) && fz_bool(f)) {
		sa_family_t fam = (sa_family_t)families[fz_pick(f, 7)];

		memcpy(m, &fam, sizeof(fam));
	}
	return (const struct sockaddr *)m;
}

static const char *str(struct fz *f)
{
	char *s = fz_str(f, 8192);

	return s ? keep(s) : NULL;
}

static const struct addrinfo *ai_list(struct fz *f)
{
	struct addrinfo *head = NULL, **tail = &head;
	unsigned n = fz_u8(f) % 80;

	for (unsigned i = 0; i < n; i++) {
		struct addrinfo *ai = keep(calloc(1, sizeof(*ai)));

		ai->ai_addr = (struct sockaddr *)sockaddr(f, &ai->ai_addrlen);
		ai->ai_family =
		    ai->ai_addrlen >= sizeof(sa_family_t) && fz_bool(f)
			? ai->ai_addr->sa_family
			: families[fz_pick(f, 7)];
		*tail = ai;
		tail = &ai->ai_next;
	}
	return head;
}

static const struct hostent *hostent(struct fz *f)
{
	struct hostent *he;
	unsigned n = fz_u8(f) % 80;
	char **list;

	if (fz_pick(f, 8) == 0)
		return NULL;
	he = keep(calloc(1, sizeof(*he)));
	he->h_addrtype = families[fz_pick(f, 7)];
	he->h_length = fz_pick(f, 20);
	list = keep(calloc(n + 1, sizeof(*list)));
	for (unsigned i = 0; i < n; i++)
		list[i] = keep(fz_mem(f, (size_t)he->h_length));
	he->h_addr_list = list;
	return he;
}

static void fill(struct fz *f, struct ns_event *ev)
{
	static const struct ns_sock socks[] = {
		{ AF_INET, SOCK_STREAM, IPPROTO_TCP },
		{ AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0 },
		{ AF_UNIX, SOCK_SEQPACKET, 0 },
	};
	static struct ns_sock any;
	static const char *frames[NS_BACKTRACE_MAX];
	static uint8_t optval[NS_OPTVAL_MAX];

	ev->call = (enum ns_call)fz_pick(f, NS_CALL_COUNT);
	ev->ts.tv_sec = (time_t)fz_bits(f, fz_bool(f) ? 8 : 4);
	ev->ts.tv_nsec = (long)(fz_bits(f, 4) % 1000000000);
	ev->dur_ns = fz_bits(f, fz_pick(f, 9));
	ev->pid = fz_int(f);
	ev->tid = fz_int(f);
	/* glibc's program_invocation_short_name: "" when argv is empty. */
	ev->prog = str(f);
	if (!ev->prog)
		ev->prog = "";
	ev->ret = (long)fz_bits(f, fz_pick(f, 9));
	ev->err = fz_bool(f) ? fz_pick(f, 140) : fz_int(f);
	if (fz_bool(f))
		ev->err = 0;
	ev->fd = fz_int(f);
	switch (fz_pick(f, 5)) {
	case 0:
		ev->sock = NULL;
		break;
	case 1:
		any.family = fz_int(f);
		any.type = fz_int(f);
		any.protocol = fz_int(f);
		ev->sock = &any;
		break;
	default:
		ev->sock = &socks[fz_pick(f, 3)];
		break;
	}
	switch (ev->call) {
	case NS_CALL_socket:
	case NS_CALL_socketpair:
		ev->u.sock.family =
		    fz_bool(f) ? families[fz_pick(f, 7)] : fz_int(f);
		ev->u.sock.type = fz_int(f);
		ev->u.sock.protocol = fz_bool(f) ? fz_pick(f, 8) : fz_int(f);
		ev->u.sock.sv[0] = fz_int(f);
		ev->u.sock.sv[1] = fz_int(f);
		break;
	case NS_CALL_connect:
	case NS_CALL_bind:
	case NS_CALL_accept:
	case NS_CALL_accept4:
		ev->u.addr.sa =
		    fz_pick(f, 8) ? sockaddr(f, &ev->u.addr.len) : NULL;
		ev->u.addr.flags = fz_int(f);
		break;
	case NS_CALL_setsockopt:
	case NS_CALL_getsockopt:
		ev->u.opt.level = fz_bool(f) ? fz_pick(f, 8) : fz_int(f);
		ev->u.opt.name = fz_bool(f) ? fz_pick(f, 64) : fz_int(f);
		ev->u.opt.len =
		    fz_bool(f) ? fz_pick(f, 20) : (socklen_t)fz_int(f);
		/* The front copies at most NS_OPTVAL_MAX bytes. */
		ev->u.opt.vlen = fz_pick(f, NS_OPTVAL_MAX + 1);
		for (size_t i = 0; i < ev->u.opt.vlen; i++)
			optval[i] = fz_u8(f);
		ev->u.opt.val = fz_pick(f, 8) ? optval : NULL;
		break;
	case NS_CALL_sendto:
	case NS_CALL_sendmsg:
		ev->u.send.len = fz_bits(f, 8);
		ev->u.send.flags = fz_int(f);
		ev->u.send.sa =
		    fz_bool(f) ? sockaddr(f, &ev->u.send.salen) : NULL;
		break;
	case NS_CALL_getaddrinfo:
	case NS_CALL_freeaddrinfo: {
		struct addrinfo *h = NULL;

		ev->u.gai.node = str(f);
		ev->u.gai.service = str(f);
		if (fz_bool(f)) {
			h = keep(calloc(1, sizeof(*h)));
			h->ai_family =
			    fz_bool(f) ? families[fz_pick(f, 7)] : fz_int(f);
			h->ai_socktype = fz_int(f);
			h->ai_protocol = fz_int(f);
			h->ai_flags = fz_int(f);
		}
		ev->u.gai.hints = h;
		ev->u.gai.res = ai_list(f);
		break;
	}
	case NS_CALL_gethostbyname:
	case NS_CALL_gethostbyname2:
		ev->u.ghbn.name = str(f);
		ev->u.ghbn.family = fz_int(f);
		ev->u.ghbn.he = hostent(f);
		ev->u.ghbn.herr = fz_bool(f) ? fz_pick(f, 6) : fz_int(f);
		break;
	case NS_CALL_getnameinfo:
		ev->u.gni.sa =
		    fz_pick(f, 8) ? sockaddr(f, &ev->u.gni.salen) : NULL;
		ev->u.gni.host = str(f);
		ev->u.gni.serv = str(f);
		ev->u.gni.flags = fz_int(f);
		break;
	default:
		ev->u.fds.a = (long)fz_bits(f, 8);
		ev->u.fds.b = (long)fz_bits(f, 8);
		ev->u.fds.c = (long)fz_bits(f, 8);
		break;
	}
	ev->policy = fz_bool(f) ? str(f) : NULL;
	ev->nbt = fz_pick(f, NS_BACKTRACE_MAX + 1);
	for (int i = 0; i < ev->nbt; i++)
		frames[i] = fz_bool(f) ? str(f) : "main+0x1c";
	for (int i = 0; i < ev->nbt; i++)
		if (!frames[i])
			frames[i] = "?";
	ev->bt = frames;
}

static void check_line(const char *line, size_t n, bool json)
{
	static struct cli_json j;
	static char copy[NS_LINE_MAX + 1], why_buf[128];
	const char *why;

	FZ_ASSERT(n > 0 && n <= NS_LINE_MAX, "%zu bytes", n);
	FZ_ASSERT(line[n - 1] == '\n', "not ended by a newline: %.*s", (int)n,
		  line);
	FZ_ASSERT(memchr(line, '\n', n) == line + n - 1,
		  "more than one line: %.*s", (int)n, line);
	if (!json) {
		/* Text escapes every byte outside printable ASCII. */
		for (size_t i = 0; i + 1 < n; i++)
			FZ_ASSERT((unsigned char)line[i] >= 0x20 &&
				      (unsigned char)line[i] < 0x7f,
				  "raw byte 0x%02x at %zu: %.*s",
				  (unsigned char)line[i], i, (int)n, line);
		return;
	}
	memcpy(copy, line, n - 1);
	FZ_ASSERT(cli_jsonl_event(&j, copy, n - 1, why_buf, sizeof(why_buf),
				 &why) == 0,
		  "not a JSON event (%s): %.*s", why, (int)n, line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct ns_event ev;
	static char line[NS_LINE_MAX];
	size_t n;

	memset(&ev, 0, sizeof(ev));
	fill(&f, &ev);
	n = ns_format_event(&ev, NS_FORMAT_TEXT, line, sizeof(line));
	check_line(line, n, false);
	n = ns_format_event(&ev, NS_FORMAT_JSON, line, sizeof(line));
	check_line(line, n, true);
	while (nown)
		free(own[--nown]);
	return 0;
}
