// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names of families, socket types, protocols, option levels and options,
 * and the flag sets socket calls take. */
#include "names.h"
#include "compiler.h"
#include "sys.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

/* Older headers lack the MPTCP numbers (linux/mptcp.h, linux/socket.h). */
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif

#define S(x) { x, #x }
#define TAB(name, arr) const struct ns_symtab name = { arr, NS_ARRAY_SIZE(arr) }
#define FTAB(name, arr) \
	const struct ns_flagtab name = { arr, NS_ARRAY_SIZE(arr) }

const char *ns_sym_name(const struct ns_symtab *t, int value)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->sym[i].value == value)
			return t->sym[i].name;
	return NULL;
}

bool ns_sym_value(const struct ns_symtab *t, const char *name, int *value)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->sym[i].name, name) == 0) {
			*value = t->sym[i].value;
			return true;
		}
	}
	return false;
}

static const struct ns_sym families[] = {
	S(AF_UNSPEC), S(AF_UNIX), S(AF_INET), S(AF_INET6), S(AF_NETLINK),
	S(AF_PACKET), S(AF_AX25), S(AF_IPX), S(AF_APPLETALK), S(AF_X25),
	S(AF_KEY), S(AF_BLUETOOTH), S(AF_CAN), S(AF_TIPC), S(AF_ALG),
	S(AF_VSOCK), S(AF_RDS), S(AF_LLC), S(AF_IB), S(AF_MPLS), S(AF_KCM),
	S(AF_QIPCRTR), S(AF_SMC), S(AF_XDP),
#ifdef AF_MCTP
	S(AF_MCTP),
#endif
};
TAB(ns_families, families);

static const struct ns_sym socktypes[] = {
	S(SOCK_STREAM), S(SOCK_DGRAM), S(SOCK_RAW), S(SOCK_RDM),
	S(SOCK_SEQPACKET), S(SOCK_DCCP), S(SOCK_PACKET),
};
TAB(ns_socktypes, socktypes);

static const struct ns_flag sock_flags[] = {
	{ SOCK_NONBLOCK, "SOCK_NONBLOCK" }, { SOCK_CLOEXEC, "SOCK_CLOEXEC" },
};
FTAB(ns_sock_flags, sock_flags);

static const struct ns_sym inet_protocols[] = {
	S(IPPROTO_IP), S(IPPROTO_ICMP), S(IPPROTO_IGMP), S(IPPROTO_TCP),
	S(IPPROTO_UDP), S(IPPROTO_IPV6), S(IPPROTO_GRE), S(IPPROTO_ESP),
	S(IPPROTO_AH), S(IPPROTO_ICMPV6), S(IPPROTO_SCTP), S(IPPROTO_UDPLITE),
	S(IPPROTO_RAW), S(IPPROTO_MPTCP),
};
static const struct ns_symtab inet_protos = {
	inet_protocols, NS_ARRAY_SIZE(inet_protocols)
};

static const struct ns_sym netlink_protocols[] = {
	S(NETLINK_ROUTE), S(NETLINK_USERSOCK), S(NETLINK_FIREWALL),
	S(NETLINK_SOCK_DIAG), S(NETLINK_NFLOG), S(NETLINK_XFRM),
	S(NETLINK_SELINUX), S(NETLINK_ISCSI), S(NETLINK_AUDIT),
	S(NETLINK_FIB_LOOKUP), S(NETLINK_CONNECTOR), S(NETLINK_NETFILTER),
	S(NETLINK_IP6_FW), S(NETLINK_DNRTMSG), S(NETLINK_KOBJECT_UEVENT),
	S(NETLINK_GENERIC), S(NETLINK_SCSITRANSPORT), S(NETLINK_ECRYPTFS),
	S(NETLINK_RDMA), S(NETLINK_CRYPTO),
};
static const struct ns_symtab netlink_protos = {
	netlink_protocols, NS_ARRAY_SIZE(netlink_protocols)
};

/* Protocol numbers only mean something within a family. */
const char *ns_name_protocol(int family, int protocol)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		return ns_sym_name(&inet_protos, protocol);
	case AF_NETLINK:
		return ns_sym_name(&netlink_protos, protocol);
	default:
		return NULL;
	}
}

int ns_effective_protocol(int family, int type, int protocol)
{
	if (protocol || (family != AF_INET && family != AF_INET6))
		return protocol;
	switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
	case SOCK_STREAM:
		return IPPROTO_TCP;
	case SOCK_DGRAM:
		return IPPROTO_UDP;
	default:
		return protocol;
	}
}

static const struct ns_sym levels[] = {
	S(SOL_SOCKET), S(IPPROTO_IP), S(IPPROTO_TCP), S(IPPROTO_UDP),
	S(IPPROTO_IPV6), S(IPPROTO_ICMPV6), S(IPPROTO_SCTP), S(IPPROTO_UDPLITE),
	S(IPPROTO_RAW), S(SOL_PACKET), S(SOL_NETLINK), S(SOL_ALG), S(SOL_TLS),
	S(SOL_XDP), S(SOL_MPTCP),
};
TAB(ns_levels, levels);

static const struct ns_sym so_opts[] = {
	S(SO_DEBUG), S(SO_REUSEADDR), S(SO_TYPE), S(SO_ERROR),
	S(SO_DONTROUTE), S(SO_BROADCAST), S(SO_SNDBUF), S(SO_RCVBUF),
	S(SO_SNDBUFFORCE), S(SO_RCVBUFFORCE), S(SO_KEEPALIVE),
	S(SO_OOBINLINE), S(SO_NO_CHECK), S(SO_PRIORITY), S(SO_LINGER),
	S(SO_BSDCOMPAT), S(SO_REUSEPORT), S(SO_PASSCRED), S(SO_PEERCRED),
	S(SO_RCVLOWAT), S(SO_SNDLOWAT), { SO_RCVTIMEO_OLD, "SO_RCVTIMEO" },
	{ SO_SNDTIMEO_OLD, "SO_SNDTIMEO" }, S(SO_RCVTIMEO_NEW),
	S(SO_SNDTIMEO_NEW), S(SO_BINDTODEVICE), S(SO_ATTACH_FILTER),
	S(SO_DETACH_FILTER), S(SO_PEERNAME),
	{ SO_TIMESTAMP_OLD, "SO_TIMESTAMP" },
	S(SO_ACCEPTCONN), S(SO_PEERSEC), S(SO_PASSSEC), S(SO_MARK),
	S(SO_PROTOCOL), S(SO_DOMAIN), S(SO_RXQ_OVFL), S(SO_WIFI_STATUS),
	S(SO_PEEK_OFF), S(SO_NOFCS), S(SO_LOCK_FILTER), S(SO_SELECT_ERR_QUEUE),
	S(SO_BUSY_POLL), S(SO_MAX_PACING_RATE), S(SO_BPF_EXTENSIONS),
	S(SO_INCOMING_CPU), S(SO_ATTACH_BPF), S(SO_ATTACH_REUSEPORT_CBPF),
	S(SO_ATTACH_REUSEPORT_EBPF), S(SO_CNX_ADVICE), S(SO_MEMINFO),
	S(SO_INCOMING_NAPI_ID), S(SO_COOKIE), S(SO_PEERGROUPS), S(SO_ZEROCOPY),
	S(SO_TXTIME), S(SO_BINDTOIFINDEX),
	{ SO_TIMESTAMPNS_OLD, "SO_TIMESTAMPNS" },
	{ SO_TIMESTAMPING_OLD, "SO_TIMESTAMPING" },
};
static const struct ns_symtab so_tab = { so_opts, NS_ARRAY_SIZE(so_opts) };

static const struct ns_sym tcp_opts[] = {
	S(TCP_NODELAY), S(TCP_MAXSEG), S(TCP_CORK), S(TCP_KEEPIDLE),
	S(TCP_KEEPINTVL), S(TCP_KEEPCNT), S(TCP_SYNCNT), S(TCP_LINGER2),
	S(TCP_DEFER_ACCEPT), S(TCP_WINDOW_CLAMP), S(TCP_INFO), S(TCP_QUICKACK),
	S(TCP_CONGESTION), S(TCP_MD5SIG), S(TCP_THIN_LINEAR_TIMEOUTS),
	S(TCP_THIN_DUPACK), S(TCP_USER_TIMEOUT), S(TCP_REPAIR),
	S(TCP_REPAIR_QUEUE), S(TCP_QUEUE_SEQ), S(TCP_REPAIR_OPTIONS),
	S(TCP_FASTOPEN), S(TCP_TIMESTAMP), S(TCP_NOTSENT_LOWAT), S(TCP_CC_INFO),
	S(TCP_SAVE_SYN), S(TCP_SAVED_SYN), S(TCP_REPAIR_WINDOW),
	S(TCP_FASTOPEN_CONNECT), S(TCP_ULP), S(TCP_MD5SIG_EXT),
	S(TCP_FASTOPEN_KEY), S(TCP_FASTOPEN_NO_COOKIE), S(TCP_ZEROCOPY_RECEIVE),
	S(TCP_INQ), S(TCP_TX_DELAY),
};
static const struct ns_symtab tcp_tab = { tcp_opts, NS_ARRAY_SIZE(tcp_opts) };

static const struct ns_sym ip_opts[] = {
	S(IP_TOS), S(IP_TTL), S(IP_HDRINCL), S(IP_OPTIONS), S(IP_RECVOPTS),
	S(IP_RETOPTS), S(IP_PKTINFO), S(IP_MTU_DISCOVER), S(IP_RECVERR),
	S(IP_RECVTTL), S(IP_RECVTOS), S(IP_MTU), S(IP_FREEBIND),
	S(IP_PASSSEC), S(IP_TRANSPARENT), S(IP_RECVORIGDSTADDR),
	S(IP_MINTTL), S(IP_NODEFRAG), S(IP_BIND_ADDRESS_NO_PORT),
	S(IP_MULTICAST_IF), S(IP_MULTICAST_TTL), S(IP_MULTICAST_LOOP),
	S(IP_ADD_MEMBERSHIP), S(IP_DROP_MEMBERSHIP), S(IP_MULTICAST_ALL),
};
static const struct ns_symtab ip_tab = { ip_opts, NS_ARRAY_SIZE(ip_opts) };

static const struct ns_sym ipv6_opts[] = {
	S(IPV6_ADDRFORM), S(IPV6_2292PKTINFO), S(IPV6_UNICAST_HOPS),
	S(IPV6_MULTICAST_IF), S(IPV6_MULTICAST_HOPS), S(IPV6_MULTICAST_LOOP),
	S(IPV6_JOIN_GROUP), S(IPV6_LEAVE_GROUP), S(IPV6_ROUTER_ALERT),
	S(IPV6_MTU_DISCOVER), S(IPV6_MTU), S(IPV6_RECVERR), S(IPV6_V6ONLY),
	S(IPV6_RECVPKTINFO), S(IPV6_PKTINFO), S(IPV6_RECVHOPLIMIT),
	S(IPV6_HOPLIMIT), S(IPV6_RECVTCLASS), S(IPV6_TCLASS),
	S(IPV6_ADDR_PREFERENCES), S(IPV6_MINHOPCOUNT),
	S(IPV6_RECVORIGDSTADDR), S(IPV6_TRANSPARENT), S(IPV6_FREEBIND),
	S(IPV6_DONTFRAG),
};
static const struct ns_symtab ipv6_tab = {
	ipv6_opts, NS_ARRAY_SIZE(ipv6_opts)
};

static const struct ns_sym udp_opts[] = {
	S(UDP_CORK), S(UDP_ENCAP), S(UDP_NO_CHECK6_TX), S(UDP_NO_CHECK6_RX),
	S(UDP_SEGMENT), S(UDP_GRO),
};
static const struct ns_symtab udp_tab = { udp_opts, NS_ARRAY_SIZE(udp_opts) };

/* linux/mptcp.h; spelled out so old headers build. */
static const struct ns_sym mptcp_opts[] = {
	{ 1, "MPTCP_INFO" }, { 2, "MPTCP_TCPINFO" },
	{ 3, "MPTCP_SUBFLOW_ADDRS" }, { 4, "MPTCP_FULL_INFO" },
};
static const struct ns_symtab mptcp_tab = {
	mptcp_opts, NS_ARRAY_SIZE(mptcp_opts)
};

const char *ns_name_sockopt(int level, int optname)
{
	switch (level) {
	case SOL_SOCKET:
		return ns_sym_name(&so_tab, optname);
	case IPPROTO_TCP:
		return ns_sym_name(&tcp_tab, optname);
	case IPPROTO_IP:
		return ns_sym_name(&ip_tab, optname);
	case IPPROTO_IPV6:
		return ns_sym_name(&ipv6_tab, optname);
	case IPPROTO_UDP:
		return ns_sym_name(&udp_tab, optname);
	case SOL_MPTCP:
		return ns_sym_name(&mptcp_tab, optname);
	default:
		return NULL;
	}
}

bool ns_sockopt_value(const char *name, int *level, int *optname)
{
	static const struct {
		int level;
		const struct ns_symtab *tab;
	} all[] = {
		{ SOL_SOCKET, &so_tab }, { IPPROTO_TCP, &tcp_tab },
		{ IPPROTO_IP, &ip_tab }, { IPPROTO_IPV6, &ipv6_tab },
		{ IPPROTO_UDP, &udp_tab }, { SOL_MPTCP, &mptcp_tab },
	};

	for (size_t i = 0; i < NS_ARRAY_SIZE(all); i++) {
		if (ns_sym_value(all[i].tab, name, optname)) {
			*level = all[i].level;
			return true;
		}
	}
	return false;
}

bool ns_sockopt_is_string(int level, int optname)
{
	return (level == IPPROTO_TCP &&
		(optname == TCP_CONGESTION || optname == TCP_ULP)) ||
	       (level == SOL_SOCKET && optname == SO_BINDTODEVICE);
}

size_t ns_sockopt_read_len(int level, int optname, size_t optlen)
{
	size_t need = sizeof(int);

	/* IFNAMSIZ - 1 and TCP_CA_NAME_MAX - 1 bytes at most. */
	if (ns_sockopt_is_string(level, optname))
		return optlen < 15 ? optlen : 15;
	if (level == SOL_SOCKET && optname == SO_LINGER)
		need = sizeof(struct linger);
	else if (level == SOL_SOCKET &&
		 (optname == SO_RCVTIMEO_OLD || optname == SO_SNDTIMEO_OLD ||
		  optname == SO_RCVTIMEO_NEW || optname == SO_SNDTIMEO_NEW))
		need = 16;	/* struct timeval, __kernel_sock_timeval */
	return optlen == need ? need : 0;
}

static const struct ns_sym shutdown_how[] = {
	S(SHUT_RD), S(SHUT_WR), S(SHUT_RDWR),
};
TAB(ns_shutdown_how, shutdown_how);

static const struct ns_sym fcntl_cmds[] = {
	S(F_DUPFD), S(F_DUPFD_CLOEXEC),
};
TAB(ns_fcntl_cmds, fcntl_cmds);

#define F(x) { x, #x }
static const struct ns_flag msg_flags[] = {
	F(MSG_OOB), F(MSG_PEEK), F(MSG_DONTROUTE), F(MSG_CTRUNC), F(MSG_PROXY),
	F(MSG_TRUNC), F(MSG_DONTWAIT), F(MSG_EOR), F(MSG_WAITALL), F(MSG_FIN),
	F(MSG_SYN), F(MSG_CONFIRM), F(MSG_RST), F(MSG_ERRQUEUE),
	F(MSG_NOSIGNAL), F(MSG_MORE), F(MSG_WAITFORONE), F(MSG_BATCH),
	F(MSG_ZEROCOPY), F(MSG_FASTOPEN), F(MSG_CMSG_CLOEXEC),
};
FTAB(ns_msg_flags, msg_flags);

static const struct ns_flag ai_flags[] = {
	F(AI_PASSIVE), F(AI_CANONNAME), F(AI_NUMERICHOST), F(AI_V4MAPPED),
	F(AI_ALL), F(AI_ADDRCONFIG), F(AI_IDN), F(AI_CANONIDN),
	F(AI_NUMERICSERV),
};
FTAB(ns_ai_flags, ai_flags);

static const struct ns_flag close_range_flags[] = {
	F(CLOSE_RANGE_UNSHARE), F(CLOSE_RANGE_CLOEXEC),
};
FTAB(ns_close_range_flags, close_range_flags);

static const struct ns_flag dup3_flags[] = {
	F(O_CLOEXEC),
};
FTAB(ns_dup3_flags, dup3_flags);

static const struct ns_flag ni_flags[] = {
	F(NI_NUMERICHOST), F(NI_NUMERICSERV), F(NI_NOFQDN), F(NI_NAMEREQD),
	F(NI_DGRAM), F(NI_IDN),
};
FTAB(ns_ni_flags, ni_flags);
