// SPDX-License-Identifier: LGPL-2.1-or-later
/* The named rule sets of NETSHIM_SCENARIO: broken environments told as
 * NETSHIM_FAIL rules. */
#include "fault.h"
#include "compiler.h"

const struct ns_scenario ns_scenarios[] = {
	{
		/* Linux 6.1 has MPTCP but none of the Fast Open options on
		 * MPTCP sockets (6.2 added them): mptcp_setsockopt() answers
		 * an option it does not support with ENOPROTOOPT. */
		"linux-6.1-mptcp-tfo",
		"TCP Fast Open options on MPTCP sockets fail with ENOPROTOOPT, "
		"as on Linux 6.1",
		"setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT;"
		"setsockopt(mptcp,TCP_FASTOPEN_KEY)=ENOPROTOOPT;"
		"setsockopt(mptcp,TCP_FASTOPEN_NO_COOKIE)=ENOPROTOOPT",
	},
	{
		/* net.mptcp.enabled=0: mptcp_init_sock() refuses with
		 * ENOPROTOOPT. */
		"mptcp-disabled",
		"IPPROTO_MPTCP sockets fail with ENOPROTOOPT, as with "
		"net.mptcp.enabled=0",
		"socket(mptcp)=ENOPROTOOPT",
	},
	{
		/* A kernel without IPv6 (ipv6.disable=1): no AF_INET6
		 * sockets, and no AAAA answers are asked for or kept. */
		"no-ipv6",
		"AF_INET6 sockets fail with EAFNOSUPPORT and lookups return "
		"no IPv6 addresses",
		"socket(ipv6)=EAFNOSUPPORT;getaddrinfo(ipv6)=EAI_NONAME;"
		"gethostbyname2(ipv6)=HOST_NOT_FOUND",
	},
	{
		/* IPv6 addresses but no route: the kernel says so at once. */
		"ipv6-unreachable",
		"connects and sends to IPv6 addresses fail with ENETUNREACH",
		"connect(ipv6)=ENETUNREACH;sendto(ipv6)=ENETUNREACH;"
		"sendmsg(ipv6)=ENETUNREACH",
	},
	{
		/* No resolver answers; numeric addresses still work. */
		"dns-down",
		"name lookups fail with EAI_AGAIN (numeric addresses still "
		"resolve)",
		"getaddrinfo=EAI_AGAIN;gethostbyname=TRY_AGAIN;"
		"gethostbyname2=TRY_AGAIN",
	},
};

const unsigned ns_scenario_count = NS_ARRAY_SIZE(ns_scenarios);
