#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Load: many threads, many processes and an exec chain writing one trace or a file each; every line whole and every event accounted for.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	T="$BATS_TEST_TMPDIR/trace.json"
	SERVER_PID=
}

teardown() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
}

# whole_lines FILE N: FILE has exactly N lines, each one JSON object
# (jq parses every line on its own: a torn or interleaved line fails).
whole_lines() {
	local n
	n=$(wc -l <"$1")
	[ "$n" -eq "$2" ] || fail "$1 has $n lines, expected $2"
	# The last byte is a newline: no partial line at the end.
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] ||
		fail "$1 does not end with a newline"
	n=$(jq -R -c 'fromjson | objects | .call' "$1" | wc -l) ||
		fail "a line of $1 is not JSON"
	[ "$n" -eq "$2" ] || fail "$n of $2 lines of $1 are JSON objects"
}

# counts FILE JQ-GROUP-KEY: "key count" lines, sorted, from a jq grouping.
counts() {
	jq -r "$2" "$1" | sort | uniq -c | awk '{print $2, $1}'
}

@test "16 threads x 1000 rounds (socket, setsockopt, connect, close) to one file: 96004 whole JSON lines, 1000 of each per thread" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 120 "$NS_TESTBIN/proc_threads" 16 1000
	assert_success
	assert_output "ok 16 1000"
	# listener socket, bind, listen, close; 16000 x (socket setsockopt
	# connect close) in the workers, 16000 x (accept close) in the
	# acceptor thread.
	whole_lines "$T" 96004
	run counts "$T" '.call'
	assert_output "$(printf '%s\n' 'accept 16000' 'bind 1' \
		'close 32001' 'connect 16000' 'listen 1' 'setsockopt 16000' \
		'socket 16001')"
	# Per thread: each of the 16 workers connected exactly 1000 times.
	run counts "$T" 'select(.call == "connect") | .tid'
	[ "${#lines[@]}" -eq 16 ]
	run grep -cv ' 1000$' <<<"$output"
	assert_output 0
	# Every connect went to the listener and succeeded.
	run jq -c 'select(.call == "connect" and (.ret != 0 or
		.sock.protocol != "IPPROTO_TCP"))' "$T"
	assert_output ""
}

@test "8 forked children x 500 rounds appending to one file: 24004 whole JSON lines, 500 of each per child" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 120 "$NS_TESTBIN/rel_stress" fork 8 500
	assert_success
	assert_line "ok 8 500"
	local children
	children=$(sed -n 's/^child \([0-9]*\)$/\1/p' <<<"$output" | sort)
	[ "$(wc -w <<<"$children")" -eq 8 ]
	# Each child: 500 x (socket setsockopt connect close); the parent:
	# listener socket bind listen close, and 4000 x (accept close).
	whole_lines "$T" 24004
	local pid
	for pid in $children; do
		run counts "$T" "select(.pid == $pid) | .call"
		assert_output "$(printf '%s\n' 'close 500' 'connect 500' \
			'setsockopt 500' 'socket 500')"
		# The child's own tid is its pid: it is a new process.
		run jq -c "select(.pid == $pid and .tid != $pid)" "$T"
		assert_output ""
	done
	run counts "$T" "select([.pid] | inside([$(tr '\n' ',' \
		<<<"$children" | sed 's/,$//')]) | not) | .call"
	assert_output "$(printf '%s\n' 'accept 4000' 'bind 1' 'close 4001' \
		'listen 1' 'socket 1')"
}

# start_server: an HTTP server, not traced, that appends a line to
# $BATS_TEST_TMPDIR/served for each request. Sets PORT.
start_server() {
	local ready="$BATS_TEST_TMPDIR/ready"
	cat >"$BATS_TEST_TMPDIR/server.py" <<'PY'
import http.server, os, sys, threading
ready, log = sys.argv[1:3]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write("%s %d\n" % self.client_address)
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(ready + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(ready + ".tmp", ready)
threading.Timer(120, s.shutdown).start()
s.serve_forever()
PY
	"$PY" "$BATS_TEST_TMPDIR/server.py" "$ready" \
		"$BATS_TEST_TMPDIR/served" 3>&- &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$ready" ] && break
		sleep 0.1
	done
	[ -s "$ready" ] || fail "the server did not start"
	PORT=$(cat "$ready")
}

# python: 5 requests of its own, 2 forked children with 2 each, then 3
# curls through subprocess (fork or vfork, then exec).
CHAIN_PY='
import http.client, os, subprocess, sys
port = int(sys.argv[1])
def get():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/")
    assert c.getresponse().read() == b"ok\n"
    c.close()
for _ in range(5):
    get()
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        get(); get()
        os._exit(0)
    kids.append(pid)
for pid in kids:
    assert os.waitpid(pid, 0)[1] == 0
for _ in range(3):
    subprocess.run(["curl", "-sS", "--noproxy", "*", "-o", "/dev/null",
                    "http://127.0.0.1:%d/" % port], check=True, timeout=20)
print("py-done")
'

@test "%p across sh -c -> python3 (+2 forks) -> 3 curls against a local server: a file per process, every connect in its own file" {
	start_server
	mkdir "$BATS_TEST_TMPDIR/tr"
	run ns_run NETSHIM_FORMAT=json \
		NETSHIM_TRACE="$BATS_TEST_TMPDIR/tr/t.%p" -- timeout 60 \
		sh -c '"$0" -c "$1" "$2"; echo sh-done' "$PY" "$CHAIN_PY" "$PORT"
	assert_success
	assert_output $'py-done\nsh-done'
	# The server saw 5 + 2 x 2 + 3 requests.
	run wc -l <"$BATS_TEST_TMPDIR/served"
	assert_output 12
	"$PY" - "$BATS_TEST_TMPDIR/tr" "$PORT" <<'PY'
import collections, json, os, re, sys
d, port = sys.argv[1], sys.argv[2]
want = "127.0.0.1:" + port
per = {}
for name in os.listdir(d):
    m = re.fullmatch(r"t\.(\d+)", name)
    assert m, "unexpected file " + name
    ev = [json.loads(l) for l in open(os.path.join(d, name))]
    # Every event in a file is that process's.
    bad = [e for e in ev if e["pid"] != int(m.group(1))]
    assert not bad, (name, bad[:2])
    # The program after its last exec (a subprocess child's dup2s and
    # closes before exec are python's).
    prog = ev[-1]["prog"] if ev else "-"
    n = sum(1 for e in ev if e["call"] == "connect" and e.get("addr") == want)
    per[int(m.group(1))] = (prog, n)
byprog = collections.defaultdict(list)
for pid, (prog, n) in per.items():
    byprog[prog].append(n)
got = {p: sorted(v) for p, v in byprog.items()}
# timeout and sh make no socket call: their files are there, empty.
expect = {"-": [0, 0], "curl": [1, 1, 1]}
py = [p for p in got if p.startswith("python")]
assert len(py) == 1, got
expect[py[0]] = [2, 2, 5]
assert got == expect, "per program, connects to the server: %s" % got
assert len(per) == 8, per
PY
}
