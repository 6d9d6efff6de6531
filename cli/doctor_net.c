// SPDX-License-Identifier: LGPL-2.1-or-later
/* netshim doctor's network checks: loopback, IPv6, routes, gai.conf. */
#include "doctor.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- loopback, IPv6 addresses, default routes ---- */

struct v6addrs {
	int global, ula, linklocal;
	bool loopback;			/* ::1 */
	char global_ex[INET6_ADDRSTRLEN + IF_NAMESIZE + 8];
	char ula_ex[INET6_ADDRSTRLEN + IF_NAMESIZE + 8];
};

static bool hex_bytes(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return false;
		out[i] = (unsigned char)b;
	}
	return true;
}

/* /proc/net/if_inet6: address, ifindex, prefix, scope, flags, name. */
static void read_v6addrs(struct v6addrs *a)
{
	char hex[33], ifname[IF_NAMESIZE + 1], txt[INET6_ADDRSTRLEN];
	unsigned int idx, plen, scope, flags;
	struct in6_addr in6;
	FILE *f = fopen("/proc/net/if_inet6", "re");

	memset(a, 0, sizeof(*a));
	if (!f)
		return;
	while (fscanf(f, "%32s %x %x %x %x %16s", hex, &idx, &plen, &scope,
		      &flags, ifname) == 6) {
		/* An address whose duplicate detection failed is unusable. */
		if (flags & 0x08 || !hex_bytes(hex, in6.s6_addr, 16))
			continue;
		inet_ntop(AF_INET6, &in6, txt, sizeof(txt));
		if (IN6_IS_ADDR_LOOPBACK(&in6)) {
			a->loopback = true;
		} else if (IN6_IS_ADDR_LINKLOCAL(&in6)) {
			a->linklocal++;
		} else if ((in6.s6_addr[0] & 0xfe) == 0xfc) {
			if (!a->ula++)
				snprintf(a->ula_ex, sizeof(a->ula_ex),
					 "%s on %s", txt, ifname);
		} else if (scope == 0) {
			if (!a->global++)
				snprintf(a->global_ex, sizeof(a->global_ex),
					 "%s on %s", txt, ifname);
		}
	}
	fclose(f);
}

static void check_loopback(struct cli_doctor *d, const struct v6addrs *a,
			   bool have_v6)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	r = fd < 0 ? -1 : ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return;
	if (!(ifr.ifr_flags & IFF_UP)) {
		cli_doc_finding(d, CLI_DOC_WARN, "loopback", "lo is down: "
				"connections to 127.0.0.1 and ::1 (localhost) "
				"fail");
		cli_doc_advise(d, "ip link set lo up");
	} else if (have_v6 && !a->loopback) {
		cli_doc_finding(d, CLI_DOC_WARN, "loopback", "lo is up but has "
				"no ::1 (disable_ipv6 on lo?): programs that "
				"bind or dial ::1, which /etc/hosts usually "
				"calls localhost, fail");
		cli_doc_advise(d, "NETSHIM_FAMILY=ipv4 keeps such programs on "
				"127.0.0.1");
	} else {
		cli_doc_finding(d, CLI_DOC_OK, "loopback", "lo is up%s",
				have_v6 ? ", with ::1" : "");
	}
}

/* The interfaces (and "all", "default") with disable_ipv6=1. */
static void disabled_v6(char *out, size_t size)
{
	DIR *dir = opendir("/proc/sys/net/ipv6/conf");
	struct dirent *e;
	size_t n = 0;

	out[0] = '\0';
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char path[PATH_MAX], v[16];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv6/conf/%s/disable_ipv6", e->d_name);
		if (cli_doc_read_line(path, v, sizeof(v)) < 0 || strcmp(v, "1"))
			continue;
		if (n + strlen(e->d_name) + 2 < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s",
					      n ? " " : "", e->d_name);
	}
	closedir(dir);
}

static void check_ipv6(struct cli_doctor *d, const struct v6addrs *a)
{
	char off[256];

	disabled_v6(off, sizeof(off));
	if (a->global)
		cli_doc_finding(d, CLI_DOC_OK, "ipv6", "%d global IPv6 address%s "
				"(%s), %d unique-local, %d link-local",
				a->global, a->global > 1 ? "es" : "",
				a->global_ex, a->ula, a->linklocal);
	else if (a->ula)
		cli_doc_finding(d, CLI_DOC_NOTE, "ipv6", "only unique-local IPv6 "
				"addresses (%s): RFC 6724 sorts global IPv6 "
				"destinations after IPv4 ones, so dual-stack "
				"names are dialled over IPv4", a->ula_ex);
	else
		cli_doc_finding(d, CLI_DOC_NOTE, "ipv6", "no global or "
				"unique-local IPv6 address (%d link-local)",
				a->linklocal);
	if (*off)
		cli_doc_finding(d, CLI_DOC_NOTE, "ipv6", "disable_ipv6=1 on: %s",
				off);
}

struct defroute {
	bool found;
	char via[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
};

/* A default route was found: "via GATEWAY dev IF", or "dev IF" when
 * @gw is NULL (on-link). */
static void set_via(struct defroute *r, int af, const void *gw,
		    const char *ifname)
{
	char txt[INET6_ADDRSTRLEN];

	r->found = true;
	if (gw && inet_ntop(af, gw, txt, sizeof(txt)))
		snprintf(r->via, sizeof(r->via), "via %s dev %s", txt,
			 ifname);
	else
		snprintf(r->via, sizeof(r->via), "dev %s", ifname);
}

/* /proc/net/route: the main table's IPv4 routes, in network byte order. */
static void default_route4(struct defroute *r)
{
	char line[512], ifname[IF_NAMESIZE + 1];
	unsigned int dst, gw, flags, refcnt, use, metric, mask;
	FILE *f = fopen("/proc/net/route", "re");

	memset(r, 0, sizeof(*r));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%16s %x %x %x %u %u %u %x", ifname, &dst, &gw,
			   &flags, &refcnt, &use, &metric, &mask) != 8)
			continue;	/* the header */
		/* RTF_UP, and not a reject route. */
		if (dst || mask || !(flags & 0x1) || flags & 0x200)
			continue;
		set_via(r, AF_INET, gw ? &gw : NULL, ifname);
		break;
	}
	fclose(f);
}

/* /proc/net/ipv6_route: dst, plen, src, plen, next hop, metric, refcnt,
 * use, flags, name. The "unreachable" entries on lo have RTF_REJECT. */
static void default_route6(struct defroute *r)
{
	char dst[33], src[33], nh[33], ifname[IF_NAMESIZE + 1];
	unsigned int dplen, splen, metric, refcnt, use, flags;
	struct in6_addr gw;
	FILE *f = fopen("/proc/net/ipv6_route", "re");

	memset(r, 0, sizeof(*r));
	if (!f)
		return;
	while (fscanf(f, "%32s %x %32s %x %32s %x %x %x %x %16s", dst, &dplen,
		      src, &splen, nh, &metric, &refcnt, &use, &flags,
		      ifname) == 10) {
		if (dplen || strspn(dst, "0") != 32 || !(flags & 0x1) ||
		    flags & 0x200)
			continue;
		set_via(r, AF_INET6,
			flags & 0x2 && hex_bytes(nh, gw.s6_addr, 16) ? &gw
								    : NULL,
			ifname);
		break;
	}
	fclose(f);
}

static void dual_stack_advice(struct cli_doctor *d)
{
	cli_doc_advise(d, "NETSHIM_PREFER=ipv4 puts IPv4 addresses first, "
			"NETSHIM_FAMILY=ipv4 hides IPv6 altogether");
}

static void check_routes(struct cli_doctor *d, const struct v6addrs *a,
			 bool have_v6)
{
	struct defroute r4, r6;

	default_route4(&r4);
	if (r4.found)
		cli_doc_finding(d, CLI_DOC_OK, "route4", "IPv4 default route %s",
				r4.via);
	else
		cli_doc_finding(d, CLI_DOC_NOTE, "route4", "no IPv4 default "
				"route: only the networks on this host's "
				"interfaces are reachable over IPv4");
	if (!have_v6)
		return;
	default_route6(&r6);
	if (!r6.found && a->global) {
		cli_doc_finding(d, CLI_DOC_WARN, "route6", "no IPv6 default "
				"route, yet a global IPv6 address (%s): a "
				"program that dials a name's IPv6 address "
				"first (RFC 6724) gets ENETUNREACH",
				a->global_ex);
		cli_doc_advise(d, "glibc's getaddrinfo sorts unreachable "
				"destinations last; programs that pick IPv6 "
				"themselves still fail");
		dual_stack_advice(d);
	} else if (!r6.found) {
		cli_doc_finding(d, CLI_DOC_NOTE, "route6", "no IPv6 default "
				"route, and no global IPv6 address: names are "
				"dialled over IPv4");
	} else if (a->global) {
		cli_doc_finding(d, CLI_DOC_NOTE, "route6", "IPv6 default route "
				"%s: dual-stack names are dialled IPv6 first "
				"(RFC 6724); if IPv6 is broken beyond the "
				"router, connects hang until a timeout",
				r6.via);
		dual_stack_advice(d);
	} else {
		cli_doc_finding(d, CLI_DOC_OK, "route6", "IPv6 default route %s",
				r6.via);
	}
}

/* ---- /etc/gai.conf ---- */

static void check_gai(struct cli_doctor *d)
{
	FILE *f = fopen("/etc/gai.conf", "re");
	char line[512];
	int lineno = 0, n = 0;

	if (!f) {
		if (errno == ENOENT)
			cli_doc_finding(d, CLI_DOC_OK, "gai.conf", "no "
					"/etc/gai.conf: glibc sorts addresses "
					"by RFC 6724's table, IPv6 first");
		else
			cli_doc_finding(d, CLI_DOC_NOTE, "gai.conf", "cannot "
					"read /etc/gai.conf: %s",
					cli_doc_errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, kw[16], net[128] = "", val[32] = "";
		const char *what;

		lineno++;
		p[strcspn(p, "#\n")] = '\0';
		if (sscanf(p, "%15s %127s %31s", kw, net, val) < 1)
			continue;
		if (!strcmp(kw, "precedence") && !strcmp(net, "::ffff:0:0/96"))
			what = atoi(val) > 40 ? "IPv4 addresses are sorted "
				"before IPv6 ones" : "the precedence of IPv4 "
				"addresses changed";
		else if (!strcmp(kw, "precedence"))
			what = "glibc uses the file's precedence table instead "
			       "of RFC 6724's";
		else if (!strcmp(kw, "label"))
			what = "glibc uses the file's label table instead of "
			       "RFC 6724's";
		else if (!strcmp(kw, "scopev4"))
			what = "IPv4 scopes changed, which RFC 6724 compares";
		else
			continue;
		cli_doc_finding(d, CLI_DOC_NOTE, "gai.conf", "/etc/gai.conf:%d: "
				"%s %s %s: %s", lineno, kw, net, val, what);
		if (!n++)
			cli_doc_advise(d, "glibc programs only: Go's own "
					"resolver ignores gai.conf "
					"(GODEBUG=netdns=cgo makes it use "
					"glibc's)");
	}
	fclose(f);
	if (!n)
		cli_doc_finding(d, CLI_DOC_OK, "gai.conf", "/etc/gai.conf "
				"changes nothing: no precedence, label or "
				"scopev4 line");
}

void cli_doc_check_net(struct cli_doctor *d)
{
	bool have_v6 = access("/proc/sys/net/ipv6", F_OK) == 0;
	struct v6addrs a;

	read_v6addrs(&a);
	check_loopback(d, &a, have_v6);
	if (have_v6) {
		check_ipv6(d, &a);
	} else {
		cli_doc_finding(d, CLI_DOC_NOTE, "ipv6", "no IPv6 in this kernel "
				"(or ipv6.disable=1): socket(AF_INET6) fails "
				"with EAFNOSUPPORT");
		cli_doc_advise(d, "NETSHIM_FAMILY=ipv4 makes lookups return "
				"IPv4 addresses only");
	}
	check_routes(d, &a, have_v6);
	check_gai(d);
}
