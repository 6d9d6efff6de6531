#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The policies (NETSHIM_FAMILY, PREFER, MPTCP, TFO) on real sockets, real clients.

load common

bats_require_minimum_version 1.5.0

setup_file() {
	# The interpreter itself, not a wrapper script (pyenv shims are bash
	# scripts that would be traced too).
	POL_PY=$(python3 -c 'import sys; print(sys.executable)')
	export POL_PY
}

setup() {
	T=$BATS_TEST_TMPDIR
	SRV=$NS_SRCDIR/tests/policy/server.py
	TR=$NS_SRCDIR/tests/policy/trace.py
	M61=$NS_TESTBIN/pol_mptcp61
	TFOC=$NS_TESTBIN/pol_tfo_client
	DNS=$NS_TESTBIN/pol_dns
	NETNS=
	: >"$T/pids"
}

teardown() {
	local pid i alive

	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$T/pids"
	for i in $(seq 50); do
		alive=0
		while read -r pid; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done <"$T/pids"
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	if [ -n "$NETNS" ]; then
		umount "$NETNS" 2>/dev/null || true
	fi
}

# bg NAME CMD...: CMD in the background (at most 60 s), its output in
# $T/NAME.out and $T/NAME.err; teardown kills it.
bg() {
	local name=$1

	shift
	timeout 60 "$@" >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	echo $! >>"$T/pids"
	printf -v "PID_$name" %s $!
}

# wait_ready FILE NAME: until server NAME wrote its report FILE (10 s).
wait_ready() {
	local i var=PID_$2

	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		kill -0 "${!var}" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$1" ] && return 0
	echo "server $2 never got ready:"
	cat "$T/$2.err"
	return 1
}

# wait_exit NAME: until the background job NAME ended; its status. Servers
# give up after 20 s without a client, timeout(1) kills them after 60.
wait_exit() {
	local var=PID_$1

	wait "${!var}"
}

# field REPORT KEY: one value of a server's report.
field() {
	"$POL_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# ev [--fd] TRACE CALL [KEY=VALUE...]: the matching events, one line each;
# descriptor numbers only with --fd (bats keeps fds 3 and 4 open in run).
ev() {
	"$POL_PY" "$TR" "$@"
}

# jt NAME: the variables for a JSON trace of a run to $T/NAME.json.
jt() {
	echo "NETSHIM_FORMAT=json NETSHIM_TRACE=$T/$1.json"
}

# pyget: a python3 program printing the body at URL argv[1] (urllib).
pyget() {
	echo "import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())"
}

# need_x86_64: pol_mptcp61's seccomp filter knows x86_64 system calls only.
need_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "pol_mptcp61 filters x86_64 system calls only"
}

# ---------------------------------------------------------------------------
# The MPTCP/TFO story: a listener that asks for MPTCP and TCP Fast Open, on a
# kernel that refuses TCP_FASTOPEN on MPTCP sockets (Linux 6.1).

@test "pol_mptcp61 refuses TCP_FASTOPEN on MPTCP sockets only, like Linux 6.1" {
	need_x86_64
	local code='import socket
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 6)
t.setsockopt(6, 23, 5)
print("tcp ok")
m = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
m.setsockopt(6, 23, 5)
print("mptcp ok")'

	# This kernel takes it...
	run timeout 20 "$POL_PY" -c "$code"
	assert_success
	assert_output $'tcp ok\nmptcp ok'
	# ...Linux 6.1 (and the helper) does not.
	run timeout 20 "$M61" "$POL_PY" -c "$code"
	assert_failure 1
	assert_line 'tcp ok'
	assert_line --partial '[Errno 92] Protocol not available'
	refute_line 'mptcp ok'
	# Exit status and signals are the program's.
	run timeout 20 "$M61" sh -c 'exit 7'
	assert_failure 7
	run timeout 20 "$M61" sh -c 'kill -TERM $$'
	assert_failure 143
}

@test "MPTCP+TFO listener on 6.1, no policy: fails at start with ENOPROTOOPT" {
	need_x86_64
	local p

	p=$(free_port)
	run timeout 20 "$M61" env LD_PRELOAD="$NS_PRELOAD" $(jt t) \
		"$POL_PY" "$SRV" --proto 262 --reuse --tfo --port "$p" \
		--ready "$T/r"
	assert_failure 1
	assert_output --partial '[Errno 92] Protocol not available'
	[ ! -e "$T/r" ]
	json_lines "$T/t.json"
	run ev "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=-1 errno=ENOPROTOOPT proto=IPPROTO_MPTCP value=5 policy=null"
}

@test "MPTCP+TFO listener on 6.1, NETSHIM_TFO=retry: listens, serves curl and python" {
	need_x86_64
	local p

	p=$(free_port)
	bg srv "$M61" env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=retry $(jt t) \
		"$POL_PY" "$SRV" --proto 262 --reuse --tfo --port "$p" \
		--serve 2 --body retry --ready "$T/r"
	wait_ready "$T/r" srv
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	assert_output --regexp '^retry proto=(6|262)$'
	run timeout 20 "$POL_PY" -c "$(pyget)" "http://127.0.0.1:$p/"
	assert_success
	assert_output --regexp '^retry proto=(6|262)$'
	wait_exit srv
	# The listener stayed MPTCP; it just has no Fast Open.
	[ "$(field "$T/r" proto)" = 262 ]
	[ "$(field "$T/r" port)" = "$p" ]
	json_lines "$T/t.json"
	run ev --fd "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_MPTCP value=5 policy=tfo=retry: kernel refused TCP_FASTOPEN (ENOPROTOOPT), went on without it"
	run ev --fd "$T/t.json" listen
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_MPTCP policy=null"
}

@test "MPTCP+TFO listener on 6.1, NETSHIM_MPTCP=strip: a TCP listener serves curl" {
	need_x86_64
	local p

	p=$(free_port)
	bg srv "$M61" env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=strip $(jt t) \
		"$POL_PY" "$SRV" --proto 262 --reuse --tfo --port "$p" \
		--body strip --ready "$T/r"
	wait_ready "$T/r" srv
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	assert_output 'strip proto=6'
	wait_exit srv
	[ "$(field "$T/r" proto)" = 6 ]
	json_lines "$T/t.json"
	run ev --fd "$T/t.json" socket family=AF_INET
	assert_output "ret=3 errno=null fd=3 protocol=IPPROTO_MPTCP policy=mptcp=strip: IPPROTO_MPTCP made IPPROTO_TCP"
	# TCP_FASTOPEN went to a TCP socket: the kernel took it, no policy.
	run ev --fd "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_TCP value=5 policy=null"
}

@test "MPTCP+TFO listener on 6.1, NETSHIM_MPTCP=fallback: replaced by TCP in place, serves" {
	need_x86_64
	local p

	p=$(free_port)
	bg srv "$M61" env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=fallback \
		$(jt t) "$POL_PY" "$SRV" --proto 262 --reuse --opt 6:1:1 \
		--opt 1:9:1 --nonblock --tfo --port "$p" --serve 2 \
		--body fallback --ready "$T/r"
	wait_ready "$T/r" srv
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	assert_output 'fallback proto=6'
	run timeout 20 "$POL_PY" -c "$(pyget)" "http://127.0.0.1:$p/"
	assert_success
	assert_output 'fallback proto=6'
	wait_exit srv
	run cat "$T/r"
	# Same number, no descriptor more or less, same port, SO_REUSEADDR
	# replayed, O_NONBLOCK and FD_CLOEXEC kept: all read from the kernel.
	# TCP_NODELAY and SO_KEEPALIVE too.
	assert_output '{"bound_port": '"$p"', "cloexec": true, "fd": 3, "first_fd": 3, "nonblock": true, "opts": "6:1:1 1:9:1", "port": '"$p"', "proto": 6, "reuseaddr": 1, "same_fds": true}'
	json_lines "$T/t.json"
	run ev --fd "$T/t.json" socket family=AF_INET
	assert_output "ret=3 errno=null fd=3 protocol=IPPROTO_MPTCP policy=null"
	run ev --fd "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_TCP value=5 policy=mptcp=fallback: kernel refused TCP_FASTOPEN on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed"
	run ev --fd "$T/t.json" getsockopt fd=3 option=SO_PROTOCOL
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_TCP value=6 policy=null"
	run ev --fd "$T/t.json" getsockopt fd=3 option=SO_REUSEADDR
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_TCP value=1 policy=null"
	run ev --fd "$T/t.json" listen
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_TCP policy=null"
}

@test "NETSHIM_MPTCP=fallback on this kernel's own refusal: ephemeral port kept, no SO_REUSEADDR needed" {
	# Linux 6.18 has no TCP_USER_TIMEOUT on MPTCP sockets.
	run timeout 20 "$POL_PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.setsockopt(6, 18, 1000)'
	assert_failure
	assert_output --partial '[Errno 92] Protocol not available'

	bg srv env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=fallback $(jt t) \
		"$POL_PY" "$SRV" --proto 262 --inheritable --user-timeout \
		--port 0 --body native --ready "$T/r"
	wait_ready "$T/r" srv
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$(field "$T/r" port)/"
	assert_success
	assert_output 'native proto=6'
	wait_exit srv
	[ "$(field "$T/r" port)" = "$(field "$T/r" bound_port)" ]
	[ "$(field "$T/r" nonblock)" = False ]
	[ "$(field "$T/r" reuseaddr)" = 0 ]
	[ "$(field "$T/r" cloexec)" = False ]
	run ev --fd "$T/t.json" setsockopt option=TCP_USER_TIMEOUT
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_TCP value=1000 policy=mptcp=fallback: kernel refused TCP_USER_TIMEOUT on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed"
}

@test "NETSHIM_MPTCP=fallback: an address that cannot be bound again is not lost silently" {
	local p code='import os, socket, sys
p = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.bind(("127.0.0.1", p))
# A second reference (a dup, a forked child) keeps the MPTCP socket, and
# its port, alive after the swap.
d = os.dup(s.fileno())
try:
    s.setsockopt(6, 18, 1000)
    print("set")
except OSError as e:
    print("errno", e.errno)
s.listen()
print("port", "same" if s.getsockname()[1] == p else "other")'

	p=$(free_port)
	run ns_run NETSHIM_TRACE=off -- timeout 20 "$POL_PY" -c "$code" "$p"
	assert_output $'errno 92\nport same'
	p=$(free_port)
	run ns_run NETSHIM_MPTCP=fallback $(jt t) -- timeout 20 "$POL_PY" -c "$code" "$p"
	assert_success
	# Either the kernel's refusal stands, or the address was kept.
	assert_output --regexp $'^(errno 92\nport same|set\nport same)$'
}

@test "NETSHIM_MPTCP=fallback does not replace a listening MPTCP socket" {
	local code='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.bind(("127.0.0.1", 0))
s.listen()
try:
    s.setsockopt(6, 18, 1000)
    print("set")
except OSError as e:
    print("errno", e.errno)
print("proto", s.getsockopt(socket.SOL_SOCKET, 38))'

	run ns_run NETSHIM_MPTCP=fallback $(jt t) -- timeout 20 "$POL_PY" -c "$code"
	assert_success
	assert_output $'errno 92\nproto 262'
	run ev "$T/t.json" setsockopt option=TCP_USER_TIMEOUT
	assert_output "ret=-1 errno=ENOPROTOOPT proto=IPPROTO_MPTCP value=1000 policy=null"
}

# ---------------------------------------------------------------------------
# The dual-stack story: dual.test is ::1 and 127.0.0.1, with a different
# server on each, same port. /etc/hosts (and gai.conf) are replaced only in
# a private mount namespace.

# with_hosts HOSTS [GAICONF] -- CMD...: CMD with HOSTS as /etc/hosts and
# GAICONF (default: empty, so glibc's RFC 6724 defaults) as /etc/gai.conf.
with_hosts() {
	local hosts=$1 gai=$T/gai.conf.empty

	shift
	if [ "$1" != -- ]; then
		gai=$1
		shift
	fi
	shift
	[ -e "$gai" ] || : >"$gai"
	timeout 20 unshare -m sh -c '
		mount --bind "$1" /etc/hosts || exit 99
		if [ -e /etc/gai.conf ]; then
			mount --bind "$2" /etc/gai.conf || exit 99
		elif [ -s "$2" ]; then
			echo "no /etc/gai.conf to replace" >&2
			exit 99
		fi
		shift 2
		exec "$@"' sh "$hosts" "$gai" "$@"
}

# Two servers on one port number: "six" on [::1], "four" on 127.0.0.1.
dual_servers() {
	local i

	for i in 1 2 3 4 5; do
		DP=$(free_port)
		rm -f "$T/r4" "$T/r6"
		bg srv6 "$POL_PY" "$SRV" --family 6 --port "$DP" --serve 0 \
			--body six --ready "$T/r6"
		wait_ready "$T/r6" srv6
		bg srv4 "$POL_PY" "$SRV" --family 4 --port "$DP" --serve 0 \
			--body four --ready "$T/r4"
		# The IPv4 port may have been taken meanwhile: try another.
		wait_ready "$T/r4" srv4 >/dev/null && return 0
	done
	return 1
}

dual_hosts() {
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$T/hosts"
	printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$T/hosts.v4first"
	printf '127.0.0.1 v4only.test\n' >>"$T/hosts"
}

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
	run with_hosts "$T/hosts" -- "$DNS" gai v4only.test inet
	assert_output $'gai=0\nAF_INET 127.0.0.1'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" gai v4only.test inet
	assert_output 'gai=-2 Name or service not known'
	run with_hosts "$T/hosts" -- "$DNS" gai dual.test inet6
	assert_output $'gai=0\nAF_INET6 ::1'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv4 NETSHIM_TRACE=off "$DNS" gai dual.test inet6
	assert_output 'gai=-2 Name or service not known'
	# AF_UNSPEC under ipv6: a name with IPv4 addresses only has none.
	run with_hosts "$T/hosts" -- "$DNS" gai v4only.test unspec
	assert_output $'gai=0\nAF_INET 127.0.0.1'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" gai v4only.test unspec
	assert_output 'gai=-2 Name or service not known'
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
	run with_hosts "$T/hosts" -- "$DNS" ghbn v4only.test
	assert_output $'ghbn=ok\nAF_INET 127.0.0.1'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" ghbn v4only.test
	assert_output 'ghbn=fail h_errno=HOST_NOT_FOUND'
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FAMILY=ipv6 NETSHIM_TRACE=off "$DNS" ghbn2 dual.test inet6
	assert_output $'ghbn2=ok\nAF_INET6 ::1'
}

# ---------------------------------------------------------------------------
# NETSHIM_MPTCP through the kernel's own answers.

PROTO_CODE='import socket, sys
fams = {"4": socket.AF_INET, "6": socket.AF_INET6, "u": socket.AF_UNIX}
types = {"s": socket.SOCK_STREAM, "d": socket.SOCK_DGRAM}
for arg in sys.argv[1:]:
    f, t, p = arg.split(":")
    try:
        s = socket.socket(fams[f], types[t], int(p))
        print(arg, s.getsockopt(socket.SOL_SOCKET, 38))
    except OSError as e:
        print(arg, "errno", e.errno)'

@test "NETSHIM_MPTCP strip/force/fallback/pass: what SO_PROTOCOL says" {
	local socks="4:s:262 6:s:262 4:s:0 6:s:6 4:d:0 u:s:0"

	run ns_run NETSHIM_TRACE=off -- "$POL_PY" -c "$PROTO_CODE" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
	run ns_run NETSHIM_MPTCP=pass NETSHIM_TRACE=off -- "$POL_PY" -c "$PROTO_CODE" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
	run ns_run NETSHIM_MPTCP=strip $(jt t) -- "$POL_PY" -c "$PROTO_CODE" $socks
	assert_output $'4:s:262 6\n6:s:262 6\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
	run ev "$T/t.json" socket family=AF_INET6
	assert_output - <<-EOF
	ret=FD errno=null protocol=IPPROTO_MPTCP policy=mptcp=strip: IPPROTO_MPTCP made IPPROTO_TCP
	ret=FD errno=null protocol=IPPROTO_TCP policy=null
	EOF
	run ns_run NETSHIM_MPTCP=force $(jt f) -- "$POL_PY" -c "$PROTO_CODE" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 262\n6:s:6 262\n4:d:0 17\nu:s:0 0'
	run ev "$T/f.json" socket family=AF_INET "type=SOCK_STREAM|SOCK_CLOEXEC" protocol=IPPROTO_IP
	assert_output "ret=FD errno=null policy=mptcp=force: made IPPROTO_MPTCP"
	run ns_run NETSHIM_MPTCP=fallback NETSHIM_TRACE=off -- "$POL_PY" -c "$PROTO_CODE" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
}

@test "NETSHIM_MPTCP=force: a plain server and curl talk MPTCP for real" {
	local p

	p=$(free_port)
	# Without the policy: TCP, and no MPTCP listener for ss.
	bg srv "$POL_PY" "$SRV" --port "$p" --body plain --ready "$T/r"
	wait_ready "$T/r" srv
	run ss -HlnM
	refute_output --partial "127.0.0.1:$p "
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_output 'plain proto=6'
	wait_exit srv

	p=$(free_port)
	bg srv2 env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=force \
		NETSHIM_TRACE=off "$POL_PY" "$SRV" --port "$p" --body forced \
		--ready "$T/r2"
	wait_ready "$T/r2" srv2
	[ "$(field "$T/r2" proto)" = 262 ]
	run ss -HlnM
	assert_output --partial "127.0.0.1:$p "
	run ns_run NETSHIM_MPTCP=force $(jt c) -- \
		timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	# The accepted connection is MPTCP: both ends spoke it.
	assert_output 'forced proto=262'
	run ev "$T/c.json" socket family=AF_INET
	assert_output --partial "policy=mptcp=force: made IPPROTO_MPTCP"
	run ev "$T/c.json" connect
	assert_output --regexp "proto=IPPROTO_MPTCP addr=127.0.0.1:$p policy=null"
}

@test "MPTCP refused by the kernel (net.mptcp.enabled=0): force and fallback make TCP" {
	need_root
	local in_ns='ip link set lo up && sysctl -qw net.mptcp.enabled=0 && exec "$@"'

	# Bare: no MPTCP at all in this namespace.
	run timeout 20 unshare -n sh -c "$in_ns" sh "$POL_PY" -c "$PROTO_CODE" 4:s:262 4:s:0
	assert_output $'4:s:262 errno 92\n4:s:0 6'
	run timeout 20 unshare -n sh -c "$in_ns" sh env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=pass NETSHIM_TRACE=off "$POL_PY" -c "$PROTO_CODE" 4:s:262
	assert_output '4:s:262 errno 92'
	run timeout 20 unshare -n sh -c "$in_ns" sh env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=force $(jt f) "$POL_PY" -c "$PROTO_CODE" 4:s:0 6:s:6
	assert_output $'4:s:0 6\n6:s:6 6'
	run ev "$T/f.json" socket family=AF_INET
	assert_output "ret=FD errno=null protocol=IPPROTO_IP policy=mptcp=force: kernel refused IPPROTO_MPTCP (ENOPROTOOPT), made IPPROTO_TCP"
	run timeout 20 unshare -n sh -c "$in_ns" sh env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=fallback $(jt b) "$POL_PY" -c "$PROTO_CODE" 4:s:262 6:s:262
	assert_output $'4:s:262 6\n6:s:262 6'
	run ev "$T/b.json" socket family=AF_INET
	assert_output "ret=FD errno=null protocol=IPPROTO_MPTCP policy=mptcp=fallback: kernel refused IPPROTO_MPTCP (ENOPROTOOPT), made IPPROTO_TCP"

	# A working connection inside the namespace, both ends forced.
	cat >"$T/conn.sh" <<-'EOF'
	"$@" "$POL_PY" "$SRV" --port 8080 --body nomptcp --ready "$T/r" &
	for i in $(seq 100); do [ -s "$T/r" ] && break; sleep 0.1; done
	"$@" "$POL_PY" -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())' http://127.0.0.1:8080/
	wait
	EOF
	run timeout 20 unshare -n sh -c "$in_ns" sh env T="$T" SRV="$SRV" \
		POL_PY="$POL_PY" sh "$T/conn.sh" env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=force NETSHIM_TRACE=off
	assert_success
	assert_output 'nomptcp proto=6'
	[ "$(field "$T/r" proto)" = 6 ]
}

# ---------------------------------------------------------------------------
# NETSHIM_TFO: a C client with MSG_FASTOPEN against a real server. Fast Open
# is set per network namespace, so each test makes one.

# netns FASTOPEN: a network namespace with lo up and net.ipv4.tcp_fastopen.
netns() {
	NETNS=$T/netns
	: >"$NETNS"
	unshare --net="$NETNS" true
	nsenter --net="$NETNS" ip link set lo up
	nsenter --net="$NETNS" sysctl -qw net.ipv4.tcp_fastopen="$1"
}

# in_ns CMD...: CMD in that namespace, at most 20 s.
in_ns() {
	timeout 20 nsenter --net="$NETNS" "$@"
}

# tfo_active: TcpExt TCPFastOpenActive of the namespace (data sent in SYN).
tfo_active() {
	in_ns awk '/^TcpExt:/ { if (!n) { for (i = 1; i <= NF; i++) if ($i == "TCPFastOpenActive") c = i; n = 1 } else print $c }' /proc/net/netstat
}

# echo_server N: an echo server in the namespace for N connections, port 7.
echo_server() {
	rm -f "$T/r"
	bg srv nsenter --net="$NETNS" "$POL_PY" "$SRV" --mode echo --tfo \
		--port 7 --serve "$1" --ready "$T/r"
	wait_ready "$T/r" srv
}

@test "NETSHIM_TFO=drop: MSG_FASTOPEN becomes connect + send; a cookie the kernel has goes unused" {
	need_root
	netns 3
	echo_server 8
	# Bare: the first attempt gets a cookie, the second sends data in the SYN.
	run in_ns "$TFOC" -n sendto 127.0.0.1 7 one
	assert_success
	assert_output $'sendto=-1 errno=EINPROGRESS\nconnected\nsend=3\nreply=got:one'
	run in_ns "$TFOC" -n sendto 127.0.0.1 7 two
	assert_success
	assert_output $'sendto=3 errno=0\nsend=0\nreply=got:two'
	local before
	before=$(tfo_active)
	[ "$before" -gt 0 ]

	# drop, non-blocking: as without a cookie, EINPROGRESS, nothing sent.
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=drop $(jt a) \
		"$TFOC" -n sendto 127.0.0.1 7 three
	assert_success
	assert_output $'sendto=-1 errno=EINPROGRESS\nconnected\nsend=5\nreply=got:three'
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=drop $(jt b) \
		"$TFOC" -n sendmsg 127.0.0.1 7 four
	assert_success
	assert_output $'sendmsg=-1 errno=EINPROGRESS\nconnected\nsend=4\nreply=got:four'
	# drop, blocking: connected, then all bytes sent.
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=drop $(jt c) \
		"$TFOC" sendto 127.0.0.1 7 five
	assert_success
	assert_output $'sendto=4 errno=0\nsend=0\nreply=got:five'
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=drop $(jt d) \
		"$TFOC" sendmsg 127.0.0.1 7 sixsix
	assert_success
	assert_output $'sendmsg=6 errno=0\nsend=0\nreply=got:sixsix'
	# The kernel never did Fast Open for these.
	[ "$(tfo_active)" = "$before" ]
	wait_exit srv || true
	run cat "$T/srv.out"
	assert_output $'got:one\ngot:two\ngot:three\ngot:four\ngot:five\ngot:sixsix'

	run ev "$T/a.json" sendto
	assert_output "ret=-1 errno=EINPROGRESS proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=tfo=drop: connect, then send without MSG_FASTOPEN"
	run ev "$T/b.json" sendmsg
	assert_output "ret=-1 errno=EINPROGRESS proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=tfo=drop: connect, then send without MSG_FASTOPEN"
	run ev "$T/c.json" sendto
	assert_output "ret=4 errno=null proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=tfo=drop: connect, then send without MSG_FASTOPEN"
	run ev "$T/d.json" sendmsg
	assert_output "ret=6 errno=null proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=tfo=drop: connect, then send without MSG_FASTOPEN"
}

@test "NETSHIM_TFO=drop: TCP_FASTOPEN_CONNECT and TCP_FASTOPEN return 0 and never reach the kernel" {
	local p

	p=$(free_port)
	bg srv "$POL_PY" "$SRV" --mode echo --port "$p" --serve 2 --ready "$T/r"
	wait_ready "$T/r" srv
	run timeout 20 "$TFOC" -c connect 127.0.0.1 "$p" hi
	assert_success
	assert_output $'setsockopt=0 errno=0\ntfo_connect=1\nconnect=0 errno=0\nsend=2\nreply=got:hi'
	run ns_run NETSHIM_TFO=drop $(jt t) -- timeout 20 "$TFOC" -c connect 127.0.0.1 "$p" ho
	assert_success
	assert_output $'setsockopt=0 errno=0\ntfo_connect=0\nconnect=0 errno=0\nsend=2\nreply=got:ho'
	run ev "$T/t.json" setsockopt
	assert_output "ret=0 errno=null proto=IPPROTO_TCP option=TCP_FASTOPEN_CONNECT value=1 policy=tfo=drop: not passed to the kernel"

	local code='import socket
s = socket.socket()
s.setsockopt(6, 23, 5)
print(s.getsockopt(6, 23))'
	run ns_run NETSHIM_TRACE=off -- "$POL_PY" -c "$code"
	assert_output 5
	run ns_run NETSHIM_TFO=drop NETSHIM_TRACE=off -- "$POL_PY" -c "$code"
	assert_output 0
}

@test "NETSHIM_TFO=retry: MSG_FASTOPEN refused (net.ipv4.tcp_fastopen=0) is retried as connect + send" {
	need_root
	netns 0
	echo_server 4
	# Bare: the kernel refuses.
	run in_ns "$TFOC" -n sendto 127.0.0.1 7 zero
	assert_failure 1
	assert_output 'sendto=-1 errno=EOPNOTSUPP'
	run in_ns "$TFOC" sendmsg 127.0.0.1 7 zero
	assert_failure 1
	assert_output 'sendmsg=-1 errno=EOPNOTSUPP'
	run in_ns "$TFOC" -c connect 127.0.0.1 7 zero
	assert_failure 1
	assert_output 'setsockopt=-1 errno=EOPNOTSUPP'

	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=retry $(jt a) \
		"$TFOC" -n sendto 127.0.0.1 7 one
	assert_success
	assert_output $'sendto=-1 errno=EINPROGRESS\nconnected\nsend=3\nreply=got:one'
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=retry $(jt b) \
		"$TFOC" sendto 127.0.0.1 7 two
	assert_success
	assert_output $'sendto=3 errno=0\nsend=0\nreply=got:two'
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=retry $(jt c) \
		"$TFOC" -n sendmsg 127.0.0.1 7 three
	assert_success
	assert_output $'sendmsg=-1 errno=EINPROGRESS\nconnected\nsend=5\nreply=got:three'
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=retry $(jt d) \
		"$TFOC" -c sendmsg 127.0.0.1 7 four
	assert_success
	assert_output $'setsockopt=0 errno=0\ntfo_connect=0\nsendmsg=4 errno=0\nsend=0\nreply=got:four'
	wait_exit srv || true
	run cat "$T/srv.out"
	assert_output $'got:one\ngot:two\ngot:three\ngot:four'

	run ev "$T/a.json" sendto
	assert_output "ret=-1 errno=EINPROGRESS proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=tfo=retry: kernel refused MSG_FASTOPEN (EOPNOTSUPP), connect, then send"
	run ev "$T/b.json" sendto
	assert_output "ret=3 errno=null proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=tfo=retry: kernel refused MSG_FASTOPEN (EOPNOTSUPP), connect, then send"
	run ev "$T/d.json" setsockopt
	assert_output "ret=0 errno=null proto=IPPROTO_TCP option=TCP_FASTOPEN_CONNECT value=1 policy=tfo=retry: kernel refused TCP_FASTOPEN_CONNECT (EOPNOTSUPP), went on without it"
}

@test "NETSHIM_TFO=pass and retry leave a Fast Open the kernel takes alone" {
	need_root
	netns 3
	echo_server 3
	run in_ns "$TFOC" -n sendto 127.0.0.1 7 one
	assert_output --partial 'sendto=-1 errno=EINPROGRESS'
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=retry $(jt a) \
		"$TFOC" -n sendto 127.0.0.1 7 two
	assert_success
	assert_output $'sendto=3 errno=0\nsend=0\nreply=got:two'
	run ev "$T/a.json" sendto
	assert_output "ret=3 errno=null proto=IPPROTO_TCP addr=127.0.0.1:7 flags=MSG_FASTOPEN policy=null"
	run in_ns env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TFO=pass \
		NETSHIM_TRACE=off "$TFOC" -n sendmsg 127.0.0.1 7 three
	assert_output $'sendmsg=5 errno=0\nsend=0\nreply=got:three'
}

# ---------------------------------------------------------------------------
# Bad values.

@test "bad NETSHIM_FAMILY: the documented line, the family stays on" {
	run --separate-stderr ns_run NETSHIM_FAMILY=ipv5 NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$PROTO_CODE" 6:s:0 4:s:0
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

@test "bad NETSHIM_MPTCP: the documented line, MPTCP passes" {
	run --separate-stderr ns_run NETSHIM_MPTCP=foo NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$PROTO_CODE" 4:s:262 4:s:0
	assert_success
	assert_output $'4:s:262 262\n4:s:0 6'
	[ "$stderr" = 'netshim: NETSHIM_MPTCP=foo is not one of pass, strip, force, fallback; using pass' ]
}

@test "bad NETSHIM_TFO: the documented line, the option reaches the kernel" {
	local code='import socket
s = socket.socket()
s.setsockopt(6, 30, 1)
print(s.getsockopt(6, 30))'

	run --separate-stderr ns_run NETSHIM_TFO=dropp NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$code"
	assert_success
	assert_output 1
	[ "$stderr" = 'netshim: NETSHIM_TFO=dropp is not one of pass, drop, retry; using pass' ]
	run ns_run NETSHIM_TFO=drop NETSHIM_TRACE=off -- "$POL_PY" -c "$code"
	assert_output 0
}

@test "three bad at once and one empty: one line each, in order" {
	run --separate-stderr ns_run NETSHIM_FAMILY=x NETSHIM_PREFER=y \
		NETSHIM_MPTCP=z NETSHIM_TFO= NETSHIM_TRACE=off -- true
	assert_success
	[ "$stderr" = $'netshim: NETSHIM_FAMILY=x is not one of any, ipv4, ipv6; using any\nnetshim: NETSHIM_PREFER=y is not one of none, ipv4, ipv6; using none\nnetshim: NETSHIM_MPTCP=z is not one of pass, strip, force, fallback; using pass' ]
}
