// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of NETSHIM_FAIL rules (fault_parse.c, fault_rule.c,
 * fault.c), linked with the engine alone: parsing, selectors, counts. */
#include "tap.h"
#include "fault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

static struct ns_config cfg;
static struct tap_env env;

static bool fires(const struct ns_fault_call *c, struct ns_fault_hit *hit)
{
	static struct ns_fault_state st;

	*hit = (struct ns_fault_hit){ 0 };
	return ns_fault_match(&cfg.fault, &st, c, hit) && hit->fail;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(8080) };
	struct ns_fault_call c = { .call = NS_CALL_connect, .family = AF_INET,
				   .protocol = IPPROTO_TCP,
				   .sa = (struct sockaddr *)&a,
				   .salen = sizeof(a), .level = -1,
				   .optname = -1 };
	struct ns_fault_hit hit;

	inet_pton(AF_INET, "10.1.2.3", &a.sin_addr);
	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_FAIL=connect(10.0.0.0/8)=ECONNREFUSED#2", NULL });
	ok(env.warned == 0 && cfg.fault.n == 1 &&
		   ns_fault_wants(&cfg.fault, NS_CALL_connect) &&
		   !ns_fault_wants(&cfg.fault, NS_CALL_bind),
	   "one rule, for connect only");
	ok(fires(&c, &hit) && hit.kind == NS_FAULT_ERRNO &&
		   hit.value == ECONNREFUSED,
	   "10.1.2.3 is in 10.0.0.0/8: ECONNREFUSED");
	is_str(hit.rule, "connect(10.0.0.0/8)=ECONNREFUSED#2",
	       "the event names the rule as written");
	ok(fires(&c, &hit), "#2: a second time");
	ok(!fires(&c, &hit), "#2: not a third");

	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_FAIL=connect(10.0.0.0/8)=ECONNREFUSED", NULL });
	inet_pton(AF_INET, "11.1.2.3", &a.sin_addr);
	ok(!fires(&c, &hit), "11.1.2.3 is not in 10.0.0.0/8");

	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_FAIL=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT",
		NULL });
	c = (struct ns_fault_call){ .call = NS_CALL_setsockopt,
				    .family = AF_INET,
				    .protocol = IPPROTO_MPTCP,
				    .level = IPPROTO_TCP,
				    .optname = TCP_FASTOPEN };
	ok(fires(&c, &hit) && hit.value == ENOPROTOOPT,
	   "TCP_FASTOPEN on MPTCP: ENOPROTOOPT");
	c.protocol = IPPROTO_TCP;
	ok(!fires(&c, &hit), "... not on TCP");

	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_SCENARIO=linux-6.1-mptcp-tfo", NULL });
	ok(env.warned == 0 && cfg.fault.n >= 1 &&
		   ns_fault_wants(&cfg.fault, NS_CALL_setsockopt),
	   "the linux-6.1-mptcp-tfo scenario names setsockopt");
	c.protocol = IPPROTO_MPTCP;
	ok(fires(&c, &hit) && hit.value == ENOPROTOOPT,
	   "... and refuses TCP_FASTOPEN on MPTCP");

	ok(tap_config(&cfg, &env, (const char *const[]){
		   "NETSHIM_FAIL=connect=EWHAT;bind=EADDRINUSE", NULL }) == 1 &&
		   cfg.fault.n == 1 &&
		   ns_fault_wants(&cfg.fault, NS_CALL_bind) &&
		   !ns_fault_wants(&cfg.fault, NS_CALL_connect),
	   "a bad rule: one complaint, the good one kept");
	ok(strstr(env.last, "NETSHIM_FAIL: rule 1") != NULL,
	   "... naming the variable and the rule");
	ok(tap_config(&cfg, &env, (const char *const[]){
		   "NETSHIM_FAIL=shutdown=EIO", NULL }) == 1 &&
		   cfg.fault.n == 0,
	   "no rule may name shutdown (calls.h: rules none)");
	return tap_done();
}
