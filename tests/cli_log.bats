#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim log and netshim report, on traces of real programs run under the
# shim: rendering, filters, colour, follow mode, garbage lines, summaries.

load common

bats_require_minimum_version 1.5.0

NETSHIM="$NS_BUILDDIR/netshim"

setup() {
	T=$(mktemp -d)
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$T"
}

# A python3 program under the shim, writing a JSON trace to $1.
traced_py() {
	local trace=$1
	shift
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$trace" -- \
		timeout 20 python3 "$@"
}

# writer TRACE N: a socket and its close every 100 ms, N times.
writer() {
	traced_py "$1" -c '
import socket, sys, time
for i in range(int(sys.argv[1])):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
    time.sleep(0.1)
' "$2"
}

# wait_lines FILE N: until FILE has N lines, not a fixed sleep: python3
# starts slower under a sanitized shim (bounded: 20 s).
wait_lines() {
	for _ in $(seq 200); do
		[ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 never had $2 lines"
}

# stop_follow PID OUT FILE...: once log -f (PID) has shown as many lines in
# OUT as the FILEs hold, stops it. Not a fixed timeout: a loaded machine
# writes and reads slower, and log -f never ends by itself.
stop_follow() {
	local pid=$1 out=$2 n
	shift 2
	n=$(cat "$@" | wc -l)
	wait_lines "$out" "$n"
	kill "$pid" 2>/dev/null || true
	wait "$pid" || true
}

# A trace of curl fetching a page from a python http.server on loopback.
curl_trace() {
	local port
	port=$(free_port)
	python3 -m http.server -b 127.0.0.1 "$port" -d "$T" \
		>/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/curl.json" -- \
		timeout 20 curl -s -o /dev/null "http://127.0.0.1:$port/"
	PORT=$port
}

# A trace of two processes with a refused connect and a failed lookup.
mixed_trace() {
	local port
	port=$(free_port)
	traced_py "$T/mixed.json" -c '
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    pass
try:
    socket.getaddrinfo("netshim-test.invalid", 80)
except OSError:
    pass
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
' "$port"
	writer "$T/mixed.json" 2
}

# on_tty CMD...: CMD with its standard output on a terminal.
on_tty() {
	script -qec "$(printf '%q ' "$@")" /dev/null </dev/null
}

@test "log --help and report --help describe the options" {
	run "$NETSHIM" log --help
	assert_success
	assert_line --partial "Usage: netshim log [OPTION]... [FILE]..."
	assert_output --partial "--follow"
	assert_output --partial "--color[=WHEN]"
	run "$NETSHIM" report --help
	assert_success
	assert_line --partial "Usage: netshim report [OPTION]... [FILE]..."
	assert_output --partial "--json"
}

@test "bad options and unknown call names are usage errors (exit 2)" {
	run "$NETSHIM" log --bogus /dev/null
	assert_failure 2
	assert_output --partial "Try 'netshim log --help'"
	run "$NETSHIM" log --call=connect,bogus /dev/null
	assert_failure 2
	assert_output --partial "'bogus' is not a call"
	run "$NETSHIM" log --color=sometimes /dev/null
	assert_failure 2
	run "$NETSHIM" log --pid=x /dev/null
	assert_failure 2
	# Several files are merged; -f follows one.
	run "$NETSHIM" log -f /dev/null /dev/null
	assert_failure 2
	assert_output --partial "-f follows one trace"
	run "$NETSHIM" report --bogus /dev/null
	assert_failure 2
	assert_output --partial "Try 'netshim report --help'"
}

@test "log without -f: a file that cannot be opened exits 1" {
	run "$NETSHIM" log "$T/none.json"
	assert_failure 1
	assert_output --partial "none.json: No such file or directory"
}

@test "log renders every line of a curl trace, aligned" {
	curl_trace
	run json_lines "$T/curl.json"
	assert_success
	n=$(wc -l <"$T/curl.json")
	run "$NETSHIM" log "$T/curl.json"
	assert_success
	[ "${#lines[@]}" -eq "$n" ]
	re="[0-9:.]{15} [0-9]+/[0-9]+ +curl +connect +[0-9]+ INET/STREAM/TCP"
	assert_output --regexp "$re +127\.0\.0\.1:$PORT +"
	# The result column starts at the same offset on every line.
	cols=$(printf '%s\n' "${lines[@]}" | awk '{ print index($0, " = ") }' |
		sort -u | wc -l)
	[ "$cols" -eq 1 ]
	# Standard input and - give the same.
	diff <("$NETSHIM" log <"$T/curl.json") \
		<("$NETSHIM" log - <"$T/curl.json")
	diff <("$NETSHIM" log <"$T/curl.json") <(printf '%s\n' "${lines[@]}")
}

@test "log --pid, --call and --errors filter" {
	mixed_trace
	py=$(jq -r 'select(.call == "connect") | .pid' "$T/mixed.json")
	other=$(jq -r 'select(.pid != '"$py"') | .pid' "$T/mixed.json" |
		head -1)
	n_py=$(jq -r 'select(.pid == '"$py"')' -c "$T/mixed.json" | wc -l)
	n_other=$(jq -r 'select(.pid == '"$other"')' -c "$T/mixed.json" |
		wc -l)
	run "$NETSHIM" log --pid="$py" "$T/mixed.json"
	assert_success
	[ "${#lines[@]}" -eq "$n_py" ]
	run "$NETSHIM" log --pid="$py,$other" "$T/mixed.json"
	[ "${#lines[@]}" -eq $((n_py + n_other)) ]
	run "$NETSHIM" log --call=connect,getaddrinfo "$T/mixed.json"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 --partial "connect"
	assert_line --index 1 --partial "getaddrinfo"
	run "$NETSHIM" log --errors "$T/mixed.json"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 --partial "= -1 ECONNREFUSED"
	assert_line --index 1 --partial "EAI_NONAME"
	run "$NETSHIM" log --errors --call=socket "$T/mixed.json"
	assert_success
	assert_output ""
}

@test "colour: --color=always, NO_COLOR and --color=never on a terminal" {
	mixed_trace
	esc=$'\033['
	run "$NETSHIM" log "$T/mixed.json"
	refute_output --partial "$esc"
	run "$NETSHIM" log --color=always "$T/mixed.json"
	assert_output --partial "$esc"
	# Errors in red.
	assert_output --partial "${esc}1;31m= -1 ECONNREFUSED"
	run on_tty env -u NO_COLOR "$NETSHIM" log "$T/mixed.json"
	assert_output --partial "$esc"
	run on_tty env NO_COLOR=1 "$NETSHIM" log "$T/mixed.json"
	assert_output --partial "ECONNREFUSED"
	refute_output --partial "$esc"
	run on_tty env NO_COLOR= "$NETSHIM" log "$T/mixed.json"
	assert_output --partial "$esc"
	run on_tty "$NETSHIM" log --color=never "$T/mixed.json"
	refute_output --partial "$esc"
	run env NO_COLOR=1 "$NETSHIM" log --color=always "$T/mixed.json"
	assert_output --partial "$esc"
}

@test "policy actions are shown and highlighted" {
	traced_py "$T/pol.json" -c '
import socket
socket.getaddrinfo("localhost", 80)
' 2>/dev/null
	[ -s "$T/pol.json" ]
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/pol.json" \
		NETSHIM_FAMILY=ipv4 -- timeout 20 python3 -c '
import socket
socket.getaddrinfo("localhost", 80)
'
	run "$NETSHIM" log --color=always --call=getaddrinfo "$T/pol.json"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	refute_line --index 0 --partial "policy:"
	assert_line --index 1 --partial \
		$'\033[1;33mpolicy: family=ipv4: asked for AF_INET only'
}

@test "-f started before the file exists shows what a running program writes" {
	timeout 60 "$NETSHIM" log -f "$T/f.json" >"$T/out" 2>"$T/err" &
	PIDS+=($!)
	sleep 0.5
	[ ! -e "$T/f.json" ]
	writer "$T/f.json" 20
	stop_follow "${PIDS[0]}" "$T/out" "$T/f.json"
	[ "$(jq -r 'select(.call == "socket")' -c "$T/f.json" | wc -l)" -eq 20 ]
	[ "$(grep -c ' socket ' "$T/out")" -eq 20 ]
	[ "$(wc -l <"$T/out")" -eq "$(wc -l <"$T/f.json")" ]
	[ ! -s "$T/err" ]
}

@test "-f started while the program writes shows the later events" {
	writer "$T/f.json" 20 &
	PIDS+=($!)
	sleep 0.8
	before=$(wc -l <"$T/f.json")
	timeout 60 "$NETSHIM" log -f "$T/f.json" >"$T/out" &
	PIDS+=($!)
	wait "${PIDS[0]}"
	stop_follow "${PIDS[1]}" "$T/out" "$T/f.json"
	after=$(wc -l <"$T/f.json")
	[ "$after" -gt "$before" ]
	# The last event, written after log started, is shown.
	last=$(tail -1 "$T/f.json" | jq -r '.ts[11:26]')
	grep -q "^$last " "$T/out"
	[ "$(wc -l <"$T/out")" -eq "$after" ]
}

@test "-f follows a rotated file: renamed away, a new one written" {
	timeout 60 "$NETSHIM" log -f "$T/f.json" >"$T/out" 2>"$T/err" &
	PIDS+=($!)
	writer "$T/f.json" 10 &
	w=$!
	wait_lines "$T/f.json" 4
	mv "$T/f.json" "$T/f.json.1"
	wait "$w"
	writer "$T/f.json" 5
	stop_follow "${PIDS[0]}" "$T/out" "$T/f.json.1" "$T/f.json"
	p1=$(head -1 "$T/f.json.1" | jq .pid)
	p2=$(head -1 "$T/f.json" | jq .pid)
	# Everything: the old file to its end, then the new one.
	[ "$(grep -c " $p1/$p1 " "$T/out")" -eq "$(wc -l <"$T/f.json.1")" ]
	[ "$(grep -c " $p2/$p2 " "$T/out")" -eq "$(wc -l <"$T/f.json")" ]
	grep -q "file replaced" "$T/err"
}

@test "-f sees a truncation the file outgrew before the next look (copytruncate)" {
	traced_py "$T/old.json" -c 'import socket
for i in range(4): socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()'
	traced_py "$T/new.json" -c 'import socket
for i in range(12): socket.socket(socket.AF_INET6).close()'
	cp "$T/old.json" "$T/f.json"
	timeout 3 "$NETSHIM" log -f --color=never "$T/f.json" >"$T/out" \
		2>"$T/err" &
	PIDS+=($!)
	sleep 0.6
	# Truncated and written past the old size within one poll.
	cat "$T/new.json" >"$T/f.json"
	wait "${PIDS[0]}" || true
	grep -q "file truncated" "$T/err"
	refute grep -q "not a trace line" "$T/err"
	[ "$(grep -c INET6 "$T/out")" -eq "$(wc -l <"$T/new.json")" ]
	[ "$(wc -l <"$T/out")" -eq \
	  $(($(wc -l <"$T/old.json") + $(wc -l <"$T/new.json"))) ]
}

@test "-f starts again from the top of a truncated file" {
	timeout 60 "$NETSHIM" log -f "$T/f.json" >"$T/out" 2>"$T/err" &
	PIDS+=($!)
	writer "$T/f.json" 20 &
	w=$!
	wait_lines "$T/f.json" 8
	: >"$T/f.json"
	wait "$w"
	# Until the last event is shown (bounded: 20 s), then stop log -f.
	last=$(tail -1 "$T/f.json" | jq -r '.ts[11:26]')
	for _ in $(seq 200); do
		grep -q "^$last " "$T/out" && break
		sleep 0.1
	done
	kill "${PIDS[0]}" 2>/dev/null || true
	wait "${PIDS[0]}" || true
	grep -q "file truncated" "$T/err"
	# Every event written after the truncation is shown, once.
	while read -r ts; do
		[ "$(grep -c "^$ts " "$T/out")" -eq 1 ]
	done < <(jq -r '.ts[11:26]' "$T/f.json")
	[ "$(wc -l <"$T/f.json")" -ge 10 ]
	[ "$(wc -l <"$T/out")" -gt "$(wc -l <"$T/f.json")" ]
}

@test "-f: a partial last line waits for its end" {
	writer "$T/w.json" 1
	line=$(head -1 "$T/w.json")
	printf '%s' "${line:0:40}" >"$T/f.json"
	timeout 4 "$NETSHIM" log -f "$T/f.json" >"$T/out" 2>"$T/err" &
	PIDS+=($!)
	sleep 1
	[ ! -s "$T/out" ]
	[ ! -s "$T/err" ]
	printf '%s\n' "${line:40}" >>"$T/f.json"
	sleep 1
	[ "$(wc -l <"$T/out")" -eq 1 ]
	grep -q " socket " "$T/out"
	[ ! -s "$T/err" ]
}

@test "a garbage line is reported with its line number and skipped" {
	writer "$T/w.json" 2
	{ sed -n 1p "$T/w.json"; echo '{"ts": oops}'; sed -n '2,$p' "$T/w.json"
	} >"$T/g.json"
	run --separate-stderr "$NETSHIM" log "$T/g.json"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	msg="not a trace line: byte 8: unexpected character"
	[ "$stderr" = "netshim log: $T/g.json:2: $msg" ]
	# In follow mode too, and the run goes on.
	timeout 2 "$NETSHIM" log -f "$T/g.json" >"$T/out" 2>"$T/err" || true
	[ "$(wc -l <"$T/out")" -eq 4 ]
	grep -q "g.json:2: not a trace line" "$T/err"
}

@test "parser: escapes, surrogate pairs decoded; lone surrogates refused" {
	writer "$T/w.json" 1
	head -1 "$T/w.json" |
		sed 's/"prog":"[^"]*"/"prog":"a\\ud83d\\ude00\\u00e9\\t\\"b"/' \
		>"$T/u.json"
	head -1 "$T/w.json" | sed 's/"prog":"[^"]*"/"prog":"\\ud83d"/' \
		>>"$T/u.json"
	printf '{"a":1,}\n[1,2]\n{"a":"\xff"}\n' >>"$T/u.json"
	run --separate-stderr "$NETSHIM" log "$T/u.json"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial 'a\xf0\x9f\x98\x80\xc3\xa9\x09\"b '
	grep -q ":2: not a trace line: byte [0-9]*: high surrogate" <<<"$stderr"
	grep -q ":3: not a trace line: byte 8: member name expected" \
		<<<"$stderr"
	grep -q ":4: not a trace line: not a JSON object" <<<"$stderr"
	grep -q ":5: not a trace line: byte 7: invalid UTF-8" <<<"$stderr"
}

@test "report --json counts a trace of known content" {
	port=$(free_port)
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/k.json" \
		NETSHIM_BACKTRACE=4 NETSHIM_FAMILY=ipv4 -- \
		timeout 60 "$NS_TESTBIN/log_known" 4 3 2 "$port"
	run "$NETSHIM" report --json "$T/k.json"
	assert_success
	echo "$output" >"$T/r.json"
	jq -e '.events == 2 * 7 + 3 + 2' "$T/r.json"
	jq -e '.calls.socket == 7 and .calls.connect == 3' "$T/r.json"
	jq -e '.calls.close == 7 and .calls.getaddrinfo == 2' "$T/r.json"
	jq -e '.errors.connect == {"ECONNREFUSED": 3}' "$T/r.json"
	jq -e '.errors.getaddrinfo == {"EAI_NONAME": 2}' "$T/r.json"
	jq -e '.errors | keys == ["connect", "getaddrinfo"]' "$T/r.json"
	# socket, close: 4 UDP sockets; socket, connect, close: 3 TCP ones.
	jq -e '.families == {"AF_INET": 17}' "$T/r.json"
	jq -e '.protocols == {"IPPROTO_UDP": 8, "IPPROTO_TCP": 9}' "$T/r.json"
	jq -e --arg d "127.0.0.1:$port" '.destinations == {($d):
		{"family": "AF_INET", "count": 3, "errors": 3}}' "$T/r.json"
	jq -e '.policies == {"family=ipv4: asked for AF_INET only": 2}' \
		"$T/r.json"
	jq -e '.first_failures | length == 2' "$T/r.json"
	jq -e '.first_failures[0] | .call == "connect" and
		.errno == "ECONNREFUSED" and .error == null and .count == 3' \
		"$T/r.json"
	jq -e '.first_failures[0].bt[0] |
		startswith("known_refused_connect+")' \
		"$T/r.json"
	jq -e '.first_failures[1] | .call == "getaddrinfo" and
		.error == "EAI_NONAME" and .errno == null' "$T/r.json"
	line=$(grep -n '"errno":"ECONNREFUSED"' "$T/k.json" | head -1 |
		cut -d: -f1)
	jq -e --argjson l "$line" '.first_failures[0].line == $l' "$T/r.json"
	jq -e '.bad_lines == 0' "$T/r.json"
}

@test "report sums several files, skips garbage and prints text" {
	port=$(free_port)
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T/k.json" -- \
		timeout 60 "$NS_TESTBIN/log_known" 2 1 1 "$port"
	{ echo garbage; cat "$T/k.json"; } >"$T/k2.json"
	run --separate-stderr "$NETSHIM" report --json "$T/k.json" "$T/k2.json"
	assert_success
	msg="not a trace line: byte 1: unexpected character"
	[ "$stderr" = "netshim report: $T/k2.json:1: $msg" ]
	jq -e '.calls.socket == 6 and .bad_lines == 1' <<<"$output"
	jq -e '.errors.connect.ECONNREFUSED == 2' <<<"$output"
	jq -e '.first_failures[0].file == "'"$T/k.json"'"' <<<"$output"
	run "$NETSHIM" report "$T/k.json"
	assert_success
	assert_line "8 events from 1 trace"
	assert_line --regexp "^  socket +3$"
	assert_line --regexp "^  connect +ECONNREFUSED +1$"
	assert_line --regexp "^  getaddrinfo +EAI_NONAME +1$"
	assert_line --regexp "^  127\.0\.0\.1:$port +1  AF_INET +1 failed$"
	# A trace that cannot be read is said so and not counted.
	run "$NETSHIM" report "$T/none.json" "$T/k.json"
	assert_failure 1
	assert_output --partial "$T/none.json: No such file or directory"
	assert_output --partial "8 events from 1 trace"
}

@test "report: hostile call and errno strings stay valid JSON and escaped text" {
	local long
	long=$(printf 'c%.0s' $(seq 130))
	printf '{"ts":"t","pid":1,"tid":1,"prog":"p","call":"%s","ret":-1,"errno":"EINVAL","dur_ns":5}\n' "$long" >"$BATS_TEST_TMPDIR/h.json"
	printf '{"ts":"t","pid":1,"tid":1,"prog":"p","call":"con\\"nect","ret":-1,"errno":"E\\u001b[2J","dur_ns":5}\n' >>"$BATS_TEST_TMPDIR/h.json"
	run "$NETSHIM" report --json "$BATS_TEST_TMPDIR/h.json"
	assert_success
	jq -e --arg c "$long" '.errors[$c].EINVAL == 1 and .errors["con\"nect"]["E\u001b[2J"] == 1' <<<"$output"
	jq -e '.first_failures | length == 2' <<<"$output"
	run "$NETSHIM" report "$BATS_TEST_TMPDIR/h.json"
	assert_success
	assert_output --partial 'con\"nect'
	assert_output --partial 'E\x1b[2J'
	refute_output --partial $'\033'
}
