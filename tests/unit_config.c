// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of NETSHIM_* parsing (config.c, complain.c) and the call
 * table's groups (calls.h), linked with the engine alone. */
#include "tap.h"
#include "event.h"

static struct ns_config cfg;
static struct tap_env env;

int main(void)
{
	ns_callmask dns = NS_CALLBIT(NS_CALL_getaddrinfo) |
			  NS_CALLBIT(NS_CALL_freeaddrinfo) |
			  NS_CALLBIT(NS_CALL_gethostbyname) |
			  NS_CALLBIT(NS_CALL_gethostbyname2) |
			  NS_CALLBIT(NS_CALL_getnameinfo);
	enum ns_call call;

	ok(tap_config(&cfg, &env, (const char *const[]){ NULL }) == 0 &&
		   cfg.trace == NS_TRACE_STDERR && cfg.format == NS_FORMAT_TEXT &&
		   cfg.events == NS_CALLBIT(NS_CALL_COUNT) - 1,
	   "defaults: stderr, text, every call");
	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_TRACE=off", "NETSHIM_FORMAT=json",
		"NETSHIM_MPTCP=fallback", "NETSHIM_TFO=retry", NULL });
	ok(cfg.trace == NS_TRACE_OFF && cfg.format == NS_FORMAT_JSON &&
		   cfg.mptcp == NS_MPTCP_FALLBACK && cfg.tfo == NS_TFO_RETRY &&
		   env.warned == 0,
	   "values read, no complaint");
	ok(ns_config_has_policy(&cfg), "a policy is a policy");

	tap_config(&cfg, &env, (const char *const[]){ "NETSHIM_EVENTS=dns",
						      NULL });
	ok(cfg.events == dns, "NETSHIM_EVENTS=dns: the lookups (calls.h)");
	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_EVENTS=sockopt,connect", NULL });
	ok(cfg.events == (NS_CALLBIT(NS_CALL_setsockopt) |
			  NS_CALLBIT(NS_CALL_getsockopt) |
			  NS_CALLBIT(NS_CALL_connect)),
	   "NETSHIM_EVENTS=sockopt,connect");
	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_EVENTS=all,!fd", NULL });
	ok(!(cfg.events & NS_CALLBIT(NS_CALL_close)) &&
		   !(cfg.events & NS_CALLBIT(NS_CALL_fcntl)) &&
		   (cfg.events & NS_CALLBIT(NS_CALL_socket)),
	   "NETSHIM_EVENTS=all,!fd: no descriptor calls");
	ok(ns_calls_in_group(NS_GROUP_fd) ==
		   (NS_CALLBIT(NS_CALL_close) | NS_CALLBIT(NS_CALL_close_range) |
		    NS_CALLBIT(NS_CALL_closefrom) | NS_CALLBIT(NS_CALL_dup) |
		    NS_CALLBIT(NS_CALL_dup2) | NS_CALLBIT(NS_CALL_dup3) |
		    NS_CALLBIT(NS_CALL_fcntl)),
	   "the fd group is the seven descriptor calls");

	ok(tap_config(&cfg, &env, (const char *const[]){
		   "NETSHIM_TFO=sometimes", NULL }) == 1 &&
		   cfg.tfo == NS_TFO_PASS,
	   "a bad NETSHIM_TFO: one complaint, the default");
	is_str(env.last,
	       "netshim: NETSHIM_TFO=sometimes is not one of pass, drop, "
	       "retry; using pass\n",
	       "... in the documented words");
	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_EVENTS=connect,nosuch,bind", NULL });
	ok(env.warned == 1 && cfg.events == (NS_CALLBIT(NS_CALL_connect) |
					     NS_CALLBIT(NS_CALL_bind)),
	   "an unknown event name: one complaint, the others kept");
	tap_config(&cfg, &env, (const char *const[]){
		"NETSHIM_TRACE=fd:x", NULL });
	ok(env.warned == 1 && cfg.trace == NS_TRACE_STDERR,
	   "NETSHIM_TRACE=fd:x: one complaint, stderr");

	ok(ns_call_by_name("sendmsg", &call) && call == NS_CALL_sendmsg,
	   "ns_call_by_name finds sendmsg");
	ok(!ns_call_by_name("recvmsg", &call), "... and not recvmsg");
	is_str(ns_call_name(NS_CALL_close_range), "close_range",
	       "ns_call_name");
	return tap_done();
}
