#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# NETSHIM_FAMILY and NETSHIM_PREFER on real sockets and real clients (the dual-stack story, getaddrinfo, gethostbyname), their bad values, and all four policies bad at once.

load common

bats_require_minimum_version 1.5.0

setup_file() {
	srv_setup_file
}

setup() {
	srv_setup
	DNS=$NS_TESTBIN/pol_dns
}

teardown() {
	srv_teardown
}

# ---------------------------------------------------------------------------
# The dual-stack story: dual.test is ::1 and 127.0.0.1, with a different
# server on each, same port. /etc/hosts (and gai.conf) are replaced only in
# a private mount namespace.

@test "dual.test without a policy: RFC 6724 puts ::1 first, curl and python reach the IPv6 server" {
	need_root
	dual_hosts
	dual_servers
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt c) \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'six proto=6'
	run ev "$T/c.json" getaddrinfo node=dual.test
	assert_output "ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET6:[::1]:$DP,AF_INET:127.0.0.1:$DP policy=null"
	run ev "$T/c.json" connect
	assert_output --regexp "addr=\[::1\]:$DP policy=null"
	refute_output --partial "127.0.0.1"

	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt p) \
		"$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_success
	assert_output 'six proto=6'
	run ev "$T/p.json" getaddrinfo node=dual.test
	assert_output "ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET6:[::1]:$DP,AF_INET:127.0.0.1:$DP policy=null"
	# The hosts file order does not change that.
	run with_hosts "$T/hosts.v4first" -- "$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_output 'six proto=6'
}

@test "dual.test, NETSHIM_FAMILY=ipv4: only AF_INET asked, curl and python reach the IPv4 server" {
	need_root
	dual_hosts
	dual_servers
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv4 $(jt c) \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	# curl tries an AF_INET6 socket first to see whether IPv6 works; denied,
	# it asks for AF_INET addresses itself. glibc's files module gives ::1
	# lines as 127.0.0.1 to AF_INET queries.
	run ev "$T/c.json" socket family=AF_INET6
	assert_output --partial "ret=-1 errno=EAFNOSUPPORT"
	assert_output --partial "policy=family=ipv4: no AF_INET6 socket"
	run ev "$T/c.json" getaddrinfo node=dual.test
	assert_output --regexp "^ret=0 errno=null hints=AF_INET error=null results=AF_INET:127.0.0.1:$DP(,AF_INET:127.0.0.1:$DP)? policy=null\$"
	run ev "$T/c.json" connect
	assert_output --regexp "addr=127.0.0.1:$DP policy=null"
	refute_output --partial "::1"

	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv4 $(jt p) \
		"$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run ev "$T/p.json" getaddrinfo node=dual.test
	assert_output --regexp "^ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET:127.0.0.1:$DP(,AF_INET:127.0.0.1:$DP)? policy=family=ipv4: asked for AF_INET only\$"
	run ev "$T/p.json" connect
	assert_output --regexp "^ret=(0|-1) errno=(null|EINPROGRESS) proto=IPPROTO_TCP addr=127.0.0.1:$DP policy=null\$"
}

@test "dual.test, NETSHIM_PREFER=ipv4: IPv4 first, nothing removed, canonical name on the first entry" {
	need_root
	dual_hosts
	dual_servers
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_PREFER=ipv4 $(jt c) \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run ev "$T/c.json" getaddrinfo node=dual.test
	assert_output --regexp "results=AF_INET:127.0.0.1:$DP,AF_INET6:\[::1\]:$DP policy=prefer=ipv4: IPv4 addresses first\$"

	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_PREFER=ipv4 $(jt p) \
		"$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run ev "$T/p.json" getaddrinfo node=dual.test
	assert_output "ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET:127.0.0.1:$DP,AF_INET6:[::1]:$DP policy=prefer=ipv4: IPv4 addresses first"

	# AI_CANONNAME: the name stays on the first entry, the others have none.
	local code='import socket
for ai in socket.getaddrinfo("dual.test", 80, 0, socket.SOCK_STREAM, 0,
                             socket.AI_CANONNAME):
    print(ai[0].name, ai[4][0], repr(ai[3]))'
	run with_hosts "$T/hosts" -- "$POL_PY" -c "$code"
	assert_output $'AF_INET6 ::1 \'dual.test\'\nAF_INET 127.0.0.1 \'\''
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_PREFER=ipv4 NETSHIM_TRACE=off "$POL_PY" -c "$code"
	assert_output $'AF_INET 127.0.0.1 \'dual.test\'\nAF_INET6 ::1 \'\''
}

@test "dual.test listed 127.0.0.1 first, NETSHIM_FAMILY=ipv6: only IPv6 addresses, the IPv6 server" {
	need_root
	dual_hosts
	dual_servers
	run with_hosts "$T/hosts.v4first" -- env LD_PRELOAD="$NS_PRELOAD" $(jt b) \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_output 'six proto=6'
	run ev "$T/b.json" getaddrinfo node=dual.test
	assert_output --partial "AF_INET:127.0.0.1:$DP"

	run with_hosts "$T/hosts.v4first" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 $(jt c) \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'six proto=6'
	run ev "$T/c.json" getaddrinfo node=dual.test
	assert_output --regexp "results=AF_INET6:\[::1\]:$DP policy=family=ipv6: asked for AF_INET6 only\$"
	run ev "$T/c.json" connect
	refute_output --partial "127.0.0.1"

	run with_hosts "$T/hosts.v4first" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 $(jt p) \
		"$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_success
	assert_output 'six proto=6'
	run ev "$T/p.json" getaddrinfo node=dual.test
	assert_output "ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET6:[::1]:$DP policy=family=ipv6: asked for AF_INET6 only"
	run ev "$T/p.json" connect
	assert_output --regexp "^ret=(0|-1) errno=(null|EINPROGRESS) proto=IPPROTO_TCP addr=\[::1\]:$DP policy=null\$"
	# A name with IPv4 addresses only has none left.
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 curl -sS --max-time 10 "http://v4only.test:$DP/"
	assert_failure 6
}

@test "gai.conf preferring IPv4 is honoured; NETSHIM_PREFER=ipv6 puts ::1 back first" {
	need_root
	[ -e /etc/gai.conf ] || skip "no /etc/gai.conf to stand in for"
	dual_hosts
	dual_servers
	printf 'precedence ::ffff:0:0/96 100\n' >"$T/gai.v4"
	run with_hosts "$T/hosts" "$T/gai.v4" -- env LD_PRELOAD="$NS_PRELOAD" \
		$(jt b) curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run with_hosts "$T/hosts" "$T/gai.v4" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_PREFER=ipv6 $(jt c) \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'six proto=6'
	run ev "$T/c.json" getaddrinfo node=dual.test
	assert_output --regexp "results=AF_INET6:\[::1\]:$DP,AF_INET:127.0.0.1:$DP policy=prefer=ipv6: IPv6 addresses first\$"
	run with_hosts "$T/hosts" "$T/gai.v4" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_PREFER=ipv6 NETSHIM_TRACE=off \
		"$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_output 'six proto=6'
}

# ---------------------------------------------------------------------------
# NETSHIM_FAMILY on its own.

# hidden FAMILY ANSWER ARG...: with $T/hosts, pol_dns ARG... answers ANSWER
# bare and nothing under NETSHIM_FAMILY=FAMILY (gai: EAI_NONAME; ghbn and
# ghbn2: HOST_NOT_FOUND).
hidden() {
	local fam=$1 answer=$2 none='gai=-2 Name or service not known'

	shift 2
	[ "$1" = gai ] || none="$1=fail h_errno=HOST_NOT_FOUND"
	run with_hosts "$T/hosts" -- "$DNS" "$@"
	assert_output "$answer"
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY="$fam" NETSHIM_TRACE=off "$DNS" "$@"
	assert_output "$none"
}

@test "NETSHIM_FAMILY: sockets of the other family fail with EAFNOSUPPORT, AF_UNIX untouched, also untraced" {
	local code='import socket, sys
fam = {"4": socket.AF_INET, "6": socket.AF_INET6}
for f in sys.argv[1:]:
    try:
        socket.socket(fam[f], socket.SOCK_STREAM).close()
        print(f, "ok")
    except OSError as e:
        print(f, "errno", e.errno)
a, b = socket.socketpair()
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print("unix ok")'

	run ns_run NETSHIM_TRACE=off -- "$POL_PY" -c "$code" 4 6
	assert_output $'4 ok\n6 ok\nunix ok'
	run ns_run NETSHIM_FAMILY=ipv4 $(jt t) -- "$POL_PY" -c "$code" 4 6
	assert_output $'4 ok\n6 errno 97\nunix ok'
	run ev "$T/t.json" socket family=AF_INET6
	assert_output "ret=-1 errno=EAFNOSUPPORT protocol=IPPROTO_IP policy=family=ipv4: no AF_INET6 socket"
	run ns_run NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off -- "$POL_PY" -c "$code" 4 6
	assert_output $'4 errno 97\n6 ok\nunix ok'
	# Tracing off: the policy still applies, nothing is written.
	run --separate-stderr ns_run NETSHIM_FAMILY=ipv4 NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$code" 4 6
	assert_output $'4 ok\n6 errno 97\nunix ok'
	[ -z "$stderr" ]
}

# mapped: a python3 program sending to, then connecting to
# ::ffff:127.0.0.1:PORT from AF_INET6 sockets, printing each outcome.
mapped() {
	echo 'import socket, sys
port = int(sys.argv[1])
dst = ("::ffff:127.0.0.1", port)
def tell(what, fn):
    try:
        fn()
        print(what, "ok")
    except OSError as e:
        print(what, "errno", e.errno)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
tell("sendto", lambda: u.sendto(b"x", dst))
tell("sendmsg", lambda: u.sendmsg([b"x"], [], 0, dst))
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
tell("connect", lambda: s.connect(dst))
six = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
tell("connect6", lambda: six.connect(("::1", int(sys.argv[2]))))'
}

@test "NETSHIM_FAMILY=ipv6: a v4-mapped destination fails with ENETUNREACH in connect, sendto, sendmsg (python3, both fronts)" {
	local p4 p6 front

	serve srv4 -- --family 4 --serve 0 --body four
	serve srv6 -- --family 6 --serve 0 --body six
	p4=$(field "$T/srv4.ready" port)
	p6=$(field "$T/srv6.ready" port)
	run "$POL_PY" -c "$(mapped)" "$p4" "$p6"
	assert_output $'sendto ok\nsendmsg ok\nconnect ok\nconnect6 ok'
	[ "$(uname -m)" = x86_64 ] || skip "the seccomp filter knows x86_64 calls only"
	for front in preload seccomp; do
		run timeout 30 "$NS_BUILDDIR/netshim" run --front="$front" -6 --json \
			-o "$T/$front.json" -- "$POL_PY" -c "$(mapped)" "$p4" "$p6"
		assert_output $'sendto errno 101\nsendmsg errno 101\nconnect errno 101\nconnect6 ok'
		run ev "$T/$front.json" connect
		assert_line "ret=-1 errno=ENETUNREACH proto=IPPROTO_TCP addr=[::ffff:127.0.0.1]:$p4 policy=family=ipv6: an IPv4-mapped address is IPv4"
		assert_line "ret=0 errno=null proto=IPPROTO_TCP addr=[::1]:$p6 policy=null"
		run ev "$T/$front.json" sendto
		assert_output "ret=-1 errno=ENETUNREACH proto=IPPROTO_UDP addr=[::ffff:127.0.0.1]:$p4 flags=0 policy=family=ipv6: an IPv4-mapped address is IPv4"
		run ev "$T/$front.json" sendmsg
		assert_output "ret=-1 errno=ENETUNREACH proto=IPPROTO_UDP addr=[::ffff:127.0.0.1]:$p4 flags=0 policy=family=ipv6: an IPv4-mapped address is IPv4"
	done
	# Tracing off: the policy still acts.
	run ns_run NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$(mapped)" "$p4" "$p6"
	assert_output $'sendto errno 101\nsendmsg errno 101\nconnect errno 101\nconnect6 ok'
}

@test "NETSHIM_FAMILY=ipv6: Java's default AF_INET6 socket cannot reach 127.0.0.1 through ::ffff:127.0.0.1" {
	command -v java >/dev/null || skip "java is not installed"
	local p4 jv=$NS_SRCDIR/tests/policy/Mapped.java

	serve srv4 -- --family 4 --serve 0 --body four
	p4=$(field "$T/srv4.ready" port)
	run timeout 60 java "$jv" "$p4"
	assert_output connected
	run timeout 60 env LD_PRELOAD="$NS_PRELOAD" NETSHIM_FAMILY=ipv6 \
		$(jt j) java "$jv" "$p4"
	assert_output "SocketException: Network is unreachable"
	run ev "$T/j.json" connect addr="[::ffff:127.0.0.1]:$p4"
	assert_output "ret=-1 errno=ENETUNREACH proto=IPPROTO_TCP policy=family=ipv6: an IPv4-mapped address is IPv4"
}

@test "NETSHIM_FAMILY: getaddrinfo of the other family fails with EAI_NONAME" {
	need_root
	dual_hosts
	# Numeric addresses.
	run ns_run NETSHIM_TRACE=off -- "$DNS" gai ::1 unspec
	assert_output $'gai=0\nAF_INET6 ::1'
	run ns_run NETSHIM_FAMILY=ipv4 $(jt t) -- "$DNS" gai ::1 unspec
	assert_failure
	assert_output 'gai=-2 Name or service not known'
	run ev "$T/t.json" getaddrinfo
	assert_output "ret=-2 errno=null hints=AF_UNSPEC node=::1 error=EAI_NONAME policy=family=ipv4: no IPv6 addresses"
	run ns_run NETSHIM_FAMILY=ipv4 NETSHIM_TRACE=off -- "$POL_PY" -c '
import socket
try:
    socket.getaddrinfo("::1", 80)
except socket.gaierror as e:
    print("gaierror", e.errno)'
	assert_output 'gaierror -2'
	run ns_run NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off -- "$DNS" gai 127.0.0.1 unspec
	assert_output 'gai=-2 Name or service not known'
	run ns_run NETSHIM_FAMILY=ipv4 NETSHIM_TRACE=off -- "$DNS" gai 127.0.0.1 unspec
	assert_output $'gai=0\nAF_INET 127.0.0.1'
	# Names, asking for the family that is off.
	hidden ipv6 $'gai=0\nAF_INET 127.0.0.1' gai v4only.test inet
	hidden ipv4 $'gai=0\nAF_INET6 ::1' gai dual.test inet6
	# AF_UNSPEC under ipv6: a name with IPv4 addresses only has none.
	hidden ipv6 $'gai=0\nAF_INET 127.0.0.1' gai v4only.test unspec
}

@test "NETSHIM_FAMILY=ipv6: no IPv4 address comes back as ::ffff:a.b.c.d (NULL hints, AI_V4MAPPED)" {
	need_root
	dual_hosts
	local null mapped
	# Bare: NULL hints and AF_UNSPEC|AI_V4MAPPED both give IPv4 addresses
	# as they are (glibc ignores AI_V4MAPPED unless AF_INET6 is asked).
	run with_hosts "$T/hosts" -- "$DNS" gai v4only.test null
	assert_output --partial 'AF_INET 127.0.0.1'
	run with_hosts "$T/hosts" -- "$DNS" gai v4only.test unspec v4mapped
	assert_output $'gai=0\nAF_INET 127.0.0.1'
	# ipv6: a name with IPv4 addresses only has none, whatever the flags.
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" gai v4only.test null
	null=$output
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" gai v4only.test unspec v4mapped
	mapped=$output
	[ "$null" = 'gai=-2 Name or service not known' ]
	[ "$mapped" = 'gai=-2 Name or service not known' ]
}

@test "NETSHIM_FAMILY: gethostbyname2/gethostbyname of the other family fail with HOST_NOT_FOUND" {
	need_root
	dual_hosts
	run with_hosts "$T/hosts" -- "$DNS" ghbn2 dual.test inet6
	assert_output $'ghbn2=ok\nAF_INET6 ::1'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv4 $(jt t) "$DNS" ghbn2 dual.test inet6
	assert_failure
	assert_output 'ghbn2=fail h_errno=HOST_NOT_FOUND'
	run ev "$T/t.json" gethostbyname2
	assert_output "ret=-1 errno=null family=AF_INET6 node=dual.test error=HOST_NOT_FOUND policy=family=ipv4: no IPv6 addresses"
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv4 NETSHIM_TRACE=off "$DNS" ghbn2 v4only.test inet
	assert_output $'ghbn2=ok\nAF_INET 127.0.0.1'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" ghbn2 v4only.test inet
	assert_output 'ghbn2=fail h_errno=HOST_NOT_FOUND'
	hidden ipv6 $'ghbn=ok\nAF_INET 127.0.0.1' ghbn v4only.test
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" ghbn2 dual.test inet6
	assert_output $'ghbn2=ok\nAF_INET6 ::1'
}

# ---------------------------------------------------------------------------
# Bad values: one line each, the default applies.

@test "bad NETSHIM_FAMILY: the documented line, the family stays on" {
	run --separate-stderr ns_run NETSHIM_FAMILY=ipv5 NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$(pysock)" 6:s:0 4:s:0
	assert_success
	assert_output $'6:s:0 6\n4:s:0 6'
	[ "$stderr" = 'netshim: NETSHIM_FAMILY=ipv5 is not one of any, ipv4, ipv6; using any' ]
}

@test "bad NETSHIM_PREFER: the documented line, libc's order stays" {
	run --separate-stderr ns_run NETSHIM_PREFER=IPv4 NETSHIM_TRACE=off -- \
		"$DNS" gai localhost unspec
	local bare
	bare=$("$DNS" gai localhost unspec)
	[ "$output" = "$bare" ]
	[ "$stderr" = 'netshim: NETSHIM_PREFER=IPv4 is not one of none, ipv4, ipv6; using none' ]
}

@test "three bad at once and one empty: one line each, in order" {
	run --separate-stderr ns_run NETSHIM_FAMILY=x NETSHIM_PREFER=y \
		NETSHIM_MPTCP=z NETSHIM_TFO= NETSHIM_TRACE=off -- true
	assert_success
	[ "$stderr" = $'netshim: NETSHIM_FAMILY=x is not one of any, ipv4, ipv6; using any\nnetshim: NETSHIM_PREFER=y is not one of none, ipv4, ipv6; using none\nnetshim: NETSHIM_MPTCP=z is not one of pass, strip, force, fallback; using pass' ]
}
