#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim report's findings, sockets and lookups on traces of real programs: MPTCP and TCP Fast Open on Linux 6.1, a dual-stack name whose IPv6 address is a tarpit, proxychains4, a v4-mapped address, a %p set; and bad input.

load common

bats_require_minimum_version 1.5.0

NETSHIM="$NS_BUILDDIR/netshim"
SRVS="$NS_SRCDIR/tests/helpers/rep_servers.py"
GO123=/usr/lib/go-1.23/bin/go

# rep_gonet (tests/helpers/rep_gonet.go), static, with Go 1.23 for
# SetMultipathTCP; the build cache outlives the run, so a second run of the
# suite does not build it all again.
setup_file() {
	local d=$BATS_FILE_TMPDIR/go

	srv_setup_file
	[ -x "$GO123" ] || return 0
	mkdir -p "$d" "$NS_BUILDDIR/tests/go-cache"
	(
		cd "$d" &&
		export HOME="$d" GOCACHE="$NS_BUILDDIR/tests/go-cache" \
			GOPATH="$d/gopath" GO111MODULE=off GOFLAGS= GOPROXY=off \
			GOTOOLCHAIN=local CGO_ENABLED=0 &&
		timeout 300 "$GO123" build -o rep_gonet \
			"$NS_SRCDIR/tests/helpers/rep_gonet.go"
	) >"$d/build.log" 2>&1 || true
}

setup() {
	srv_setup
	G=$BATS_FILE_TMPDIR/go/rep_gonet
}

teardown() {
	srv_teardown
}

need_gonet() {
	[ -x "$GO123" ] || skip "no Go 1.23 at $GO123"
	[ -x "$G" ] || fail "go build failed: $(cat "$BATS_FILE_TMPDIR/go/build.log")"
	timeout 20 "$NETSHIM" run --front=seccomp -o off -- true 2>"$T/probe" ||
		fail "netshim run --front=seccomp true: $(cat "$T/probe")"
	if grep -q 'no seccomp front' "$T/probe"; then
		skip "$(cat "$T/probe")"
	fi
}

# server NAME KIND [ARG...]: tests/helpers/rep_servers.py KIND in the
# background; $PORT_NAME is its port once it listens.
server() {
	local name=$1 kind=$2 i
	shift 2
	rm -f "$T/$name.port"
	bg "$name" "$POL_PY" "$SRVS" "$kind" "$T/$name.port" "$@"
	for i in $(seq 100); do
		[ -s "$T/$name.port" ] && break
		sleep 0.1
	done
	[ -s "$T/$name.port" ] || fail "server $name: $(cat "$T/$name.err")"
	printf -v "PORT_$name" %s "$(cat "$T/$name.port")"
}

# line_of FILE JQ: the line number of the first event of FILE matching JQ.
line_of() {
	jq -c "$2" "$1" | grep -n true | head -1 | cut -d: -f1
}

# finding REPORT KIND: the first finding of KIND in the JSON REPORT.
finding() {
	jq -e --arg k "$2" '[.findings[] | select(.kind == $k)][0]' "$1"
}

# tarpit_hosts: $T/hosts names tarpit.test ::1 first, then 127.0.0.1.
tarpit_hosts() {
	printf '127.0.0.1 localhost\n::1 tarpit.test\n127.0.0.1 tarpit.test\n' \
		>"$T/hosts"
}

# ---------------------------------------------------------------------------
# MPTCP and TCP Fast Open

@test "TFO on an MPTCP listener under linux-6.1-mptcp-tfo: a finding with cause, fixes and the line (C)" {
	need_mptcp_enabled
	run timeout 20 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo --json \
		-o "$T/c.json" -- "$NS_TESTBIN/rep_prog" tfo-listen
	assert_failure 1
	assert_output 'tfo: Protocol not available'
	l=$(line_of "$T/c.json" '.option == "TCP_FASTOPEN"')
	[ -n "$l" ]
	run "$NETSHIM" report --json "$T/c.json"
	assert_success
	echo "$output" >"$T/r.json"
	finding "$T/r.json" mptcp-option-refused >"$T/f.json"
	jq -e '.summary | startswith("TCP_FASTOPEN refused on an MPTCP socket (ENOPROTOOPT): rep_prog[")' "$T/f.json"
	jq -e '.cause | test("Linux before 6.2") and test("Go 1.24")' "$T/f.json"
	jq -e '.fix | test("--tfo=retry") and test("--mptcp=strip") and test("GODEBUG=multipathtcp=0") and test("6.2")' "$T/f.json"
	jq -e --argjson l "$l" --arg f "$T/c.json" '.lines[0] == {"file": $f, "line": $l}' "$T/f.json"
	# The injected refusal says it was injected.
	jq -e '[.findings[] | select(.kind == "injected")] | length == 1' "$T/r.json"
	# The socket: MPTCP, listening, the refused option and the rule.
	jq -e '[.sockets[] | select(.obtained.protocol == "IPPROTO_MPTCP")][0]
		| .listening and .asked.protocol == "IPPROTO_MPTCP"
		and (.options | map(.option + " " + (.errno // "ok")) | index("TCP_FASTOPEN ENOPROTOOPT") != null)
		and .policies[0].injected == "setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT"' "$T/r.json"
	run "$NETSHIM" report "$T/c.json"
	assert_success
	assert_line --regexp '^1\. TCP_FASTOPEN refused on an MPTCP socket \(ENOPROTOOPT\): rep_prog\[[0-9]+\]$'
	assert_line --regexp "^  lines: .*c\.json:$l\$"
	assert_line --regexp '^  fix: +netshim run --tfo=retry'
}

@test "TFO on an MPTCP listener: the policy that fixes it is a finding too, and the refusal stays one" {
	need_mptcp_enabled
	run timeout 20 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo --tfo=retry \
		--json -o "$T/c.json" -- "$NS_TESTBIN/rep_prog" tfo-listen
	assert_success
	assert_output listening
	run "$NETSHIM" report --json "$T/c.json"
	assert_success
	jq -e '[.findings[].kind] | index("mptcp-option-refused") != null and index("policy") != null' <<<"$output"
	jq -e '[.findings[] | select(.kind == "policy")][0].summary
		| test("tfo=retry: kernel refused TCP_FASTOPEN")' <<<"$output"
	# No first failure: the program saw none.
	jq -e '.first_failures == []' <<<"$output"
}

@test "TFO on a Go MPTCP listener (SetMultipathTCP, TCP_FASTOPEN after Listen), seccomp front" {
	need_gonet
	need_mptcp_enabled
	run timeout 20 "$NETSHIM" run --scenario=linux-6.1-mptcp-tfo --json \
		-o "$T/g.json" -- "$G" listen-tfo
	assert_failure 1
	assert_output 'tfo: protocol not available'
	l=$(line_of "$T/g.json" '.option == "TCP_FASTOPEN"')
	run "$NETSHIM" report --json "$T/g.json"
	assert_success
	echo "$output" >"$T/r.json"
	finding "$T/r.json" mptcp-option-refused >"$T/f.json"
	jq -e '.summary | startswith("TCP_FASTOPEN refused on an MPTCP socket (ENOPROTOOPT): rep_gonet[")' "$T/f.json"
	jq -e --argjson l "$l" '.lines[0].line == $l' "$T/f.json"
	# The first failure is the option, not an EAGAIN of the runtime.
	jq -e '.first_failures[0] | .call == "setsockopt" and .errno == "ENOPROTOOPT"' "$T/r.json"
	jq -e '[.first_failures[] | .errno] | index("EAGAIN") == null' "$T/r.json"
}

@test "MPTCP refused by the host (mptcp-disabled) and Go's own fallback to TCP: two findings" {
	need_gonet
	server h http 2
	run timeout 20 "$NETSHIM" run --scenario=mptcp-disabled --json \
		-o "$T/d.json" -- "$G" dial-mptcp "127.0.0.1:$PORT_h"
	assert_success
	assert_output 'connected, mptcp false'
	run "$NETSHIM" report --json "$T/d.json"
	assert_success
	echo "$output" >"$T/r.json"
	finding "$T/r.json" mptcp-refused >"$T/f.json"
	jq -e '.summary | test("^MPTCP refused by the host: socket\\(AF_INET, IPPROTO_MPTCP\\) failed with ENOPROTOOPT \\(injected\\)")' "$T/f.json"
	jq -e '.cause | test("net.mptcp.enabled is 0")' "$T/f.json"
	finding "$T/r.json" mptcp-dropped >"$T/f.json"
	jq -e --arg a "127.0.0.1:$PORT_h" '.summary | test("dropped MPTCP by itself") and contains($a)' "$T/f.json"
	l=$(line_of "$T/d.json" '.call == "connect"')
	jq -e --argjson l "$l" '[.lines[].line] | index($l) != null' "$T/f.json"
}

# ---------------------------------------------------------------------------
# A dual-stack name whose IPv6 address is a tarpit

# tarpit_check REPORT PROG: the lookup of tarpit.test and its finding.
tarpit_check() {
	jq -e --arg p "$PORT_tp" '[.lookups[] | select(.name == "tarpit.test")][0]
		| .answers[0] == "[::1]:\($p)" and .answers[1] == "127.0.0.1:\($p)"
		and .dials[0].addr == "[::1]:\($p)" and .dials[0].outcome == "never completed"
		and .dials[1].addr == "127.0.0.1:\($p)" and .dials[1].outcome == "connected"
		and .served == "127.0.0.1:\($p)"' "$1"
	finding "$1" ipv6-first-failed >"$T/f.json"
	jq -e --arg p "$PORT_tp" --arg prog "$2" '.summary
		| startswith("tarpit.test: first answer [::1]:\($p) (IPv6), dialled [::1]:\($p): never completed")
		and contains("then 127.0.0.1:\($p) connected, served: \($prog)[")' "$T/f.json"
	jq -e '.fix | test("netshim run -4") and test("--prefer=ipv4") and test("Happy Eyeballs")' "$T/f.json"
	jq -e '.lines | length == 3' "$T/f.json"
	# The IPv6 socket never completed: in the sockets table too.
	jq -e --arg p "$PORT_tp" '[.sockets[] | select(.peer == "[::1]:\($p)")][0].connect.outcome == "never completed"' "$1"
	# EINPROGRESS is no failure.
	jq -e '[.first_failures[] | .errno] | index("EINPROGRESS") == null' "$1"
}

@test "tarpit on ::1: python3 waits for its timeout, then 127.0.0.1 serves; the lookup and the finding say so" {
	need_root
	tarpit_hosts
	server tp tarpit 3
	run with_hosts "$T/hosts" -- "$NETSHIM" run --json -o "$T/p.json" -- \
		"$POL_PY" -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=1).read().decode().strip())' \
		"http://tarpit.test:$PORT_tp/"
	assert_success
	assert_output four
	"$NETSHIM" report --json "$T/p.json" >"$T/r.json"
	tarpit_check "$T/r.json" python3
	run "$NETSHIM" report "$T/p.json"
	assert_line --regexp '^    dialled \[::1\]:[0-9]+ at \+0\.[0-9]+ s: never completed after 1\.[0-9]+ s$'
	assert_line --regexp '^    dialled 127\.0\.0\.1:[0-9]+ at \+1\.[0-9]+ s: connected after [0-9.]+ s, served$'
}

@test "tarpit on ::1: curl's Happy Eyeballs dials 127.0.0.1 while ::1 hangs; the lookup and the finding say so" {
	need_root
	tarpit_hosts
	server tp tarpit 3
	run with_hosts "$T/hosts" -- "$NETSHIM" run --json -o "$T/c.json" -- \
		curl -sS --max-time 10 "http://tarpit.test:$PORT_tp/"
	assert_success
	assert_output four
	"$NETSHIM" report --json "$T/c.json" >"$T/r.json"
	tarpit_check "$T/r.json" curl
}

@test "tarpit on ::1: a Go client (seccomp front, no lookup events) falls back to IPv4; the dials tell it" {
	need_root
	need_gonet
	tarpit_hosts
	server tp tarpit 3
	run with_hosts "$T/hosts" -- "$NETSHIM" run --json -o "$T/g.json" -- \
		"$G" get "http://tarpit.test:$PORT_tp/"
	assert_success
	assert_output four
	run "$NETSHIM" report --json "$T/g.json"
	assert_success
	echo "$output" >"$T/r.json"
	finding "$T/r.json" ipv6-first-failed >"$T/f.json"
	jq -e --arg p "$PORT_tp" '.summary
		| test("^IPv6 dialled first: \\[::1\\]:\($p) had not completed after 0\\.[0-9]+ s when rep_gonet\\[[0-9]+\\] tried 127\\.0\\.0\\.1:\($p)$")' "$T/f.json"
	# (Go's resolver connects UDP sockets to port 53 to sort addresses.)
	l6=$(line_of "$T/g.json" '.call == "connect" and .sock.type == "SOCK_STREAM" and (.addr | startswith("[::1]"))')
	l4=$(line_of "$T/g.json" '.call == "connect" and .sock.type == "SOCK_STREAM" and (.addr | startswith("127."))')
	jq -e --argjson a "$l6" --argjson b "$l4" '[.lines[].line] == [$a, $b]' "$T/f.json"
	jq -e '.fix | test("netshim run -4")' "$T/f.json"
}

# ---------------------------------------------------------------------------
# Family changes

@test "proxychains4 through a local SOCKS5 server: the program's AF_INET6 socket replaced by dup2 before connect" {
	command -v proxychains4 >/dev/null || skip "proxychains4 is not installed"
	server h http 2 ::1
	server s socks5 2
	printf 'strict_chain\nquiet_mode\n[ProxyList]\nsocks5 127.0.0.1 %s\n' \
		"$PORT_s" >"$T/pc.conf"
	run timeout 30 "$NETSHIM" run --json -o "$T/x.json" -- proxychains4 -q \
		-f "$T/pc.conf" curl -sS --max-time 10 "http://[::1]:$PORT_h/"
	assert_success
	assert_output ok
	run "$NETSHIM" report --json "$T/x.json"
	assert_success
	echo "$output" >"$T/r.json"
	finding "$T/r.json" descriptor-replaced >"$T/f.json"
	jq -e --arg s "127.0.0.1:$PORT_s" '.summary
		| test("^fd [0-9]+, made by socket\\(AF_INET6, IPPROTO_TCP\\) at .*x\\.json:[0-9]+, was replaced by dup2 of fd [0-9]+ \\(AF_INET, connected to ")
		and contains($s) and test("options set on it are lost \\(TCP_NODELAY=1 ok")' "$T/f.json"
	ls=$(line_of "$T/x.json" '.call == "socket" and .family == "AF_INET6" and .type == "SOCK_STREAM"')
	lc=$(line_of "$T/x.json" '.call == "connect"')
	ld=$(line_of "$T/x.json" '.call == "dup2"')
	jq -e --argjson a "$ls" --argjson b "$lc" --argjson c "$ld" '[.lines[].line] == [$a, $b, $c]' "$T/f.json"
	# In the sockets table: the replaced one and the one that took its place.
	jq -e '[.sockets[] | select(.closed_by != null and (.closed_by | startswith("replaced by dup2")))] | length == 1' "$T/r.json"
	jq -e '[.sockets[] | select(.made_by | startswith("dup2 of fd"))][0].replaced | test("was socket\\(AF_INET6 ")' "$T/r.json"
}

@test "an AF_INET6 socket connected to a v4-mapped address is a finding" {
	server h http 2
	run timeout 20 "$NETSHIM" run --json -o "$T/m.json" -- \
		"$NS_TESTBIN/rep_prog" mapped "$PORT_h"
	assert_success
	assert_output connected
	run "$NETSHIM" report --json "$T/m.json"
	assert_success
	echo "$output" >"$T/r.json"
	finding "$T/r.json" v4-mapped >"$T/f.json"
	jq -e --arg a "[::ffff:127.0.0.1]:$PORT_h" '.summary | startswith("an AF_INET6 socket connected to the IPv4-mapped address \($a): rep_prog[")' "$T/f.json"
	jq -e '.fix | test("netshim run -4")' "$T/f.json"
	l=$(line_of "$T/m.json" '.call == "connect"')
	jq -e --argjson l "$l" '.lines[0].line == $l' "$T/f.json"
	jq -e --arg a "[::ffff:127.0.0.1]:$PORT_h" '[.sockets[] | select(.peer == $a)][0]
		| .obtained.family == "AF_INET6" and .connect.outcome == "connected" and .closed != null' "$T/r.json"
}

# ---------------------------------------------------------------------------
# Several files, and bad input

@test "a %p set from a shell running several programs: report and log merge the files in time order" {
	server h http 3
	run timeout 30 "$NETSHIM" run --json -o "$T/s.%p.json" -- sh -c '
		"$1" -c "import socket; socket.create_connection((\"127.0.0.1\", $3)).close()"
		curl -sS -o /dev/null "http://127.0.0.1:$3/"
		"$2" mapped "$3"' sh "$POL_PY" "$NS_TESTBIN/rep_prog" "$PORT_h"
	assert_success
	n=$(ls "$T"/s.*.json | wc -l)
	[ "$n" -ge 3 ]
	total=$(cat "$T"/s.*.json | wc -l)
	run "$NETSHIM" report --json "$T"/s.*.json
	assert_success
	jq -e --argjson t "$total" '.events == $t and .bad_lines == 0' <<<"$output"
	jq -e '[.sockets[].prog] | unique | (index("python3") != null and index("curl") != null and index("rep_prog") != null)' <<<"$output"
	jq -e '[.findings[].kind] | index("v4-mapped") != null' <<<"$output"
	run "$NETSHIM" report "$T"/s.*.json
	assert_line --regexp "^$total events from $n traces\$"
	# log: one stream, in time order, every event once.
	"$NETSHIM" log --color=never "$T"/s.*.json >"$T/log"
	[ "$(wc -l <"$T/log")" -eq "$total" ]
	cut -c1-15 "$T/log" | sort -c
	[ "$(cut -d' ' -f2 "$T/log" | sort -u | wc -l)" -ge 3 ]
}

@test "bad input: a text trace and binary data are refused in one line with exit 1; the other files are read" {
	ns_run NETSHIM_TRACE="$T/t.txt" -- "$POL_PY" -c 'import socket; socket.socket().close()'
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/ok.json" -- "$POL_PY" -c 'import socket; socket.socket().close()'
	head -c 2000 /bin/sh >"$T/junk"
	for cmd in report log "export --format=otlp"; do
		run --separate-stderr $NETSHIM $cmd "$T/t.txt"
		assert_failure 1
		[ "$stderr" = "netshim ${cmd%% *}: $T/t.txt: a text trace (netshim's default format); only JSON traces can be read: record one with 'netshim run --json -o FILE' (NETSHIM_FORMAT=json)" ]
		run --separate-stderr $NETSHIM $cmd "$T/junk"
		assert_failure 1
		[ "$stderr" = "netshim ${cmd%% *}: $T/junk: binary data, not a netshim trace" ]
	done
	run --separate-stderr "$NETSHIM" report --json "$T/t.txt" "$T/ok.json" "$T/junk"
	assert_failure 1
	[ "$(wc -l <<<"$stderr")" -eq 2 ]
	jq -e '.events == 2 and .calls.socket == 1' <<<"$output"
	# Some other text: refused, with what line 1 is not.
	printf 'hello\nworld\n' >"$T/h.txt"
	run --separate-stderr "$NETSHIM" report "$T/h.txt"
	assert_failure 1
	[ "$stderr" = "netshim report: $T/h.txt: not a JSON trace (line 1: byte 1: unexpected character); record one with 'netshim run --json -o FILE'" ]
}

@test "bad input: an empty file is an empty trace; a truncated last line is left out, said once" {
	: >"$T/e.json"
	run --separate-stderr "$NETSHIM" report "$T/e.json"
	assert_success
	assert_line '0 events from 1 trace'
	[ -z "$stderr" ]
	run --separate-stderr "$NETSHIM" log "$T/e.json"
	assert_success
	[ -z "$output" ]
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/w.json" -- "$POL_PY" -c 'import socket
for i in range(3): socket.socket().close()'
	n=$(wc -l <"$T/w.json")
	head -c -25 "$T/w.json" >"$T/cut.json"
	run --separate-stderr "$NETSHIM" report --json "$T/cut.json"
	assert_success
	jq -e --argjson n "$n" '.events == $n - 1 and .bad_lines == 1' <<<"$output"
	[ "$stderr" = "netshim report: $T/cut.json:$n: the last line has no end (the trace was cut short, or is still being written): left out" ]
	run --separate-stderr "$NETSHIM" log "$T/cut.json"
	assert_success
	[ "${#lines[@]}" -eq $((n - 1)) ]
}

@test "bad input: a file still being written is read to where it is, the run goes on" {
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/live.json" -- timeout 20 \
		"$POL_PY" -c 'import socket, time
for i in range(40):
    socket.socket().close()
    time.sleep(0.05)' &
	local w=$! i
	for i in $(seq 100); do
		[ "$(wc -l <"$T/live.json" 2>/dev/null || echo 0)" -ge 4 ] && break
		sleep 0.05
	done
	for i in 1 2 3; do
		run --separate-stderr "$NETSHIM" report --json "$T/live.json"
		assert_success
		jq -e '.events >= 4 and .calls.socket >= 2' <<<"$output"
		refute grep -q 'not a trace line' <<<"$stderr"
		run --separate-stderr "$NETSHIM" export --format=perfetto "$T/live.json"
		assert_success
		jq -e '.traceEvents | length > 4' <<<"$output"
		sleep 0.1
	done
	wait "$w"
	run "$NETSHIM" report --json "$T/live.json"
	jq -e '.calls.socket == 40 and .calls.close == 40' <<<"$output"
}

@test "report --help names the new sections; sockets and lookups are in the text report" {
	run "$NETSHIM" report --help
	assert_success
	assert_output --partial 'findings'
	assert_output --partial 'merged'
	server h http 2
	# python3, not curl: curl answers "localhost" itself, without a lookup.
	run timeout 20 "$NETSHIM" run --json -o "$T/c.json" -- "$POL_PY" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=10).read()' "http://localhost:$PORT_h/"
	assert_success
	run "$NETSHIM" report "$T/c.json"
	assert_success
	assert_line 'Sockets:'
	assert_line --regexp "^    connect 127\\.0\\.0\\.1:$PORT_h: connected"
	assert_line --regexp '^    options: TCP_NODELAY=1 ok'
	assert_line 'Lookups (answers in order, then the dials):'
	assert_line --regexp "^  localhost  python3\\[[0-9]+\\]  .*c\\.json:[0-9]+  "
	assert_line --regexp "^    dialled 127\\.0\\.0\\.1:$PORT_h at \\+[0-9.]+ s: connected.*, served\$"
}
