#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real clients (curl, python3) against loopback servers: what the JSON trace says they resolved and used.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	SERVER_PID=
	T="$BATS_TEST_TMPDIR/trace.json"
}

teardown() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
}

# start_server ADDR...: an HTTP server on one port on every ADDR; its body
# names the address that served. Sets PORT.
start_server() {
	local ready="$BATS_TEST_TMPDIR/ready"

	cat >"$BATS_TEST_TMPDIR/server.py" <<'PY'
import http.server, socket, sys, threading

ready, addrs = sys.argv[1], sys.argv[2:]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("served by %s\n" % self.server.name).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

class V4(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET
class V6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

# One port free on every address: take one from the first, retry.
for attempt in range(50):
    servers = []
    try:
        port = 0
        for a in addrs:
            cls = V6 if ":" in a else V4
            s = cls((a, port), Handler)
            s.name = a
            port = s.server_address[1]
            servers.append(s)
        break
    except OSError:
        for s in servers:
            s.server_close()
else:
    sys.exit("no common free port")
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
with open(ready + ".tmp", "w") as f:
    f.write(str(port))
import os
os.rename(ready + ".tmp", ready)
threading.Event().wait(120)
PY
	rm -f "$ready"
	"$PY" "$BATS_TEST_TMPDIR/server.py" "$ready" "$@" 3>&- &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$ready" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$ready" ] || fail "server on $* did not start"
	PORT=$(cat "$ready")
}

# jq-like checks in python: check_trace TRACE PYTHON-EXPRESSIONS... where
# ev is the list of events; each expression must hold.
check_trace() {
	local trace="$1"
	shift
	json_lines "$trace"
	"$PY" - "$trace" "$@" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
def calls(name, prog=None):
    return [e for e in ev if e["call"] == name and (prog is None or e["prog"] == prog)]
for expr in sys.argv[2:]:
    if not eval(expr):
        sys.exit("does not hold: %s\nevents:\n%s" % (expr, "\n".join(json.dumps(e) for e in ev)))
PY
}

nss_wrapper() {
	local f
	for f in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

@test "curl to 127.0.0.1: socket and connect name AF_INET and the address used" {
	start_server 127.0.0.1
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 curl -sS --noproxy '*' "http://127.0.0.1:$PORT/"
	assert_success
	assert_output "served by 127.0.0.1"
	check_trace "$T" \
		"any(e['family'] == 'AF_INET' and e['type'].startswith('SOCK_STREAM') and e['ret'] >= 0 for e in calls('socket', 'curl'))" \
		"[e['addr'] for e in calls('connect', 'curl')] == ['127.0.0.1:$PORT']" \
		"all(e['sock'] == {'family': 'AF_INET', 'type': 'SOCK_STREAM', 'protocol': 'IPPROTO_TCP'} for e in calls('connect'))" \
		"all(e['pid'] == ev[0]['pid'] for e in ev)"
}

@test "curl to [::1]: connect has sock.family AF_INET6 and addr [::1]:PORT" {
	start_server ::1
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 curl -sS --noproxy '*' "http://[::1]:$PORT/"
	assert_success
	assert_output "served by ::1"
	check_trace "$T" \
		"any(e['family'] == 'AF_INET6' and e['ret'] >= 0 for e in calls('socket', 'curl'))" \
		"[e['addr'] for e in calls('connect')] == ['[::1]:$PORT']" \
		"calls('connect')[0]['sock'] == {'family': 'AF_INET6', 'type': 'SOCK_STREAM', 'protocol': 'IPPROTO_TCP'}"
}

@test "curl to a closed port: connect fails with ECONNREFUSED, as curl says" {
	local port
	port=$(free_port)
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 curl -sS --noproxy '*' "http://127.0.0.1:$port/"
	assert_failure 7
	check_trace "$T" \
		"[e['addr'] for e in calls('connect')] == ['127.0.0.1:$port']" \
		"any(e['option'] == 'SO_ERROR' and e['value'] == 111 for e in calls('getsockopt'))"
}

@test "python3 urllib to 127.0.0.1 and create_connection to ::1: getaddrinfo, socket, connect" {
	start_server 127.0.0.1 ::1
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- timeout 20 "$PY" -c '
import socket, sys, urllib.request
port = int(sys.argv[1])
print(urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10).read().decode().strip())
s = socket.create_connection(("::1", port), timeout=10)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
reply = b""
while len(reply) < 65536:
    chunk = s.recv(4096)
    if not chunk:
        break
    reply += chunk
print(reply.decode().splitlines()[-1])
s.close()
' "$PORT"
	assert_success
	assert_line --index 0 "served by 127.0.0.1"
	assert_line --index 1 "served by ::1"
	check_trace "$T" \
		"[e['node'] for e in calls('getaddrinfo')] == ['127.0.0.1', '::1']" \
		"calls('getaddrinfo')[0]['results'][0] == {'family': 'AF_INET', 'addr': '127.0.0.1:$PORT'}" \
		"calls('getaddrinfo')[1]['results'][0] == {'family': 'AF_INET6', 'addr': '[::1]:$PORT'}" \
		"all(e['error'] is None and e['ret'] == 0 for e in calls('getaddrinfo'))" \
		"[e['addr'] for e in calls('connect')] == ['127.0.0.1:$PORT', '[::1]:$PORT']" \
		"[e['sock']['family'] for e in calls('connect')] == ['AF_INET', 'AF_INET6']" \
		"[e['family'] for e in calls('socket')] == ['AF_INET', 'AF_INET6']" \
		"all(e['prog'].startswith('python3') for e in ev)"
}

# dual_stack_checks TRACE CURL-OUTPUT: what curl got for dual.test.
dual_stack_checks() {
	check_trace "$1" \
		"len(calls('getaddrinfo', 'curl')) == 1" \
		"calls('getaddrinfo', 'curl')[0]['node'] == 'dual.test'" \
		"sorted(r['family'] for r in calls('getaddrinfo', 'curl')[0]['results']) == ['AF_INET', 'AF_INET6']" \
		"sorted(r['addr'] for r in calls('getaddrinfo', 'curl')[0]['results']) == ['127.0.0.1:$PORT', '[::1]:$PORT']" \
		"calls('connect', 'curl')[-1]['addr'] in ('127.0.0.1:$PORT', '[::1]:$PORT')" \
		"calls('connect', 'curl')[-1]['addr'] == {'127.0.0.1': '127.0.0.1:$PORT', '::1': '[::1]:$PORT'}['$2']" \
		"calls('connect', 'curl')[-1]['sock']['family'] == {'127.0.0.1': 'AF_INET', '::1': 'AF_INET6'}['$2']"
}

# python_order_checks TRACE PROGRAM-OUTPUT: the trace lists what the
# program received, in that order.
PY_ORDER='
import socket, sys
for fam, _, _, _, sa in socket.getaddrinfo("dual.test", int(sys.argv[1]), type=socket.SOCK_STREAM):
    print(("[%s]:%d" if fam == socket.AF_INET6 else "%s:%d") % sa[:2])
'
python_order_checks() {
	local got
	got=$(printf "'%s'," $2)
	check_trace "$1" \
		"[r['addr'] for r in calls('getaddrinfo')[0]['results']] == [$got]" \
		"len(calls('getaddrinfo')[0]['results']) == 2"
}

@test "dual-stack name via nss_wrapper as a second preload: both families listed, connect shows the one used" {
	local nssw hosts="$BATS_TEST_TMPDIR/hosts" bare
	nssw=$(nss_wrapper) || skip "nss_wrapper is not installed"
	start_server 127.0.0.1 ::1
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$hosts"
	# Bare: nss_wrapper alone.
	bare=$(NSS_WRAPPER_HOSTS="$hosts" LD_PRELOAD="$nssw" timeout 20 \
		curl -sS --noproxy '*' "http://dual.test:$PORT/")
	[[ "$bare" == "served by "* ]]
	LD_PRELOAD="$nssw" run ns_run NSS_WRAPPER_HOSTS="$hosts" \
		NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 curl -sS --noproxy '*' "http://dual.test:$PORT/"
	assert_success
	assert_output "$bare"
	dual_stack_checks "$T" "${bare#served by }"
	# The order: what a program is handed is what the trace lists.
	rm -f "$T"
	LD_PRELOAD="$nssw" run ns_run NSS_WRAPPER_HOSTS="$hosts" \
		NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 "$PY" -c "$PY_ORDER" "$PORT"
	assert_success
	python_order_checks "$T" "$output"
}

@test "dual-stack name via /etc/hosts in a private mount namespace: same answer as the bare run" {
	local hosts="$BATS_TEST_TMPDIR/hosts" bare
	need_root
	start_server 127.0.0.1 ::1
	printf '127.0.0.1 localhost\n::1 localhost\n::1 dual.test\n127.0.0.1 dual.test\n' >"$hosts"
	# in_ns PROGRAM...: PROGRAM with $hosts as /etc/hosts.
	in_ns() {
		timeout 30 unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" "$@"
	}
	bare=$(in_ns curl -sS --noproxy '*' "http://dual.test:$PORT/")
	[[ "$bare" == "served by "* ]]
	run in_ns env NETSHIM_FORMAT=json NETSHIM_TRACE="$T" LD_PRELOAD="$NS_PRELOAD" \
		curl -sS --noproxy '*' "http://dual.test:$PORT/"
	assert_success
	assert_output "$bare"
	dual_stack_checks "$T" "${bare#served by }"
	rm -f "$T"
	run in_ns env NETSHIM_FORMAT=json NETSHIM_TRACE="$T" LD_PRELOAD="$NS_PRELOAD" \
		"$PY" -c "$PY_ORDER" "$PORT"
	assert_success
	python_order_checks "$T" "$output"
	# The real /etc/hosts knows nothing of it.
	run grep -c dual.test /etc/hosts
	assert_output 0
}

@test "a name that does not resolve: getaddrinfo event has the EAI error and no results" {
	need_root
	# In a network namespace of its own, with only lo up: the DNS query
	# the resolver makes for an unknown name goes nowhere.
	run timeout 30 unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		env NETSHIM_FORMAT=json NETSHIM_TRACE="$T" LD_PRELOAD="$NS_PRELOAD" \
		"$PY" -c '
import socket
try:
    socket.getaddrinfo("missing.test", 80, type=socket.SOCK_STREAM)
except socket.gaierror as e:
    print("gaierror", e.errno)
'
	assert_success
	assert_output --regexp '^gaierror -[0-9]+$'
	check_trace "$T" \
		"calls('getaddrinfo')[0]['node'] == 'missing.test'" \
		"calls('getaddrinfo')[0]['service'] == '80'" \
		"calls('getaddrinfo')[0]['hints']['socktype'] == 'SOCK_STREAM'" \
		"calls('getaddrinfo')[0]['error'].startswith('EAI_')" \
		"calls('getaddrinfo')[0]['ret'] == int('${output#gaierror }')" \
		"'results' not in calls('getaddrinfo')[0] or not calls('getaddrinfo')[0]['results']"
}
