#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim diff on traces of real programs: two runs that match, a host where a listener works against one where it fails, a program that made one socket more; exit statuses as diff(1).

load common

bats_require_minimum_version 1.5.0

NETSHIM="$NS_BUILDDIR/netshim"
SRVS="$NS_SRCDIR/tests/helpers/rep_servers.py"

setup_file() {
	srv_setup_file
}

setup() {
	srv_setup
}

teardown() {
	srv_teardown
}

# http_server: rep_servers.py http for N clients; its port in $HP.
http_server() {
	local i
	rm -f "$T/h.port"
	bg h "$POL_PY" "$SRVS" http "$T/h.port" "$1"
	for i in $(seq 100); do
		[ -s "$T/h.port" ] && break
		sleep 0.1
	done
	HP=$(cat "$T/h.port")
	[ -n "$HP" ] || fail "no server: $(cat "$T/h.err")"
}

# fetch TRACE [OPTION...]: python3 fetches the server's page, traced.
fetch() {
	local trace=$1
	shift
	timeout 20 "$NETSHIM" run "$@" --json -o "$trace" -- "$POL_PY" -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())' \
		"http://127.0.0.1:$HP/"
}

@test "two runs of the same program match: exit 0, whatever the times, pids and ports" {
	http_server 2
	run fetch "$T/a.json"
	assert_output ok
	run fetch "$T/b.json"
	assert_output ok
	# Not the same bytes: times, pids, the client's ports differ.
	! cmp -s "$T/a.json" "$T/b.json"
	run "$NETSHIM" diff "$T/a.json" "$T/b.json"
	assert_success
	assert_output --regexp '^The traces match: [0-9]+ and [0-9]+ events, the same calls with the same results\.$'
}

@test "a listener that works on one host and fails on another: the first differing call, both lines, and what differs" {
	need_mptcp_enabled
	run timeout 20 "$NETSHIM" run --json -o "$T/good.json" -- \
		"$NS_TESTBIN/rep_prog" tfo-listen
	assert_success
	run timeout 20 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo --json \
		-o "$T/bad.json" -- "$NS_TESTBIN/rep_prog" tfo-listen
	assert_failure 1
	la=$(jq -c '.option == "TCP_FASTOPEN"' "$T/good.json" | grep -n true | cut -d: -f1)
	lb=$(jq -c '.option == "TCP_FASTOPEN"' "$T/bad.json" | grep -n true | cut -d: -f1)
	run "$NETSHIM" diff "$T/good.json" "$T/bad.json"
	assert_failure 1
	assert_line --index 0 'First difference, process 1: socket 1:'
	assert_line --index 1 --regexp "^< $T/good\.json:$la: setsockopt\(fd=[0-9]+, sock=\{AF_INET SOCK_STREAM IPPROTO_MPTCP\}, level=IPPROTO_TCP, option=TCP_FASTOPEN, value=5, optlen=4\) = 0\$"
	assert_line --index 2 --regexp "^> $T/bad\.json:$lb: setsockopt\(fd=[0-9]+, sock=\{AF_INET SOCK_STREAM IPPROTO_MPTCP\}, level=IPPROTO_TCP, option=TCP_FASTOPEN, value=5, optlen=4\) = -1 ENOPROTOOPT  injected: setsockopt\(mptcp,TCP_FASTOPEN\)=ENOPROTOOPT\$"
	assert_line --regexp '^What differs \(A: [0-9]+ events, B: [0-9]+ events\):$'
	assert_line '    only in A: TCP_FASTOPEN on IPPROTO_MPTCP: ok (1)'
	assert_line '    only in B: TCP_FASTOPEN on IPPROTO_MPTCP: ENOPROTOOPT (1)'
	assert_line '    only in B: setsockopt ENOPROTOOPT (1)'
	assert_line '    only in B: setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT (1)'
}

@test "MPTCP on one host, refused on the other: the socket call differs, and the protocols" {
	need_mptcp_enabled
	local code='import socket
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
except OSError:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.close()'
	timeout 20 "$NETSHIM" run --json -o "$T/a.json" -- "$POL_PY" -c "$code"
	timeout 20 "$NETSHIM" run --scenario=mptcp-disabled --json \
		-o "$T/b.json" -- "$POL_PY" -c "$code"
	run "$NETSHIM" diff "$T/a.json" "$T/b.json"
	assert_failure 1
	assert_line --regexp '^< .*a\.json:[0-9]+: socket\(family=AF_INET, type=SOCK_STREAM\|SOCK_CLOEXEC, protocol=IPPROTO_MPTCP, fd=[0-9]+\) = [0-9]+$'
	assert_line --regexp '^> .*b\.json:[0-9]+: socket\(family=AF_INET, type=SOCK_STREAM\|SOCK_CLOEXEC, protocol=IPPROTO_MPTCP, fd=NULL\) = -1 ENOPROTOOPT  injected: socket\(mptcp\)=ENOPROTOOPT$'
	assert_line '  protocols:'
	assert_line --regexp '^    only in A: IPPROTO_MPTCP \([0-9]+\)$'
	assert_line '    only in B: socket ENOPROTOOPT (1)'
}

@test "one socket more in B: the stream A lacks is the difference" {
	http_server 3
	run fetch "$T/a.json"
	timeout 20 "$NETSHIM" run --json -o "$T/b.json" -- "$POL_PY" -c 'import socket, sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=10).read()
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()' "http://127.0.0.1:$HP/"
	run "$NETSHIM" diff "$T/a.json" "$T/b.json"
	assert_failure 1
	assert_line --regexp '^First difference, process 1: socket [0-9]+:$'
	assert_line '< (no such call: the stream ends here)'
	assert_line --regexp '^> .*b\.json:[0-9]+: socket\(family=AF_INET6, type=SOCK_DGRAM\|SOCK_CLOEXEC, protocol=IPPROTO_IP, fd=[0-9]+\) = [0-9]+$'
	assert_line '    only in B: AF_INET6 (1)'
}

@test "bad input is exit 2: a missing file, a text trace, binary data, one trace only" {
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/a.json" -- "$POL_PY" -c 'import socket; socket.socket().close()'
	ns_run NETSHIM_TRACE="$T/t.txt" -- "$POL_PY" -c 'import socket; socket.socket().close()'
	head -c 1000 /bin/sh >"$T/junk"
	run --separate-stderr "$NETSHIM" diff "$T/a.json" "$T/none.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "netshim diff: $T/none.json: No such file or directory" ]
	run --separate-stderr "$NETSHIM" diff "$T/t.txt" "$T/a.json"
	[ "$status" -eq 2 ]
	[[ $stderr == "netshim diff: $T/t.txt: a text trace"* ]]
	run --separate-stderr "$NETSHIM" diff "$T/a.json" "$T/junk"
	[ "$status" -eq 2 ]
	[ "$stderr" = "netshim diff: $T/junk: binary data, not a netshim trace" ]
	run --separate-stderr "$NETSHIM" diff "$T/a.json"
	[ "$status" -eq 2 ]
	[[ $stderr == "netshim diff: two traces to compare, A and B"* ]]
	run "$NETSHIM" diff "$T/a.json" "$T/a.json"
	assert_success
	run "$NETSHIM" diff --help
	assert_success
	assert_output --partial 'Exit status: 0 if the traces match, 1 if they differ, 2 on'
}
