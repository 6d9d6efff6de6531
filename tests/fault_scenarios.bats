#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# NETSHIM_SCENARIO's stories with real clients and servers, the policies that fix them, contrib/scenarios, and netshim run's --scenario, --fail and --seed.

load common

bats_require_minimum_version 1.5.0

setup_file() {
	srv_setup_file
}

setup() {
	srv_setup
	NETSHIM=$NS_BUILDDIR/netshim
}

teardown() {
	srv_teardown
}

# ---------------------------------------------------------------------------
# The scenarios, with real clients; and the policies that fix them.

@test "ipv6-unreachable: python and curl fall back from ::1 to 127.0.0.1" {
	need_root
	dual_hosts
	dual_servers
	# Without the scenario both reach the IPv6 server first.
	run with_hosts "$T/hosts" -- "$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_output 'six proto=6'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt p) \
		NETSHIM_SCENARIO=ipv6-unreachable \
		"$POL_PY" -c "$(pyget)" "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run ev "$T/p.json" connect
	assert_line --index 0 "ret=-1 errno=ENETUNREACH proto=IPPROTO_TCP addr=[::1]:$DP policy=null injected=connect(ipv6)=ENETUNREACH"
	assert_line --index 1 --regexp "^ret=(0|-1) errno=(null|EINPROGRESS) proto=IPPROTO_TCP addr=127.0.0.1:$DP policy=null\$"
	[ "${#lines[@]}" = 2 ]
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt c) \
		NETSHIM_SCENARIO=ipv6-unreachable \
		curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run ev "$T/c.json" connect
	assert_line --partial "errno=ENETUNREACH proto=IPPROTO_TCP addr=[::1]:$DP policy=null injected=connect(ipv6)=ENETUNREACH"
}

@test "no-ipv6: no AF_INET6 sockets, no IPv6 answers; curl and python use IPv4" {
	need_root
	dual_hosts
	dual_servers
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt p) \
		NETSHIM_SCENARIO=no-ipv6 "$POL_PY" -c 'import socket, sys
print([a[4][0] for a in socket.getaddrinfo("dual.test", 80, type=socket.SOCK_STREAM)])
for fam in (socket.AF_INET6, socket.AF_UNSPEC):
    try:
        print(int(fam), [a[4][0] for a in socket.getaddrinfo("dual.test", 80, fam, socket.SOCK_STREAM)])
    except socket.gaierror as e:
        print(int(fam), "gaierror", e.errno)
try:
    socket.socket(socket.AF_INET6)
except OSError as e:
    print("AF_INET6", e.errno)'
	assert_success
	assert_output "['127.0.0.1']
10 gaierror -2
0 ['127.0.0.1']
AF_INET6 97"
	run ev "$T/p.json" getaddrinfo node=dual.test
	assert_line --index 0 "ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET:127.0.0.1:80 policy=null injected=getaddrinfo(ipv6)=EAI_NONAME"
	assert_line --index 1 "ret=-2 errno=null hints=AF_INET6 error=EAI_NONAME policy=null injected=getaddrinfo(ipv6)=EAI_NONAME"
	# A name without IPv6 addresses (v4only.test) lost nothing: no mark.
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt v) \
		NETSHIM_SCENARIO=no-ipv6 "$POL_PY" -c 'import socket
print([a[4][0] for a in socket.getaddrinfo("v4only.test", 80, type=socket.SOCK_STREAM)])'
	assert_success
	assert_output "['127.0.0.1']"
	run ev "$T/v.json" getaddrinfo node=v4only.test
	assert_output "ret=0 errno=null hints=AF_UNSPEC error=null results=AF_INET:127.0.0.1:80 policy=null"
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt c) \
		NETSHIM_SCENARIO=no-ipv6 curl -sS --max-time 10 "http://dual.test:$DP/"
	assert_success
	assert_output 'four proto=6'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_SCENARIO=no-ipv6 curl -sS --max-time 10 "http://[::1]:$DP/"
	assert_failure 7
}

@test "dns-down: names fail with EAI_AGAIN, numeric addresses still work" {
	need_root
	local p

	p=$(free_port)
	printf '127.0.0.1 down.test\n' >"$T/hosts"
	serve srv -- --port "$p" --serve 2 --body numeric
	run with_hosts "$T/hosts" -- curl -sS --max-time 10 "http://down.test:$p/"
	assert_success
	assert_output 'numeric proto=6'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=dns-down curl -sS --max-time 10 "http://down.test:$p/"
	assert_failure 6
	assert_output --partial 'Could not resolve host: down.test'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=dns-down "$POL_PY" -c "$(pyget)" "http://down.test:$p/"
	assert_failure
	assert_output --partial 'Temporary failure in name resolution'
	run env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off NETSHIM_SCENARIO=dns-down \
		curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	assert_output 'numeric proto=6'
}

@test "mptcp-disabled: an MPTCP listener fails; strip and force both serve" {
	need_mptcp_enabled
	local p

	p=$(free_port)
	run timeout 20 env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=mptcp-disabled \
		"$POL_PY" "$SRV" --proto 262 --port "$p" --ready "$T/r"
	assert_failure
	assert_output --partial '[Errno 92] Protocol not available'
	[ ! -e "$T/r" ]
	serve srv env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=mptcp-disabled NETSHIM_MPTCP=strip -- \
		--proto 262 --port "$p" --body strip
	# mptcp=force makes curl's socket MPTCP; refused, it falls back to TCP
	# as it would on that kernel.
	run env LD_PRELOAD="$NS_PRELOAD" $(jt c) NETSHIM_SCENARIO=mptcp-disabled \
		NETSHIM_MPTCP=force curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	assert_output 'strip proto=6'
	run ev "$T/c.json" socket family=AF_INET
	assert_output "ret=FD errno=null protocol=IPPROTO_TCP policy=mptcp=force: kernel refused IPPROTO_MPTCP (ENOPROTOOPT), made IPPROTO_TCP injected=socket(mptcp)=ENOPROTOOPT"
}

@test "linux-6.1-mptcp-tfo: the MPTCP+TFO listener dies at start with ENOPROTOOPT" {
	need_mptcp_enabled
	local p

	p=$(free_port)
	# This kernel takes the option...
	serve ok -- --proto 262 --reuse --tfo --port "$p"
	kill "$PID_ok"
	# ...the scenario makes it refuse, as Linux 6.1 did.
	run timeout 20 env LD_PRELOAD="$NS_PRELOAD" $(jt t) \
		NETSHIM_SCENARIO=linux-6.1-mptcp-tfo \
		"$POL_PY" "$SRV" --proto 262 --reuse --tfo --port "$p" --ready "$T/r"
	assert_failure 1
	assert_output --partial '[Errno 92] Protocol not available'
	[ ! -e "$T/r" ]
	run ev "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=-1 errno=ENOPROTOOPT proto=IPPROTO_MPTCP value=5 policy=null injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
}

# serve_fixed POLICY_VAR=VALUE BODY PROTO EVENT: the MPTCP+TFO listener under
# the scenario and a fixing policy serves curl and python; its protocol is
# then PROTO, its port the one it bound, and its TCP_FASTOPEN event EVENT.
serve_fixed() {
	local p

	p=$(free_port)
	serve srv env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_SCENARIO=linux-6.1-mptcp-tfo "$1" $(jt t) -- \
		--proto 262 --reuse --tfo --port "$p" --serve 2 --body "$2"
	fetch_both "$p" "^$2 proto=(6|262)\$"
	wait_exit srv
	json_lines "$T/t.json"
	[ "$(field "$T/srv.ready" proto)" = "$3" ]
	[ "$(field "$T/srv.ready" port)" = "$(field "$T/srv.ready" bound_port)" ]
	run ev "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "$4"
}

@test "linux-6.1-mptcp-tfo + NETSHIM_TFO=retry: the MPTCP listener serves, without Fast Open" {
	need_mptcp_enabled
	serve_fixed NETSHIM_TFO=retry retry 262 "ret=0 errno=null proto=IPPROTO_MPTCP value=5 policy=tfo=retry: kernel refused TCP_FASTOPEN (ENOPROTOOPT), went on without it injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
}

@test "linux-6.1-mptcp-tfo + NETSHIM_TFO=drop: the option never reaches the (injected) kernel" {
	need_mptcp_enabled
	serve_fixed NETSHIM_TFO=drop drop 262 "ret=0 errno=null proto=IPPROTO_MPTCP value=5 policy=tfo=drop: not passed to the kernel"
}

@test "linux-6.1-mptcp-tfo + NETSHIM_MPTCP=fallback: replaced by TCP in place, serves" {
	need_mptcp_enabled
	serve_fixed NETSHIM_MPTCP=fallback fallback 6 "ret=0 errno=null proto=IPPROTO_TCP value=5 policy=mptcp=fallback: kernel refused TCP_FASTOPEN on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
}

@test "linux-6.1-mptcp-tfo + NETSHIM_MPTCP=fallback: a listener in an epoll set, TCP_FASTOPEN after listen, replaced in place" {
	need_mptcp_enabled
	local p

	p=$(free_port)
	# Without the policy the option fails on the listening socket.
	serve bare env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=linux-6.1-mptcp-tfo -- \
		--proto 262 --reuse --late-tfo --port "$p" --serve 1 --body bare
	[ "$(field "$T/bare.ready" late_tfo)" = "errno 92" ]
	[ "$(field "$T/bare.ready" late_proto)" = 262 ]
	kill "$PID_bare"

	p=$(free_port)
	serve srv env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=fallback \
		NETSHIM_SCENARIO=linux-6.1-mptcp-tfo $(jt t) -- \
		--proto 262 --reuse --late-tfo --port "$p" --serve 2 --body late
	# The same number, address and options, a TCP listener now...
	[ "$(field "$T/srv.ready" late_tfo)" = ok ]
	[ "$(field "$T/srv.ready" late_proto)" = 6 ]
	[ "$(field "$T/srv.ready" late_fd)" = "$(field "$T/srv.ready" fd)" ]
	[ "$(field "$T/srv.ready" late_port)" = "$p" ]
	[ "$(field "$T/srv.ready" late_reuseaddr)" = 1 ]
	# ...SO_REUSEPORT back as the program had it, the backlog kept
	# (ss shows a listener's backlog as its Send-Q)...
	[ "$(field "$T/srv.ready" late_reuseport)" = 0 ]
	run ss -Hltn "sport = :$p"
	assert_output --regexp "^LISTEN +0 +16 +127.0.0.1:$p "
	# ...and the epoll set still says when a connection waits.
	fetch_both "$p" "^late proto=6\$"
	wait_exit srv
	run ev "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=0 errno=null proto=IPPROTO_TCP value=5 policy=mptcp=fallback: kernel refused TCP_FASTOPEN on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
}

# gotfo: Go's own net code (tests/helpers/gotfo.go), built with Go 1.23,
# static and with cgo; netshim run puts both under the seccomp front, as
# Go makes its socket calls without libc.
gotfo_build() {
	local go=/usr/lib/go-1.23/bin/go

	[ -x "$go" ] || return 0
	[ -x "$BATS_FILE_TMPDIR/go/gotfo-static" ] && return 0
	go_build gotfo-static "$NS_SRCDIR/tests/helpers/gotfo.go" \
		CGO_ENABLED=0 PATH="${go%/go}:$PATH"
	go_build gotfo-cgo "$NS_SRCDIR/tests/helpers/gotfo.go" \
		CGO_ENABLED=1 PATH="${go%/go}:$PATH"
}

@test "linux-6.1-mptcp-tfo + --mptcp=fallback: Go's SetMultipathTCP listener gets TCP_FASTOPEN after Listen, static and cgo" {
	need_mptcp_enabled
	[ -x /usr/lib/go-1.23/bin/go ] || skip "no Go 1.23 (golang-1.23-go)"
	[ "$(uname -m)" = x86_64 ] || skip "the seccomp filter knows x86_64 calls only"
	local b

	gotfo_build
	for b in static cgo; do
		need_go "$BATS_FILE_TMPDIR/go/gotfo-$b"
		run timeout 60 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo \
			-o off -- "$BATS_FILE_TMPDIR/go/gotfo-$b" fresh
		assert_success
		assert_output $'listen protocol 262\ntfo: protocol not available\nprotocol 262\necho hello'
		run timeout 60 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo \
			--mptcp=fallback --json -o "$T/$b.json" -- \
			"$BATS_FILE_TMPDIR/go/gotfo-$b" fresh
		assert_success
		# Go's netpoller still hears of the connection.
		assert_output $'listen protocol 262\ntfo ok\nprotocol 6\necho hello'
		run ev "$T/$b.json" setsockopt option=TCP_FASTOPEN
		assert_output "ret=0 errno=null proto=IPPROTO_TCP value=5 policy=mptcp=fallback: kernel refused TCP_FASTOPEN on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
	done
}

@test "linux-6.1-mptcp-tfo + --mptcp=fallback: a Go listener that accepted already is kept, and the note says what to use" {
	need_mptcp_enabled
	[ -x /usr/lib/go-1.23/bin/go ] || skip "no Go 1.23 (golang-1.23-go)"
	[ "$(uname -m)" = x86_64 ] || skip "the seccomp filter knows x86_64 calls only"
	local b

	gotfo_build
	for b in static cgo; do
		need_go "$BATS_FILE_TMPDIR/go/gotfo-$b"
		run timeout 60 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo \
			--mptcp=fallback --json -o "$T/$b.json" -- \
			"$BATS_FILE_TMPDIR/go/gotfo-$b" served
		assert_success
		assert_output $'listen protocol 262\necho first\ntfo: protocol not available\nprotocol 262\necho hello'
		run ev "$T/$b.json" setsockopt option=TCP_FASTOPEN
		assert_output "ret=-1 errno=ENOPROTOOPT proto=IPPROTO_MPTCP value=5 policy=mptcp=fallback: kernel refused TCP_FASTOPEN on MPTCP (ENOPROTOOPT); a listener that accepted connections is kept: use mptcp=strip or tfo=retry injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
	done
}

@test "linux-6.1-mptcp-tfo + NETSHIM_MPTCP=strip: a TCP listener, the rule has nothing to refuse" {
	need_mptcp_enabled
	serve_fixed NETSHIM_MPTCP=strip strip 6 "ret=0 errno=null proto=IPPROTO_TCP value=5 policy=null"
}

@test "gethostbyname and gethostbyname2: dns-down says TRY_AGAIN, no-ipv6 has no IPv6 answers" {
	need_root
	local dns=$NS_TESTBIN/pol_dns

	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$T/hosts"
	# dual.test resolves in both families here...
	run with_hosts "$T/hosts" -- "$dns" ghbn2 dual.test inet6
	assert_success
	assert_output $'ghbn2=ok\nAF_INET6 ::1'
	# ...not without IPv6; IPv4 answers are left alone.
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt t) \
		NETSHIM_SCENARIO=no-ipv6 "$dns" ghbn2 dual.test inet6
	assert_failure 1
	assert_output 'ghbn2=fail h_errno=HOST_NOT_FOUND'
	run ev "$T/t.json" gethostbyname2
	assert_output "ret=-1 errno=null family=AF_INET6 node=dual.test error=HOST_NOT_FOUND policy=null injected=gethostbyname2(ipv6)=HOST_NOT_FOUND"
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=no-ipv6 "$dns" ghbn2 dual.test inet
	assert_success
	# glibc's files module gives the ::1 line as 127.0.0.1 too.
	assert_line --index 0 ghbn2=ok
	assert_line --index 1 'AF_INET 127.0.0.1'
	refute_output --partial AF_INET6
	# DNS down: names fail with TRY_AGAIN, numeric addresses do not.
	for args in "ghbn dual.test" "ghbn2 dual.test inet"; do
		run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
			NETSHIM_TRACE=off NETSHIM_SCENARIO=dns-down "$dns" $args
		assert_failure 1
		assert_output --regexp '^ghbn2?=fail h_errno=TRY_AGAIN$'
	done
	run env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off NETSHIM_SCENARIO=dns-down \
		"$dns" ghbn 127.0.0.1
	assert_success
	# A host selector and an h_errno action of one's own.
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL='gethostbyname(DUAL.test)=NO_RECOVERY' "$dns" ghbn dual.test
	assert_output 'ghbn=fail h_errno=NO_RECOVERY'
}

# ---------------------------------------------------------------------------
# contrib/scenarios: each story as a script a user runs.

@test "contrib/scenarios: each story reproduces its failure and its fix" {
	need_root
	need_mptcp_enabled
	local f

	for f in linux-6.1-mptcp-tfo mptcp-disabled no-ipv6 ipv6-unreachable \
		dns-down flaky-connect; do
		run env NETSHIM="$NETSHIM" timeout 60 \
			"$NS_SRCDIR/contrib/scenarios/$f"
		assert_success
		assert_line "$f: reproduced, and fixed"
		assert_output --partial 'injected: '
	done
	# Every story is listed in contrib/README.md.
	for f in "$NS_SRCDIR"/contrib/scenarios/*; do
		[ "${f##*/}" = lib.sh ] && continue
		grep -q "scenarios/${f##*/}\`" "$NS_SRCDIR/contrib/README.md"
	done
}

# ---------------------------------------------------------------------------
# netshim run --fail, --scenario, --seed, --list-scenarios.

@test "netshim run --list-scenarios: each scenario, what it does and its rules" {
	run "$NETSHIM" run --list-scenarios
	assert_success
	assert_line --regexp '^linux-6.1-mptcp-tfo +TCP Fast Open options on MPTCP sockets fail with ENOPROTOOPT'
	assert_line --regexp '^mptcp-disabled +IPPROTO_MPTCP sockets fail with ENOPROTOOPT'
	assert_line --regexp '^no-ipv6 +AF_INET6 sockets fail with EAFNOSUPPORT and lookups return no IPv6 addresses'
	assert_line --regexp '^ipv6-unreachable +connects and sends to IPv6 addresses fail with ENETUNREACH'
	assert_line --regexp '^dns-down +name lookups fail with EAI_AGAIN'
	assert_line --regexp '^ +socket\(mptcp\)=ENOPROTOOPT$'
	[ "${#lines[@]}" = 10 ]
}

@test "netshim run --fail and --scenario: checked before the program starts, exit 2" {
	run --separate-stderr "$NETSHIM" run --fail='connect(ipv6)=ENETUNREACH@x' -- touch "$T/started"
	assert_failure 2
	assert_equal "$stderr" "netshim run: --fail: rule 1 \"connect(ipv6)=ENETUNREACH@x\" at column 26 (\"@x\"): expected a percentage from 0 to 100, then '%'
Try 'netshim run --help' for more information."
	[ ! -e "$T/started" ]
	run --separate-stderr "$NETSHIM" run --scenario=dns-down,nope -- touch "$T/started"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "netshim run: --scenario=dns-down,nope names a scenario netshim does not know (see netshim run --list-scenarios)"
	run --separate-stderr "$NETSHIM" run --seed=-1 -- touch "$T/started"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "netshim run: --seed=-1 is not a number from 0 to 18446744073709551615"
	[ ! -e "$T/started" ]
}

@test "netshim run --scenario and --fail act on the program" {
	run "$NETSHIM" run -o off --scenario=dns-down -- "$POL_PY" -c 'import socket
try:
    socket.getaddrinfo("localhost", 80)
except socket.gaierror as e:
    print(e.errno)'
	assert_success
	assert_output -3
	run "$NETSHIM" run -o off --fail='socket(ipv6)=EAFNOSUPPORT' --scenario=mptcp-disabled -- "$POL_PY" -c 'import socket
for f, p in ((10, 0), (2, 262), (2, 6)):
    try:
        socket.socket(f, 1, p).close(); print("ok")
    except OSError as e:
        print(e.errno)'
	assert_success
	assert_output $'97\n92\nok'
}

@test "netshim run --fail with percentages: one seed for the run, shown, and --seed replays it" {
	local code='import socket
out = ""
for i in range(64):
    try:
        socket.getaddrinfo("localhost", 80, socket.AF_INET)
        out += "."
    except socket.gaierror:
        out += "x"
print(out)'

	run --separate-stderr "$NETSHIM" run -o off --fail='getaddrinfo=EAI_AGAIN@50%' -- "$POL_PY" -c "$code"
	assert_success
	[[ $stderr =~ ^netshim\ run:\ drawing\ percentages\ with\ --seed=([0-9]+)$ ]]
	local seed=${BASH_REMATCH[1]} a=$output
	[[ $a == *x* && $a == *.* ]]
	run --separate-stderr "$NETSHIM" run -o off --seed="$seed" --fail='getaddrinfo=EAI_AGAIN@50%' -- "$POL_PY" -c "$code"
	assert_equal "$output" "$a"
	assert_equal "$stderr" ""
}
