// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the engine's policy planning (policy.c), linked with the
 * engine alone: socket, TFO, destinations, replacement, notes, masks. */
#include "tap.h"
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static struct ns_config cfg;
static struct tap_env env;

static void set(const char *const *vars)
{
	tap_config(&cfg, &env, vars);
}

static void socket_plans(void)
{
	struct ns_socket_plan p;

	set((const char *const[]){ NULL });
	ns_plan_socket(&cfg, AF_INET, SOCK_STREAM, 0, &p);
	ok(p.protocol == 0 && !p.deny && !p.why && !p.tcp_if_refused,
	   "no policy: socket asked as it is");

	set((const char *const[]){ "NETSHIM_FAMILY=ipv4", NULL });
	ns_plan_socket(&cfg, AF_INET6, SOCK_STREAM, 0, &p);
	ok(p.deny == EAFNOSUPPORT, "family=ipv4: AF_INET6 denied");
	is_str(p.why, "family=ipv4: no AF_INET6 socket", "... with its words");
	ns_plan_socket(&cfg, AF_UNIX, SOCK_STREAM, 0, &p);
	ok(!p.deny, "family=ipv4: AF_UNIX untouched");

	set((const char *const[]){ "NETSHIM_MPTCP=strip", NULL });
	ns_plan_socket(&cfg, AF_INET, SOCK_STREAM, IPPROTO_MPTCP, &p);
	ok(p.protocol == IPPROTO_TCP, "mptcp=strip: MPTCP made TCP");
	ns_plan_socket(&cfg, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &p);
	ok(p.protocol == IPPROTO_UDP && !p.why, "mptcp=strip: UDP untouched");

	set((const char *const[]){ "NETSHIM_MPTCP=force", NULL });
	ns_plan_socket(&cfg, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0, &p);
	ok(p.protocol == IPPROTO_MPTCP && p.tcp_if_refused,
	   "mptcp=force: a TCP stream asks MPTCP, TCP if refused");

	set((const char *const[]){ "NETSHIM_MPTCP=fallback", NULL });
	ns_plan_socket(&cfg, AF_INET, SOCK_STREAM, IPPROTO_MPTCP, &p);
	ok(p.protocol == IPPROTO_MPTCP && p.tcp_if_refused && !p.why,
	   "mptcp=fallback: MPTCP asked, TCP if the kernel has none");
	ok(ns_mptcp_refused(ENOPROTOOPT) && !ns_mptcp_refused(EACCES),
	   "ns_mptcp_refused: ENOPROTOOPT is, EACCES is not");
}

static void tfo_plans(void)
{
	struct ns_tfo_plan p;

	set((const char *const[]){ "NETSHIM_TFO=drop", NULL });
	ns_plan_tfo_sockopt(&cfg, IPPROTO_TCP, TCP_FASTOPEN, sizeof(int), &p);
	ok(p.drop && !p.retry, "tfo=drop: TCP_FASTOPEN dropped");
	ns_plan_tfo_sockopt(&cfg, IPPROTO_TCP, TCP_FASTOPEN, 2, &p);
	ok(!p.drop, "tfo=drop: not with a length the kernel refuses");
	ns_plan_tfo_sockopt(&cfg, IPPROTO_TCP, TCP_NODELAY, sizeof(int), &p);
	ok(!p.drop && !p.retry, "tfo=drop: TCP_NODELAY untouched");
	ns_plan_tfo_send(&cfg, MSG_FASTOPEN, &p);
	ok(p.drop, "tfo=drop: MSG_FASTOPEN sent by hand");
	ns_plan_tfo_send(&cfg, 0, &p);
	ok(!p.drop && !p.retry, "tfo=drop: a plain send untouched");

	set((const char *const[]){ "NETSHIM_TFO=retry", NULL });
	ns_plan_tfo_sockopt(&cfg, IPPROTO_TCP, TCP_FASTOPEN_CONNECT,
			    sizeof(int), &p);
	ok(p.retry && !p.drop, "tfo=retry: TCP_FASTOPEN_CONNECT retried");
	ns_plan_tfo_send(&cfg, MSG_FASTOPEN | MSG_DONTWAIT, &p);
	ok(p.retry, "tfo=retry: MSG_FASTOPEN retried");
	ok(ns_tfo_refused(EOPNOTSUPP) && !ns_tfo_refused(ECONNREFUSED),
	   "ns_tfo_refused: EOPNOTSUPP is, ECONNREFUSED is not");

	set((const char *const[]){ NULL });
	ns_plan_tfo_sockopt(&cfg, IPPROTO_TCP, TCP_FASTOPEN, sizeof(int), &p);
	ok(!p.drop && !p.retry, "tfo=pass: nothing planned");
}

static void destinations(void)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const char *why;

	inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
	set((const char *const[]){ "NETSHIM_FAMILY=ipv6", NULL });
	ok(ns_plan_destination(&cfg, (struct sockaddr *)&s6, sizeof(s6),
			       &why) == ENETUNREACH,
	   "family=ipv6: ::ffff:127.0.0.1 is unreachable");
	is_str(why, "family=ipv6: an IPv4-mapped address is IPv4",
	       "... with its words");
	ok(!ns_plan_destination(&cfg, (struct sockaddr *)&s6, 8, &why),
	   "family=ipv6: a short address is the kernel's to judge");
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	ok(!ns_plan_destination(&cfg, (struct sockaddr *)&s6, sizeof(s6),
				&why), "family=ipv6: ::1 goes through");
	ok(!ns_plan_destination(&cfg, (struct sockaddr *)&s4, sizeof(s4),
				&why), "family=ipv6: AF_INET is socket's to deny");
	ok(!ns_plan_destination(&cfg, NULL, 0, &why),
	   "family=ipv6: no destination, nothing to refuse");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
	set((const char *const[]){ "NETSHIM_FAMILY=ipv4", NULL });
	ok(!ns_plan_destination(&cfg, (struct sockaddr *)&s6, sizeof(s6),
				&why), "family=ipv4: a mapped address is IPv4");
	ok(ns_policy_acts_on(&cfg) & NS_CALLBIT(NS_CALL_socket),
	   "family=ipv4: socket is acted on");
	set((const char *const[]){ "NETSHIM_FAMILY=ipv6",
				   "NETSHIM_TRACE=off", NULL });
	ok(ns_policy_acts_on(&cfg) & NS_CALLBIT(NS_CALL_sendmsg),
	   "family=ipv6: sendmsg is acted on, also untraced");
}

static void replacing(void)
{
	struct ns_fdinfo in = { .family = AF_INET, .type = SOCK_STREAM,
				.protocol = IPPROTO_MPTCP };

	set((const char *const[]){ "NETSHIM_MPTCP=fallback", NULL });
	ok(ns_can_replace(&cfg, &in), "fallback: a fresh MPTCP socket");
	in.state = NS_FD_CONNECTED;
	ok(!ns_can_replace(&cfg, &in), "fallback: not once connected");
	in.state = NS_FD_PROBED;
	ok(!ns_can_replace(&cfg, &in), "fallback: not one learnt by probing");
	in.state = 0;
	in.protocol = IPPROTO_TCP;
	ok(!ns_can_replace(&cfg, &in), "fallback: not a TCP socket");
	set((const char *const[]){ "NETSHIM_MPTCP=strip", NULL });
	in.protocol = IPPROTO_MPTCP;
	ok(!ns_can_replace(&cfg, &in), "strip: nothing is replaced");
}

static void notes(void)
{
	char note[40] = "";

	ns_policy_note(note, sizeof(note), "first", 0, NULL);
	is_str(note, "first", "a note");
	ns_policy_note(note, sizeof(note), "second", ENOPROTOOPT, ", then");
	is_str(note, "first; second (ENOPROTOOPT), then",
	       "a second note, its errno and tail");
	ns_policy_note(note, sizeof(note), "a third that does not fit", 0,
		       NULL);
	ok(strlen(note) == sizeof(note) - 1, "cut to fit, still terminated");
}

int main(void)
{
	socket_plans();
	tfo_plans();
	destinations();
	replacing();
	notes();
	return tap_done();
}
