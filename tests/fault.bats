#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# NETSHIM_FAIL's rules (selectors, errno and delay actions, #COUNT, @PERCENT% and NETSHIM_SEED, bad rules) on real sockets, call by call.

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

# pyrun [VAR=VALUE...] -- CODE [ARG...]: python3 -c CODE under the shim.
pyrun() {
	local env=()

	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	env "${env[@]}" LD_PRELOAD="$NS_PRELOAD" "$POL_PY" -c "$@"
}

# ---------------------------------------------------------------------------
# The spellings of the issue, each on real sockets.

@test "setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT: MPTCP sockets only, the kernel never asked" {
	need_mptcp_enabled
	local code='import socket
for proto in (6, 262):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    try:
        s.setsockopt(6, 23, 5)
        print(proto, "ok", s.getsockopt(6, 23))
    except OSError as e:
        print(proto, "errno", e.errno, "kernel has", s.getsockopt(6, 23))
    s.setsockopt(6, 1, 1)
    print(proto, "nodelay ok")'

	run pyrun $(jt t) NETSHIM_FAIL='setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT' -- "$code"
	assert_success
	assert_output $'6 ok 5\n6 nodelay ok\n262 errno 92 kernel has 0\n262 nodelay ok'
	json_lines "$T/t.json"
	run ev "$T/t.json" setsockopt option=TCP_FASTOPEN
	assert_output "ret=0 errno=null proto=IPPROTO_TCP value=5 policy=null
ret=-1 errno=ENOPROTOOPT proto=IPPROTO_MPTCP value=5 policy=null injected=setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"
	run ev "$T/t.json" setsockopt option=TCP_NODELAY
	refute_output --partial injected
}

@test "socket(mptcp)=ENOPROTOOPT and socket(ipv6)=EAFNOSUPPORT: only those sockets fail" {
	local code='import socket
for fam, proto in ((2, 6), (2, 262), (10, 0), (1, 0)):
    try:
        socket.socket(fam, socket.SOCK_STREAM, proto).close()
        print(fam, proto, "ok")
    except OSError as e:
        print(fam, proto, "errno", e.errno)'

	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='socket(mptcp)=ENOPROTOOPT;socket(ipv6)=EAFNOSUPPORT' -- "$code"
	assert_success
	assert_output $'2 6 ok\n2 262 errno 92\n10 0 errno 97\n1 0 ok'
	# Without the rules this machine makes all four.
	run "$POL_PY" -c "$code"
	assert_output --partial $'10 0 ok'
}

@test "connect(ipv6)=ENETUNREACH: IPv6 connects fail, IPv4 and IPv4-mapped go through" {
	dual_servers
	local code='import socket, sys
port = int(sys.argv[1])
for fam, addr in ((10, "::1"), (2, "127.0.0.1"), (10, "::ffff:127.0.0.1")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.connect((addr, port))
        print(addr, "connected")
    except OSError as e:
        print(addr, "errno", e.errno)
    s.close()'

	run pyrun $(jt t) NETSHIM_FAIL='connect(ipv6)=ENETUNREACH' -- "$code" "$DP"
	assert_success
	assert_output $'::1 errno 101\n127.0.0.1 connected\n::ffff:127.0.0.1 connected'
	run ev "$T/t.json" connect
	assert_line "ret=-1 errno=ENETUNREACH proto=IPPROTO_TCP addr=[::1]:$DP policy=null injected=connect(ipv6)=ENETUNREACH"
	assert_line "ret=0 errno=null proto=IPPROTO_TCP addr=127.0.0.1:$DP policy=null"
}

# in_netns CMD...: CMD in a network namespace of its own, loopback up, so
# that the fixed ports of the issue's spellings are surely free.
in_netns() {
	timeout 30 unshare -n sh -c 'ip link set lo up || exit 99; exec "$@"' sh "$@"
}

@test "connect(127.0.0.1:8080)=ECONNREFUSED#2: the first two fail, later ones reach the kernel" {
	need_root
	# A listener on 8080 would take every connect: the first two never
	# reach the kernel.
	local code='import socket
srv = socket.socket()
srv.bind(("127.0.0.1", 8080))
srv.listen(8)
for i in range(4):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 8080))
        print(i, "connected")
    except OSError as e:
        print(i, "errno", e.errno)
    s.close()
s = socket.socket()
s.connect(("127.0.0.1", srv.getsockname()[1]))
print("again connected")'

	run in_netns env LD_PRELOAD="$NS_PRELOAD" $(jt t) \
		NETSHIM_FAIL='connect(127.0.0.1:8080)=ECONNREFUSED#2' "$POL_PY" -c "$code"
	assert_success
	assert_output $'0 errno 111\n1 errno 111\n2 connected\n3 connected\nagain connected'
	run ev "$T/t.json" connect
	assert_output "ret=-1 errno=ECONNREFUSED proto=IPPROTO_TCP addr=127.0.0.1:8080 policy=null injected=connect(127.0.0.1:8080)=ECONNREFUSED#2
ret=-1 errno=ECONNREFUSED proto=IPPROTO_TCP addr=127.0.0.1:8080 policy=null injected=connect(127.0.0.1:8080)=ECONNREFUSED#2
ret=0 errno=null proto=IPPROTO_TCP addr=127.0.0.1:8080 policy=null
ret=0 errno=null proto=IPPROTO_TCP addr=127.0.0.1:8080 policy=null
ret=0 errno=null proto=IPPROTO_TCP addr=127.0.0.1:8080 policy=null"
}

@test "a retrying python client connects on the third try under connect(127.0.0.1:PORT)=ECONNREFUSED#2" {
	local p code='import socket, sys
port = int(sys.argv[1])
for attempt in range(1, 6):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        break
    except ConnectionRefusedError as e:
        print("attempt", attempt, "refused")
else:
    sys.exit("gave up")
print("connected on attempt", attempt)
c.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = b""
while chunk := c.recv(4096):
    data += chunk
print(data.split(b"\r\n\r\n", 1)[1].decode().strip())'

	p=$(free_port)
	serve srv -- --port "$p" --body hi
	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL="connect(127.0.0.1:$p)=ECONNREFUSED#2" -- "$code" "$p"
	assert_success
	assert_output $'attempt 1 refused\nattempt 2 refused\nconnected on attempt 3\nhi proto=6'
}

@test "curl --retry-connrefused gets through on its third connect" {
	local p

	p=$(free_port)
	serve srv -- --port "$p" --body curl
	# Without retries curl gives up on the first refusal.
	run env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL="connect(127.0.0.1:$p)=ECONNREFUSED#2" \
		curl -sS --max-time 10 "http://127.0.0.1:$p/"
	assert_failure 7
	run env LD_PRELOAD="$NS_PRELOAD" $(jt c) \
		NETSHIM_FAIL="connect(127.0.0.1:$p)=ECONNREFUSED#2" \
		curl -sS --max-time 20 --retry 3 --retry-connrefused \
		--retry-delay 1 "http://127.0.0.1:$p/"
	assert_success
	assert_line 'curl proto=6'
	run ev "$T/c.json" connect
	assert_line --index 0 --partial "ret=-1 errno=ECONNREFUSED"
	assert_line --index 1 --partial "ret=-1 errno=ECONNREFUSED"
	assert_line --index 2 --regexp "^ret=(0|-1) errno=(null|EINPROGRESS) proto=IPPROTO_TCP addr=127.0.0.1:$p policy=null\$"
}

@test "connect([::1]:8080)=ETIMEDOUT: only that address and port" {
	need_root
	local code='import socket
srv = []
for port in (8080, 8081):
    srv.append(socket.socket(socket.AF_INET6))
    srv[-1].bind(("::1", port))
    srv[-1].listen(8)
for addr, port in (("::1", 8080), ("::1", 8081), ("::1", 8080)):
    s = socket.socket(socket.AF_INET6)
    try:
        s.connect((addr, port))
        print(port, "connected")
    except OSError as e:
        print(port, "errno", e.errno)
    s.close()'

	run in_netns env LD_PRELOAD="$NS_PRELOAD" $(jt t) \
		NETSHIM_FAIL='connect([::1]:8080)=ETIMEDOUT' "$POL_PY" -c "$code"
	assert_success
	assert_output $'8080 errno 110\n8081 connected\n8080 errno 110'
	run ev "$T/t.json" connect addr=[::1]:8080
	assert_output "ret=-1 errno=ETIMEDOUT proto=IPPROTO_TCP policy=null injected=connect([::1]:8080)=ETIMEDOUT
ret=-1 errno=ETIMEDOUT proto=IPPROTO_TCP policy=null injected=connect([::1]:8080)=ETIMEDOUT"
}

@test "address selectors: CIDR prefixes, a port alone, IPv6 prefixes in brackets" {
	local code='import socket
for fam, addr, port in ((2, "127.9.9.9", 1), (2, "127.0.0.1", 2), (2, "10.1.1.1", 9), (10, "::1", 3), (10, "::2", 9)):
    s = socket.socket(fam)
    s.setblocking(False)
    try:
        s.connect((addr, port))
    except OSError as e:
        print(addr, e.errno)
    s.close()'

	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='connect(127.9.0.0/16)=EACCES;connect(:2)=EPERM;connect([::/127]:3)=EHOSTUNREACH;connect(10.0.0.0/8:9)=EADDRNOTAVAIL;connect(::2)=ENOBUFS' -- "$code"
	assert_success
	assert_output $'127.9.9.9 13\n127.0.0.1 1\n10.1.1.1 99\n::1 113\n::2 105'
}

@test "getaddrinfo(example.test)=EAI_NONAME: that name only, any case, nothing asked" {
	need_root
	# example.test resolves here, so only the rule can make it fail.
	printf '127.0.0.2 example.test\n127.0.0.3 other.test\n' >"$T/hosts"
	local code='import socket
for name in ("example.test", "EXAMPLE.test.", "other.test", "127.0.0.1"):
    try:
        print(name, sorted({a[4][0] for a in socket.getaddrinfo(name, 80, socket.AF_INET)}))
    except socket.gaierror as e:
        print(name, "gaierror", e.errno)'

	run with_hosts "$T/hosts" -- "$POL_PY" -c "$code"
	assert_line "example.test ['127.0.0.2']"
	run with_hosts "$T/hosts" -- env LD_PRELOAD="$NS_PRELOAD" $(jt t) \
		NETSHIM_FAIL='getaddrinfo(example.test)=EAI_NONAME' "$POL_PY" -c "$code"
	assert_success
	assert_output "example.test gaierror -2
EXAMPLE.test. gaierror -2
other.test ['127.0.0.3']
127.0.0.1 ['127.0.0.1']"
	run ev "$T/t.json" getaddrinfo node=example.test
	assert_output "ret=-2 errno=null hints=AF_INET error=EAI_NONAME policy=null injected=getaddrinfo(example.test)=EAI_NONAME"
}

@test "getaddrinfo=EAI_AGAIN@30%: about 30% fail, the same seed replays the same draws" {
	local code='import socket
out = ""
for i in range(300):
    try:
        socket.getaddrinfo("localhost", 80, socket.AF_INET)
        out += "."
    except socket.gaierror as e:
        assert e.errno == socket.EAI_AGAIN, e
        out += "x"
print(out)'

	run pyrun NETSHIM_TRACE=off NETSHIM_SEED=42 NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@30%' -- "$code"
	assert_success
	local a=$output n
	n=$(tr -cd x <<<"$a" | wc -c)
	# 300 draws at 30%: 90 expected, 3.8 standard deviations either side.
	[ "$n" -gt 60 ] && [ "$n" -lt 120 ]
	run pyrun NETSHIM_TRACE=off NETSHIM_SEED=42 NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@30%' -- "$code"
	assert_equal "$output" "$a"
	run pyrun NETSHIM_TRACE=off NETSHIM_SEED=43 NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@30%' -- "$code"
	[ "$output" != "$a" ]
	# 0% never, 100% always; numeric addresses never ask a resolver.
	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@0%' -- "$code"
	refute_output --partial x
	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@100%' -- "$code"
	refute_output --partial .
	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='getaddrinfo=EAI_AGAIN' -- \
		'import socket; print(len(socket.getaddrinfo("127.0.0.1", 80)) > 0)'
	assert_output True
}

@test "without NETSHIM_SEED a percentage run says which seed it drew with, and that seed replays it" {
	local code='import socket
out = ""
for i in range(64):
    try:
        socket.getaddrinfo("localhost", 80, socket.AF_INET)
        out += "."
    except socket.gaierror:
        out += "x"
print(out)'

	run --separate-stderr pyrun NETSHIM_TRACE=off NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@50%' -- "$code"
	assert_success
	[[ $stderr =~ NETSHIM_SEED=([0-9]+) ]]
	local seed=${BASH_REMATCH[1]} a=$output
	[[ $a == *x* && $a == *.* ]]
	assert_equal "$stderr" "netshim: NETSHIM_SEED is not set; percentages are drawn with NETSHIM_SEED=$seed (set it to replay them)"
	run --separate-stderr pyrun NETSHIM_TRACE=off NETSHIM_SEED="$seed" NETSHIM_FAIL='getaddrinfo=EAI_AGAIN@50%' -- "$code"
	assert_equal "$output" "$a"
	assert_equal "$stderr" ""
}

@test "connect(ipv6)=delay(1500ms): the real call happens after the delay, signals or not" {
	dual_servers
	# A 100 ms interval timer interrupts the wait; the sleep goes on for
	# the rest each time, and the connect still happens.
	local code='import signal, socket, sys, time
n = 0
def tick(*a):
    global n
    n += 1
signal.signal(signal.SIGALRM, tick)
signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)
t = time.monotonic()
c = socket.create_connection(("::1", int(sys.argv[1])), timeout=10)
waited = time.monotonic() - t
signal.setitimer(signal.ITIMER_REAL, 0)
c.sendall(b"GET / HTTP/1.0\r\n\r\n")
print(c.recv(4096).split(b"\r\n\r\n", 1)[1].decode().strip())
print("waited at least 1.5 s:", waited >= 1.5, "interrupted:", n > 0)'

	run pyrun $(jt t) NETSHIM_FAIL='connect(ipv6)=delay(1500ms)' -- "$code" "$DP"
	assert_success
	assert_output $'six proto=6\nwaited at least 1.5 s: True interrupted: True'
	run ev "$T/t.json" connect
	# create_connection with a timeout connects without blocking.
	assert_output --regexp "^ret=(0|-1) errno=(null|EINPROGRESS) proto=IPPROTO_TCP addr=\[::1\]:$DP policy=null injected=connect\(ipv6\)=delay\(1500ms\)\$"
	"$POL_PY" -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1]) if "\"connect\"" in l][0]
assert e["dur_ns"] >= 1500000000, e' "$T/t.json"
}

@test "delays add up, then the first failure rule decides: a slow timeout" {
	run pyrun $(jt t) NETSHIM_FAIL='connect(ipv6)=delay(0.2s);connect([::1]:9)=ETIMEDOUT;connect(ipv6)=delay(300ms);connect(ipv6)=EPERM' -- \
		'import socket
s = socket.socket(socket.AF_INET6)
try:
    s.connect(("::1", 9))
except OSError as e:
    print(e.errno)'
	assert_success
	assert_output 110
	"$POL_PY" -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1]) if "\"connect\"" in l][0]
assert e["dur_ns"] >= 200000000 and e["injected"] == "connect([::1]:9)=ETIMEDOUT", e' "$T/t.json"
}

@test "getaddrinfo errno actions are EAI_SYSTEM with that errno; errno kept otherwise" {
	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='getaddrinfo(a.test)=ECONNREFUSED;getaddrinfo(*.b.test)=EAI_FAIL' -- \
		'import socket
for n in ("a.test", "x.b.test", "b.test"):
    try:
        socket.getaddrinfo(n, 80)
    except socket.gaierror as e:
        print(n, e.errno, e.strerror)
    except OSError as e:
        print(n, "system", e.errno)'
	assert_success
	assert_line --index 0 'a.test system 111'
	assert_line --index 1 --partial 'x.b.test -4 '
	refute_line --regexp '^b.test -4'
}

@test "socket calls with a selector by option level, accept, listen, bind, getsockopt and sendto" {
	local code='import socket
def t(what, f):
    try:
        f(); print(what, "ok")
    except OSError as e:
        print(what, e.errno)
s = socket.socket()
t("getsockopt", lambda: s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
t("getsockopt-tcp", lambda: s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
t("bind", lambda: s.bind(("127.0.0.1", 0)))
t("listen", lambda: s.listen())
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t("sendto", lambda: u.sendto(b"x", ("127.0.0.1", 9)))
t("sendto6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"x", ("::1", 9)))'

	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL='getsockopt(SOL_SOCKET)=EBADF;bind(tcp)=EADDRINUSE#1;listen=EOPNOTSUPP;sendto(udp,ipv6)=EMSGSIZE' -- "$code"
	assert_success
	assert_output $'getsockopt 9\ngetsockopt-tcp ok\nbind 98\nlisten 95\nsendto ok\nsendto6 90'
}

# ---------------------------------------------------------------------------
# Bad rules: one line each, that rule ignored, the others applied, the
# program runs on.

# bad RULES LINE: under NETSHIM_FAIL=RULES the program complains in LINE
# and still runs.
bad() {
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL="$1" "$POL_PY" -c 'print("ran")'
	assert_success
	assert_output ran
	assert_equal "$stderr" "$2"
}

@test "a long bad rule is quoted as values are: 64 bytes then ..., the text from its column 32 bytes then ..." {
	local x
	x=$(printf 'X%.0s' $(seq 100))
	bad "connect(ipv6)=EPERM$x" "netshim: NETSHIM_FAIL: rule 1 \"connect(ipv6)=EPERM${x:0:45}...\" at column 15 (\"EPERM${x:0:27}...\"): expected an errno name such as ECONNREFUSED, or delay(DURATION); that rule is ignored"
	# Exactly 64 bytes: whole, no dots.
	bad "connect(ipv6)=EPERM${x:0:45}" "netshim: NETSHIM_FAIL: rule 1 \"connect(ipv6)=EPERM${x:0:45}\" at column 15 (\"EPERM${x:0:27}...\"): expected an errno name such as ECONNREFUSED, or delay(DURATION); that rule is ignored"
}

@test "bad rules: the rule, the column and what was expected" {
	bad 'socket(ipv7)=EPERM' 'netshim: NETSHIM_FAIL: rule 1 "socket(ipv7)=EPERM" at column 8 ("ipv7)=EPERM"): expected a family (ipv4, ipv6, unix) or a protocol (tcp, udp, mptcp); that rule is ignored'
	bad 'connect=ENETUNREACH;conect(ipv6)=EPERM' 'netshim: NETSHIM_FAIL: rule 2 "conect(ipv6)=EPERM" at column 1 ("conect(ipv6)=EPERM"): expected a call: socket, connect, bind, listen, accept, accept4, setsockopt, getsockopt, sendto, sendmsg, getaddrinfo, gethostbyname or gethostbyname2; that rule is ignored'
	bad 'connect(ipv6)' 'netshim: NETSHIM_FAIL: rule 1 "connect(ipv6)" at column 14 (its end): expected '"'"'='"'"' then an action; that rule is ignored'
	bad 'connect(ipv6=EPERM' 'netshim: NETSHIM_FAIL: rule 1 "connect(ipv6=EPERM" at column 9 ("ipv6=EPERM"): expected a family (ipv4, ipv6, unix), a protocol (tcp, udp, mptcp) or an address such as 127.0.0.1:8080, [::1]:8080, 10.0.0.0/8 or :8080; that rule is ignored'
	bad 'connect=ECONREFUSED' 'netshim: NETSHIM_FAIL: rule 1 "connect=ECONREFUSED" at column 9 ("ECONREFUSED"): expected an errno name such as ECONNREFUSED, or delay(DURATION); that rule is ignored'
	bad 'connect=EAI_AGAIN' 'netshim: NETSHIM_FAIL: rule 1 "connect=EAI_AGAIN" at column 9 ("EAI_AGAIN"): expected an errno name such as ECONNREFUSED, or delay(DURATION); that rule is ignored'
	bad 'getaddrinfo=EAI_AGIAN' 'netshim: NETSHIM_FAIL: rule 1 "getaddrinfo=EAI_AGIAN" at column 13 ("EAI_AGIAN"): expected an EAI_* name (EAI_AGAIN), an errno name (for EAI_SYSTEM) or delay(DURATION); that rule is ignored'
	bad 'connect=delay(5m)' 'netshim: NETSHIM_FAIL: rule 1 "connect=delay(5m)" at column 15 ("5m)"): expected a duration such as 1500ms or 2s, at most 3600s, then '"')'"'; that rule is ignored'
	bad 'connect=EPERM@130%' 'netshim: NETSHIM_FAIL: rule 1 "connect=EPERM@130%" at column 14 ("@130%"): expected a percentage from 0 to 100, then '"'%'"'; that rule is ignored'
	bad 'connect=EPERM#0' 'netshim: NETSHIM_FAIL: rule 1 "connect=EPERM#0" at column 14 ("#0"): expected a count from 1 to 1000000000; that rule is ignored'
	bad 'connect=EPERM x' 'netshim: NETSHIM_FAIL: rule 1 "connect=EPERM x" at column 14 (" x"): expected '"'"'@PERCENT%'"'"', '"'"'#COUNT'"'"' or the end of the rule; that rule is ignored'
	bad 'connect(1.2.3.4:99999)=EPERM' 'netshim: NETSHIM_FAIL: rule 1 "connect(1.2.3.4:99999)=EPERM" at column 9 ("1.2.3.4:99999)=EPERM"): expected a family (ipv4, ipv6, unix), a protocol (tcp, udp, mptcp) or an address such as 127.0.0.1:8080, [::1]:8080, 10.0.0.0/8 or :8080; that rule is ignored'
	bad 'setsockopt(TCP_FASTOPENX)=EPERM' 'netshim: NETSHIM_FAIL: rule 1 "setsockopt(TCP_FASTOPENX)=EPERM" at column 12 ("TCP_FASTOPENX)=EPERM"): expected a family (ipv4, ipv6, unix), a protocol (tcp, udp, mptcp) or an option name such as TCP_FASTOPEN; that rule is ignored'
	bad 'getaddrinfo(tcp)=EAI_AGAIN' 'netshim: NETSHIM_FAIL: rule 1 "getaddrinfo(tcp)=EAI_AGAIN" at column 13 ("tcp)=EAI_AGAIN"): expected a family (ipv4, ipv6) or a host name; that rule is ignored'
	bad 'gethostbyname=NETDB_INTERNAL' 'netshim: NETSHIM_FAIL: rule 1 "gethostbyname=NETDB_INTERNAL" at column 15 ("NETDB_INTERNAL"): expected an h_errno name (HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA) or delay(DURATION); that rule is ignored'
	bad 'socket(ipv4,ipv6)=EPERM' 'netshim: NETSHIM_FAIL: rule 1 "socket(ipv4,ipv6)=EPERM" at column 13 ("ipv6)=EPERM"): expected one family only; that rule is ignored'
	bad 'close=EBADF' 'netshim: NETSHIM_FAIL: rule 1 "close=EBADF" at column 1 ("close=EBADF"): expected a call: socket, connect, bind, listen, accept, accept4, setsockopt, getsockopt, sendto, sendmsg, getaddrinfo, gethostbyname or gethostbyname2; that rule is ignored'
}

@test "bad rules: nothing injected from them, the others still apply, spaces and empty rules are fine" {
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL=' socket(ipv7)=EPERM ;; socket( ipv6 , tcp )=EAFNOSUPPORT ; socket(ipv4)=EPERMX;' \
		"$POL_PY" -c 'import socket
for fam in (2, 10):
    try:
        socket.socket(fam).close(); print(fam, "ok")
    except OSError as e:
        print(fam, e.errno)'
	assert_success
	assert_output $'2 ok\n10 97'
	[[ ${stderr_lines[0]} == *'rule 1 "socket(ipv7)=EPERM"'* ]]
	[[ ${stderr_lines[1]} == *'rule 3 "socket(ipv4)=EPERMX"'* ]]
	[ "${#stderr_lines[@]}" = 2 ]
}

@test "bad NETSHIM_SCENARIO and NETSHIM_SEED: one line each, the rest applies; the variables are known" {
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO='no-such,no-ipv6' NETSHIM_SEED=12x \
		"$POL_PY" -c 'import socket
try:
    socket.socket(10)
except OSError as e:
    print(e.errno)'
	assert_success
	assert_output 97
	assert_equal "$stderr" "netshim: NETSHIM_SCENARIO=no-such,no-ipv6 names a scenario netshim does not know (see netshim run --list-scenarios); ignoring the unknown names
netshim: NETSHIM_SEED=12x is not a number from 0 to 18446744073709551615; picking a seed"
	# Set correctly, none of the three is an unknown variable.
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_SCENARIO=dns-down NETSHIM_SEED=1 NETSHIM_FAIL='connect=EPERM@1%' \
		"$POL_PY" -c 'print("ran")'
	assert_output ran
	assert_equal "$stderr" ""
}

@test "more than 32 rules: the rest are refused by name" {
	local rules= i
	for i in $(seq 33); do
		rules+="connect(:$i)=EPERM;"
	done
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL="$rules" "$POL_PY" -c 'print("ran")'
	assert_output ran
	assert_equal "$stderr" 'netshim: NETSHIM_FAIL: rule 33 "connect(:33)=EPERM" at column 1 ("connect(:33)=EPERM"): expected no more than 32 rules in all; that rule is ignored'
	# The 32 first apply.
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off NETSHIM_FAIL="${rules}connect(:34)=EPERM" \
		"$POL_PY" -c 'import socket
for port in (32, 33):
    try:
        socket.create_connection(("127.0.0.1", port))
    except OSError as e:
        print(port, e.errno)'
	assert_output $'32 1\n33 111'
	assert_equal "${stderr_lines[1]}" "netshim: NETSHIM_FAIL: 1 more rules ignored, not shown"
}

@test "a hostile NETSHIM_FAIL (10,000 bad rules, control bytes, format specifiers): five lines, the program runs" {
	local big
	# Linux takes no variable longer than 128 KiB (MAX_ARG_STRLEN).
	big=$(printf 'x%.0s;' $(seq 10000))
	run --separate-stderr env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL=$'socket(\x01%s%n\n)=EPERM;'"$big" "$POL_PY" -c 'print("ran")'
	assert_success
	assert_output ran
	assert_equal "${#stderr_lines[@]}" 5
	assert_equal "${stderr_lines[0]}" 'netshim: NETSHIM_FAIL: rule 1 "socket(\x01%s%n\x0a)=EPERM" at column 8 ("\x01%s%n\x0a)=EPERM"): expected a family (ipv4, ipv6, unix) or a protocol (tcp, udp, mptcp); that rule is ignored'
	assert_equal "${stderr_lines[4]}" "netshim: NETSHIM_FAIL: 9997 more rules ignored, not shown"
}

# ---------------------------------------------------------------------------
# Around the rules: empty values, the log and the report, errno, threads.

@test "empty NETSHIM_FAIL and NETSHIM_SCENARIO change nothing: same results as without them" {
	local code='import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(6, 23, 5)
print(s.getsockopt(6, 23), len(socket.getaddrinfo("localhost", 80)) > 0)'
	run pyrun NETSHIM_TRACE=off -- "$code"
	assert_success
	assert_output "5 True"
	run pyrun NETSHIM_TRACE=off NETSHIM_FAIL= NETSHIM_SCENARIO= -- "$code"
	assert_output "5 True"
}

@test "netshim log shows the injected rule; netshim report counts each rule" {
	run pyrun $(jt t) NETSHIM_FAIL='socket(ipv6)=EAFNOSUPPORT;connect(:9)=ECONNREFUSED' -- 'import socket
for i in range(2):
    try:
        socket.socket(socket.AF_INET6)
    except OSError:
        pass
try:
    socket.create_connection(("127.0.0.1", 9))
except OSError:
    pass'
	assert_success
	run env NO_COLOR=1 "$NETSHIM" log --call=connect "$T/t.json"
	assert_success
	assert_output --regexp 'connect .* = -1 ECONNREFUSED .*injected: connect\(:9\)=ECONNREFUSED$'
	run "$NETSHIM" report "$T/t.json"
	assert_success
	assert_output --partial 'Injected faults:'
	assert_output --regexp $'\n  socket\\(ipv6\\)=EAFNOSUPPORT +2\n  connect\\(:9\\)=ECONNREFUSED +1'
	run "$NETSHIM" report --json "$T/t.json"
	assert_success
	"$POL_PY" -c 'import json, sys
r = json.loads(sys.argv[1])
assert r["injected"] == {"socket(ipv6)=EAFNOSUPPORT": 2, "connect(:9)=ECONNREFUSED": 1}, r["injected"]
assert list(r)[list(r).index("policies") + 1] == "injected"' "$output"
}

@test "errno as the program sees it: the injected one on failure, its own on success and for lookups" {
	run env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL='socket(ipv6)=EAFNOSUPPORT;socket(udp)=delay(10ms);getaddrinfo(a.test)=EAI_AGAIN;getaddrinfo(b.test)=ECONNREFUSED' \
		"$NS_TESTBIN/fault_calls" errno
	assert_success
	assert_output --regexp '^socket-ipv6 ret=-1 errno=EAFNOSUPPORT
socket-udp-delayed ret=[0-9]+ errno=EDOM
gai-a ret=Temporary failure in name resolution errno=EDOM res=NULL
gai-b ret=EAI_SYSTEM errno=ECONNREFUSED res=NULL$'
}

@test "#COUNT is shared by threads: exactly that many of 8 x 40 connects fail" {
	local p

	p=$(free_port)
	run env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off \
		NETSHIM_FAIL="connect(127.0.0.1:$p)=EHOSTUNREACH#37" \
		timeout 60 "$NS_TESTBIN/fault_calls" threads 8 "$p" 40
	assert_success
	assert_output 'injected 37 of 320'
	run env LD_PRELOAD="$NS_PRELOAD" NETSHIM_TRACE=off NETSHIM_SEED=7 \
		NETSHIM_FAIL="connect(127.0.0.1:$p)=EHOSTUNREACH@50%#100" \
		timeout 60 "$NS_TESTBIN/fault_calls" threads 8 "$p" 40
	assert_success
	assert_output 'injected 100 of 320'
}
