#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim export on traces of real programs: Chrome/Perfetto trace events (tracks, slices, errors, lookups linked to dials, connects under way) and OTLP/JSON logs (structure, semantic-convention attributes), checked with jq.

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

# trace: python3 looks up "localhost" and fetches a page from a server on
# 127.0.0.1 (an answer ::1, if /etc/hosts gives one, is refused first);
# then a connect to a port nobody listens on is refused. $T/t.json.
trace() {
	local i dead
	rm -f "$T/h.port"
	bg h "$POL_PY" "$SRVS" http "$T/h.port" 2
	for i in $(seq 100); do
		[ -s "$T/h.port" ] && break
		sleep 0.1
	done
	HP=$(cat "$T/h.port")
	dead=$(free_port)
	timeout 20 "$NETSHIM" run --json -o "$T/t.json" -- "$POL_PY" -c 'import socket, sys, urllib.request
urllib.request.urlopen("http://localhost:%s/" % sys.argv[1], timeout=10).read()
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])))
except OSError:
    pass' "$HP" "$dead"
	DEAD=$dead
}

@test "perfetto: trace-event JSON with a track per process and thread and a slice per call" {
	trace
	n=$(wc -l <"$T/t.json")
	run "$NETSHIM" export --format=perfetto "$T/t.json"
	assert_success
	echo "$output" >"$T/p.json"
	jq -e '(.traceEvents | type) == "array" and .displayTimeUnit == "ms"' "$T/p.json"
	jq -e '[.traceEvents[].ph] - ["X", "M", "s", "f", "b", "e"] == []' "$T/p.json"
	jq -e --argjson n "$n" '[.traceEvents[] | select(.ph == "X")] | length == $n' "$T/p.json"
	# Slices: a name, numbers for ts and dur, the track's pid and tid.
	jq -e 'all(.traceEvents[] | select(.ph == "X");
		(.name | type) == "string" and (.ts | type) == "number" and
		(.dur | type) == "number" and .dur >= 0 and
		(.pid | type) == "number" and (.tid | type) == "number" and
		(.args.call | type) == "string")' "$T/p.json"
	# Metadata names each process after its program, each thread.
	pid=$(jq -s '.[0].pid' "$T/t.json")
	jq -e --argjson p "$pid" '[.traceEvents[] | select(.ph == "M" and .name == "process_name" and .pid == $p)][0].args.name == "python3"' "$T/p.json"
	jq -e --argjson p "$pid" '[.traceEvents[] | select(.ph == "M" and .name == "thread_name" and .tid == $p)] | length == 1' "$T/p.json"
	# The slice's time is the call's: ts in microseconds.
	ts=$(jq -s '.[0].ts | sub("\\.[0-9]+Z$"; "Z") | fromdate' "$T/t.json")
	jq -e --argjson t "$ts" '[.traceEvents[] | select(.ph == "X")][0].ts / 1000000 | floor == $t' "$T/p.json"
}

@test "perfetto: errors marked, the lookup linked to its dials by flow events, a connect under way as an async slice" {
	trace
	run "$NETSHIM" export --format=perfetto "$T/t.json"
	assert_success
	echo "$output" >"$T/p.json"
	jq -e --arg d "127.0.0.1:$DEAD" '[.traceEvents[] | select(.ph == "X" and .name == "connect ECONNREFUSED")][-1]
		| .cname == "terrible" and .cat == "netshim,error" and .args.errno == "ECONNREFUSED" and (.args.call | contains($d))' "$T/p.json"
	# Non-failures are not marked.
	jq -e 'all(.traceEvents[] | select(.ph == "X" and .args.errno == "EINPROGRESS"); .cname == null)' "$T/p.json"
	# Flows: each start at the lookup's slice, each end at a connect's.
	jq -e '[.traceEvents[] | select(.ph == "s")] | length >= 1' "$T/p.json"
	jq -e '
		[.traceEvents[] | select(.ph == "X")] as $x |
		[.traceEvents[] | select(.ph == "s" or .ph == "f")] | group_by(.id) |
		all(length == 2 and .[0].ph == "s" and .[1].ph == "f" and .[1].bp == "e" and
		    (.[0] as $s | $x | any(.name == "getaddrinfo" and .ts == $s.ts and .tid == $s.tid)) and
		    (.[1] as $f | $x | any((.name | startswith("connect")) and .ts == $f.ts and .tid == $f.tid)))' "$T/p.json"
	# Connects under way: b/e pairs with the same id, ended by SO_ERROR.
	jq -e '[.traceEvents[] | select(.ph == "b" or .ph == "e")] | group_by(.id) |
		length >= 1 and all(length == 2 and .[0].ph == "b" and .[1].ph == "e" and .[1].ts >= .[0].ts and
		(.[0].name | startswith("connecting ")) and (.[1].args.outcome | type) == "string")' "$T/p.json"
}

@test "otlp: one ExportLogsServiceRequest a line, a record per event, semantic-convention attributes" {
	trace
	n=$(wc -l <"$T/t.json")
	run "$NETSHIM" export --format=otlp "$T/t.json"
	assert_success
	echo "$output" >"$T/o.json"
	# Every line is a request: resourceLogs -> scopeLogs -> logRecords.
	jq -es 'all(.[]; (.resourceLogs | type) == "array" and
		all(.resourceLogs[]; (.resource.attributes | type) == "array" and
		    all(.scopeLogs[]; .scope.name == "netshim" and (.logRecords | type) == "array")))' "$T/o.json"
	jq -es --argjson n "$n" '[.[].resourceLogs[].scopeLogs[].logRecords[]] | length == $n' "$T/o.json"
	jq -c '.resourceLogs[].scopeLogs[].logRecords[]' "$T/o.json" >"$T/r.json"
	jq -es 'all(.[]; (.timeUnixNano | test("^[0-9]+$")) and (.body.stringValue | type) == "string" and
		(.severityNumber == 9 or .severityNumber == 17) and
		all(.attributes[]; (.key | type) == "string" and (.value | keys | length) == 1))' "$T/r.json"
	# The resource: the program and its pid.
	jq -es 'all(.[]; [.resourceLogs[0].resource.attributes[] | {(.key): .value}] | add
		| .["service.name"].stringValue == "python3" and (.["process.pid"].intValue | test("^[0-9]+$")))' "$T/o.json"
	# attrs: a record's attributes as one object of plain values.
	local attrs='[.attributes[] | {(.key): (.value.stringValue // .value.intValue)}] | add'
	jq -e --arg p "$HP" "$attrs"' | select(.["netshim.call"] == "connect" and .["network.peer.port"] == $p)
		| .["network.peer.address"] == "127.0.0.1" and .["network.transport"] == "tcp" and .["network.type"] == "ipv4"' "$T/r.json" | grep -q true
	jq -e --arg p "$DEAD" "$attrs"' | select(.["netshim.call"] == "connect" and .["network.peer.port"] == $p)
		| .["error.type"] == "ECONNREFUSED" and .["netshim.errno"] == "ECONNREFUSED"' "$T/r.json" | grep -q true
	jq -es 'map(select((.attributes | map(.key) | index("error.type")) != null)) | length >= 1 and all(.severityNumber == 17 and .severityText == "ERROR")' "$T/r.json"
	jq -e --arg p "$HP" "$attrs"' | select(.["netshim.call"] == "getaddrinfo")
		| .["server.address"] == "localhost" and .["server.port"] == $p' "$T/r.json" | grep -q true
	# EINPROGRESS is no error.
	! jq -e "$attrs"' | select(.["netshim.errno"] == "EINPROGRESS") | has("error.type")' "$T/r.json" | grep -q true
	# netshim's own fields are under netshim.
	jq -es 'all(.[]; [.attributes[].key] | all(startswith("netshim.") or startswith("network.") or startswith("server.") or . == "error.type" or . == "thread.id"))' "$T/r.json"
}

@test "export: usage errors exit 2; a text trace exits 1" {
	run -2 "$NETSHIM" export /dev/null
	assert_output --partial 'netshim export: --format is needed: perfetto or otlp'
	run -2 "$NETSHIM" export --format=svg /dev/null
	assert_output --partial 'netshim export: --format=svg: expected perfetto or otlp'
	ns_run NETSHIM_TRACE="$T/t.txt" -- "$POL_PY" -c 'import socket; socket.socket().close()'
	run --separate-stderr "$NETSHIM" export --format=perfetto "$T/t.txt"
	assert_failure 1
	[[ $stderr == "netshim export: $T/t.txt: a text trace"* ]]
	# What it wrote is still valid JSON, with no events.
	jq -e '.traceEvents == []' <<<"$output"
}
