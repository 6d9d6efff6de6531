#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# NETSHIM_MPTCP and NETSHIM_TFO on real sockets and real clients: the Linux 6.1 MPTCP+TFO story, the kernel's own refusals, Fast Open in a namespace.

load common

bats_require_minimum_version 1.5.0

setup_file() {
	srv_setup_file
}

setup() {
	srv_setup
	M61=$NS_TESTBIN/pol_mptcp61
	TFOC=$NS_TESTBIN/pol_tfo_client
	NETNS=
}

teardown() {
	srv_teardown
	if [ -n "$NETNS" ]; then
		umount "$NETNS" 2>/dev/null || true
	fi
}

# need_x86_64: pol_mptcp61's seccomp filter knows x86_64 system calls only.
need_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "pol_mptcp61 filters x86_64 system calls only"
}

# listen61 POLICY_VAR=VALUE BODY [ARG...]: the MPTCP+TFO listener (and
# server ARGs) under pol_mptcp61 and that policy, on port $p, traced to
# $T/t.json.
listen61() {
	p=$(free_port)
	serve srv "$M61" env LD_PRELOAD="$NS_PRELOAD" "$1" $(jt t) -- \
		--proto 262 --reuse --tfo --port "$p" --body "$2" "${@:3}"
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

	listen61 NETSHIM_TFO=retry retry --serve 2
	fetch_both "$p" '^retry proto=(6|262)$'
	wait_exit srv
	# The listener stayed MPTCP; it just has no Fast Open.
	[ "$(field "$T/srv.ready" proto)" = 262 ]
	[ "$(field "$T/srv.ready" port)" = "$p" ]
	json_lines "$T/t.json"
	run ev --fd "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_MPTCP value=5 policy=tfo=retry: kernel refused TCP_FASTOPEN (ENOPROTOOPT), went on without it"
	run ev --fd "$T/t.json" listen
	assert_output "ret=0 errno=null fd=3 proto=IPPROTO_MPTCP policy=null"
}

@test "MPTCP+TFO listener on 6.1, NETSHIM_MPTCP=strip: a TCP listener serves curl" {
	need_x86_64
	local p

	listen61 NETSHIM_MPTCP=strip strip
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_success
	assert_output 'strip proto=6'
	wait_exit srv
	[ "$(field "$T/srv.ready" proto)" = 6 ]
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

	listen61 NETSHIM_MPTCP=fallback fallback --opt 6:1:1 --opt 1:9:1 \
		--nonblock --serve 2
	fetch_both "$p" '^fallback proto=6$'
	wait_exit srv
	run cat "$T/srv.ready"
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

	serve srv env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=fallback $(jt t) -- \
		--proto 262 --inheritable --user-timeout --port 0 --body native
	run timeout 20 curl -sS --max-time 10 \
		"http://127.0.0.1:$(field "$T/srv.ready" port)/"
	assert_success
	assert_output 'native proto=6'
	wait_exit srv
	[ "$(field "$T/srv.ready" port)" = "$(field "$T/srv.ready" bound_port)" ]
	[ "$(field "$T/srv.ready" nonblock)" = False ]
	[ "$(field "$T/srv.ready" reuseaddr)" = 0 ]
	[ "$(field "$T/srv.ready" cloexec)" = False ]
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

@test "NETSHIM_MPTCP=fallback replaces a listener that accepted nothing, keeps one that accepted" {
	# This kernel refuses TCP_USER_TIMEOUT on MPTCP (ENOPROTOOPT) itself.
	local code='import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.bind(("127.0.0.1", 0))
s.listen()
if sys.argv[1] == "served":
    c = socket.create_connection(s.getsockname())
    a, _ = s.accept()
try:
    s.setsockopt(6, 18, 1000)
    print("set")
except OSError as e:
    print("errno", e.errno)
print("proto", s.getsockopt(socket.SOL_SOCKET, 38))'

	run timeout 20 "$POL_PY" -c "$code" fresh
	assert_output $'errno 92\nproto 262'
	run ns_run NETSHIM_MPTCP=fallback $(jt t) -- timeout 20 "$POL_PY" -c "$code" fresh
	assert_success
	assert_output $'set\nproto 6'
	run ev "$T/t.json" setsockopt option=TCP_USER_TIMEOUT
	assert_output "ret=0 errno=null proto=IPPROTO_TCP value=1000 policy=mptcp=fallback: kernel refused TCP_USER_TIMEOUT on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed"
	run ns_run NETSHIM_MPTCP=fallback $(jt s) -- timeout 20 "$POL_PY" -c "$code" served
	assert_success
	assert_output $'errno 92\nproto 262'
	run ev "$T/s.json" setsockopt option=TCP_USER_TIMEOUT
	assert_output "ret=-1 errno=ENOPROTOOPT proto=IPPROTO_MPTCP value=1000 policy=mptcp=fallback: kernel refused TCP_USER_TIMEOUT on MPTCP (ENOPROTOOPT); a listener that accepted connections is kept: use mptcp=strip or tfo=retry"
}

# ---------------------------------------------------------------------------
# NETSHIM_MPTCP through the kernel's own answers.

@test "NETSHIM_MPTCP strip/force/fallback/pass: what SO_PROTOCOL says" {
	local socks="4:s:262 6:s:262 4:s:0 6:s:6 4:d:0 u:s:0"

	run ns_run NETSHIM_TRACE=off -- "$POL_PY" -c "$(pysock)" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
	run ns_run NETSHIM_MPTCP=pass NETSHIM_TRACE=off -- "$POL_PY" -c "$(pysock)" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
	run ns_run NETSHIM_MPTCP=strip $(jt t) -- "$POL_PY" -c "$(pysock)" $socks
	assert_output $'4:s:262 6\n6:s:262 6\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
	run ev "$T/t.json" socket family=AF_INET6
	assert_output - <<-EOF
	ret=FD errno=null protocol=IPPROTO_MPTCP policy=mptcp=strip: IPPROTO_MPTCP made IPPROTO_TCP
	ret=FD errno=null protocol=IPPROTO_TCP policy=null
	EOF
	run ns_run NETSHIM_MPTCP=force $(jt f) -- "$POL_PY" -c "$(pysock)" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 262\n6:s:6 262\n4:d:0 17\nu:s:0 0'
	run ev "$T/f.json" socket family=AF_INET "type=SOCK_STREAM|SOCK_CLOEXEC" protocol=IPPROTO_IP
	assert_output "ret=FD errno=null policy=mptcp=force: made IPPROTO_MPTCP"
	run ns_run NETSHIM_MPTCP=fallback NETSHIM_TRACE=off -- "$POL_PY" -c "$(pysock)" $socks
	assert_output $'4:s:262 262\n6:s:262 262\n4:s:0 6\n6:s:6 6\n4:d:0 17\nu:s:0 0'
}

@test "NETSHIM_MPTCP=force: a plain server and curl talk MPTCP for real" {
	local p

	p=$(free_port)
	# Without the policy: TCP, and no MPTCP listener for ss.
	serve srv -- --port "$p" --body plain
	run ss -HlnM
	refute_output --partial "127.0.0.1:$p "
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_output 'plain proto=6'
	wait_exit srv

	p=$(free_port)
	serve srv2 env LD_PRELOAD="$NS_PRELOAD" NETSHIM_MPTCP=force \
		NETSHIM_TRACE=off -- --port "$p" --body forced
	[ "$(field "$T/srv2.ready" proto)" = 262 ]
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
	run timeout 20 unshare -n sh -c "$in_ns" sh "$POL_PY" -c "$(pysock)" 4:s:262 4:s:0
	assert_output $'4:s:262 errno 92\n4:s:0 6'
	run timeout 20 unshare -n sh -c "$in_ns" sh env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=pass NETSHIM_TRACE=off "$POL_PY" -c "$(pysock)" 4:s:262
	assert_output '4:s:262 errno 92'
	run timeout 20 unshare -n sh -c "$in_ns" sh env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=force $(jt f) "$POL_PY" -c "$(pysock)" 4:s:0 6:s:6
	assert_output $'4:s:0 6\n6:s:6 6'
	run ev "$T/f.json" socket family=AF_INET
	assert_output "ret=FD errno=null protocol=IPPROTO_IP policy=mptcp=force: kernel refused IPPROTO_MPTCP (ENOPROTOOPT), made IPPROTO_TCP"
	run timeout 20 unshare -n sh -c "$in_ns" sh env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_MPTCP=fallback $(jt b) "$POL_PY" -c "$(pysock)" 4:s:262 6:s:262
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
	serve srv nsenter --net="$NETNS" -- --mode echo --tfo --port 7 \
		--serve "$1"
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
	serve srv -- --mode echo --port "$p" --serve 2
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
# Bad values: one line each, the default applies.

@test "bad NETSHIM_MPTCP: the documented line, MPTCP passes" {
	run --separate-stderr ns_run NETSHIM_MPTCP=foo NETSHIM_TRACE=off -- \
		"$POL_PY" -c "$(pysock)" 4:s:262 4:s:0
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
