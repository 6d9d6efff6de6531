#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# How events look: JSON keys and types, the text line, escaping, NETSHIM_EVENTS, backtraces, the 4096-byte limit.

load common

setup() {
	export CALLS_DIR="$BATS_TEST_TMPDIR"
	T="$BATS_TEST_TMPDIR/trace"
	rm -f "$T"
}

# traced VAR=VALUE... -- PROG ARGS: tests/bin/PROG under the shim, tracing
# to $T, stdout to $BATS_TEST_TMPDIR/out, stderr to .../err, with only fds
# 0-2 open so descriptor numbers do not depend on what bats keeps open.
traced() {
	local env=() rc=0
	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	local prog="$NS_TESTBIN/$1"
	shift
	(
		for f in /proc/$BASHPID/fd/*; do
			n=${f##*/}
			[ "$n" -gt 2 ] && eval "exec $n>&-"
		done
		exec timeout 20 env "${env[@]}" NETSHIM_TRACE="$T" \
			LD_PRELOAD="$NS_PRELOAD" "$prog" "$@"
	) >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	[ "$rc" = 0 ] ||
		fail "$prog $* failed ($rc): $(cat "$BATS_TEST_TMPDIR/err")"
}

# calls_in FILE: the distinct calls of a JSON trace, one per line, sorted.
calls_in() {
	jq -r .call "$1" | sort -u
}

ALL_SCENARIOS="socket socketpair connect bind listen accept accept4 shutdown
setsockopt getsockopt sendto sendmsg close close_range closefrom dup stale
exec"

@test "JSON: every line of every call parses and has exactly the base keys, in order, plus that call's documented keys" {
	local s
	for s in $ALL_SCENARIOS; do
		traced NETSHIM_FORMAT=json -- calls_driver "$s"
	done
	traced NETSHIM_FORMAT=json -- calls_dns basic
	traced NETSHIM_FORMAT=json -- calls_badargs connect
	traced NETSHIM_FORMAT=json -- calls_badargs sockopt
	json_lines "$T"
	run python3 - "$T" <<'PY'
import json, re, sys

# Per-call keys: (always, only sometimes present).
CALL = {
    "socket": ({"family", "type", "protocol", "fd"}, set()),
    "socketpair": ({"family", "type", "protocol"}, {"fds"}),
    "connect": ({"fd", "sock", "addr"}, set()),
    "bind": ({"fd", "sock", "addr"}, set()),
    "listen": ({"fd", "sock", "backlog"}, set()),
    "shutdown": ({"fd", "sock", "how"}, set()),
    "accept": ({"fd", "sock", "addr"}, set()),
    "accept4": ({"fd", "sock", "addr", "flags"}, set()),
    "setsockopt": ({"fd", "sock", "level", "option", "optlen"}, {"value"}),
    "getsockopt": ({"fd", "sock", "level", "option", "optlen"}, {"value"}),
    "sendto": ({"fd", "sock", "len", "flags", "addr"}, set()),
    "sendmsg": ({"fd", "sock", "len", "flags", "addr"}, set()),
    "getaddrinfo": ({"node", "service", "hints", "error"}, {"results"}),
    "freeaddrinfo": (set(), set()),
    "gethostbyname": ({"node", "error"}, {"results"}),
    "gethostbyname2": ({"node", "family", "error"}, {"results"}),
    "getnameinfo": ({"addr", "flags", "error"}, {"host", "serv"}),
    "close": ({"fd", "sock"}, set()),
    "dup": ({"fd", "sock"}, set()),
    "dup2": ({"fd", "sock", "newfd"}, set()),
    "dup3": ({"fd", "sock", "newfd", "flags"}, set()),
    "fcntl": ({"fd", "sock", "cmd", "arg"}, set()),
    "close_range": ({"first", "last", "flags"}, set()),
    "closefrom": ({"lowfd"}, set()),
}
HEAD = ["ts", "pid", "tid", "prog", "call"]
TAIL = ["ret", "errno", "dur_ns"]
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
seen = set()
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    ev = json.loads(line)
    keys = list(ev)
    def bad(why):
        sys.exit(f"line {i}: {why}: {line}")
    if keys[:5] != HEAD:
        bad("does not start with ts pid tid prog call")
    call = ev["call"]
    if call not in CALL:
        bad("unknown call")
    seen.add(call)
    always, maybe = CALL[call]
    opt = [k for k in ("policy", "bt", "truncated") if k in ev]
    if keys[len(keys) - len(opt):] != opt:
        bad("policy/bt/truncated not at the end")
    if keys[len(keys) - len(opt) - 3:len(keys) - len(opt)] != TAIL:
        bad("ret errno dur_ns not right after the call's keys")
    middle = set(keys[5:len(keys) - len(opt) - 3])
    if not always <= middle or middle - always - maybe:
        bad(f"call keys {sorted(middle)} are not {sorted(always)} + some of {sorted(maybe)}")
    if not TS.match(ev["ts"]):
        bad("ts is not RFC 3339 UTC with microseconds")
    for k in ("pid", "tid", "ret", "dur_ns"):
        if type(ev[k]) is not int:
            bad(f"{k} is not an integer")
    if ev["dur_ns"] < 0:
        bad("negative duration")
    if ev["errno"] is not None and not (
            isinstance(ev["errno"], str) and re.match(r"^E[A-Z0-9]+$", ev["errno"])):
        bad("errno is neither null nor an E* name")
    if ev["prog"] not in ("calls_driver", "calls_dns", "calls_badargs"):
        bad("prog is not the program's name")
    if "sock" in ev and ev["sock"] is not None:
        if set(ev["sock"]) != {"family", "type", "protocol"}:
            bad("sock is not {family,type,protocol}")
    if "fd" in ev and ev["fd"] is not None and type(ev["fd"]) is not int:
        bad("fd is not an integer")
missing = set(CALL) - seen
if missing:
    sys.exit(f"no event seen for {sorted(missing)}")
PY
	assert_success
}

@test "JSON: ts is now in UTC, pid is the program's pid, tid its only thread, prog its name" {
	traced NETSHIM_FORMAT=json -- calls_driver bind
	json_lines "$T"
	# The driver prints its getpid() in this fact line.
	local pid
	pid=$(sed -n 's/^# abstract-pid //p' "$BATS_TEST_TMPDIR/out")
	[ -n "$pid" ]
	run python3 - "$T" "$pid" <<'PY'
import datetime, json, sys
pid = int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc)
for line in open(sys.argv[1]):
    ev = json.loads(line)
    ts = datetime.datetime.strptime(ev["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    ts = ts.replace(tzinfo=datetime.timezone.utc)
    assert abs((now - ts).total_seconds()) < 120, ("ts not UTC now", ev["ts"])
    assert ev["pid"] == pid, ("pid", ev["pid"], pid)
    assert ev["tid"] == pid, ("tid", ev["tid"], pid)
    assert ev["prog"] == "calls_driver", ev["prog"]
PY
	assert_success
}

@test "text: the connect line has the documented shape" {
	traced -- calls_driver connect
	local p6 fd
	p6=$(sed -n 's/^# port6 //p' "$BATS_TEST_TMPDIR/out")
	fd=$(sed -n 's/^# fd-refused //p' "$BATS_TEST_TMPDIR/out")
	run grep ' connect(' "$T"
	assert_line --regexp "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} calls_driver\[[0-9]+/[0-9]+\] connect\($fd<AF_INET6 SOCK_STREAM IPPROTO_TCP>, \[::1\]:$p6\) = -1 ECONNREFUSED <[0-9]+us>$"
	assert_line --regexp "^[0-9:.]{15} calls_driver\[[0-9]+/[0-9]+\] connect\([0-9]+<AF_UNIX SOCK_STREAM 0>, \"$BATS_TEST_TMPDIR/missing\"\) = -1 ENOENT <[0-9]+us>$"
}

@test "text and JSON: the same run gives the same calls and results, every text line has the documented shape" {
	local s
	for s in socket connect accept4 setsockopt sendto close_range dup; do
		rm -f "$T"
		traced -- calls_driver "$s"
		cp "$T" "$BATS_TEST_TMPDIR/text"
		rm -f "$T"
		traced NETSHIM_FORMAT=json -- calls_driver "$s"
		json_lines "$T"
		run python3 - "$BATS_TEST_TMPDIR/text" "$T" <<'PY'
import json, re, sys
LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} calls_driver\[(\d+)/(\d+)\] "
                  r"([a-z0-9_]+)\((.*)\) = (-?\d+)((?: [A-Z][A-Z0-9_]*)*) "
                  r"<\d+us>(?: policy: .*)?$")
text = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert text.pop() == "", "no newline at the end"
js = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(text) == len(js), (len(text), len(js))
for t, j in zip(text, js):
    m = LINE.match(t)
    assert m, ("text line shape", t)
    assert m.group(1) == m.group(2)
    assert m.group(3) == j["call"], (t, j)
    assert int(m.group(5)) == j["ret"], (t, j)
    err = m.group(6).split()
    assert (err[0] if err else None) == j["errno"], (t, j)
PY
		assert_success
	done
}

@test "escaping: control bytes, quotes, backslashes and bytes >= 0x80 in a node stay one valid line in both formats" {
	local node=$'a\x01"\\\n\tb\xff\xc3\xa9\x1b[31m'
	traced NETSHIM_FORMAT=json -- calls_dns lookup "$node" 80
	json_lines "$T"
	[ "$(wc -l <"$T")" = 1 ]
	run python3 - "$T" <<'PY'
import json, sys
ev = json.loads(open(sys.argv[1], encoding="utf-8").read())
# Everything up to the stray 0xff byte comes back exactly.
assert ev["node"].startswith('a\x01"\\\n\tb'), ev["node"]
assert ev["service"] == "80"
PY
	assert_success
	rm -f "$T"
	traced -- calls_dns lookup "$node" 80
	[ "$(wc -l <"$T")" = 1 ]
	# No raw control byte (ESC included) reaches the text trace.
	LC_ALL=C run grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$T"
	assert_output 0
	grep -qF 'getaddrinfo("a\x01\"\\\x0a\x09b' "$T"
}

@test "escaping: a 1000-byte node is cut at 255 bytes in both formats" {
	local node
	node=$(printf 'x%.0s' $(seq 1000))
	traced NETSHIM_FORMAT=json -- calls_dns lookup "$node" 80
	json_lines "$T"
	run jq -r '.node | length <= 258 and startswith("xxxxxxxxxx")' "$T"
	assert_output true
	rm -f "$T"
	traced -- calls_dns lookup "$node" 80
	[ "$(wc -l <"$T")" = 1 ]
	[ "$(wc -c <"$T")" -lt 600 ]
}

@test "NETSHIM_EVENTS: a list of calls traces only those" {
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=connect,listen -- calls_driver connect
	run calls_in "$T"
	assert_output $'connect\nlisten'
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "NETSHIM_EVENTS: !close removes close and keeps everything else" {
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS='!close' -- calls_driver dup
	run calls_in "$T"
	assert_output $'dup\ndup2\ndup3\nfcntl\nlisten\nshutdown\nsocket'
	# Without the filter the same run has its close events.
	rm -f "$T"
	traced NETSHIM_FORMAT=json -- calls_driver dup
	run calls_in "$T"
	assert_line close
}

@test "NETSHIM_EVENTS: the dns, sockopt and fd groups" {
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=dns -- calls_dns basic
	run calls_in "$T"
	assert_output $'freeaddrinfo\ngetaddrinfo\ngethostbyname\ngethostbyname2\ngetnameinfo'
	rm -f "$T"
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=sockopt -- calls_driver setsockopt
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=sockopt -- calls_driver getsockopt
	run calls_in "$T"
	assert_output $'getsockopt\nsetsockopt'
	rm -f "$T"
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=fd -- calls_driver dup
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=fd -- calls_driver close_range
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=fd -- calls_driver closefrom
	run calls_in "$T"
	assert_output $'close\nclose_range\nclosefrom\ndup\ndup2\ndup3\nfcntl'
	rm -f "$T"
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS='fd,!dup2,socket' -- calls_driver dup
	run calls_in "$T"
	assert_output $'close\ndup\ndup3\nfcntl\nsocket'
}

@test "NETSHIM_EVENTS: an unknown name is reported once and the known ones still apply" {
	traced NETSHIM_FORMAT=json NETSHIM_EVENTS=listen,nosuchcall -- calls_driver listen
	run calls_in "$T"
	assert_output listen
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial 'NETSHIM_EVENTS=listen,nosuchcall names something that is not a call netshim traces'
	[ "${#lines[@]}" = 1 ]
}

@test "NETSHIM_BACKTRACE=4: a bt list of at most 4 'name+0xHEX (module)' frames, the first the driver's caller" {
	grep -q HAVE_LIBUNWIND "$NS_BUILDDIR/autoconfig.h" ||
		skip "built --without-libunwind"
	traced NETSHIM_FORMAT=json NETSHIM_BACKTRACE=4 -- calls_driver bt
	json_lines "$T"
	run jq -c '.bt | length' "$T"
	assert_output 4
	run jq -r '.bt[]' "$T"
	assert_line -n 0 --regexp '^calls_driver_bt_caller\+0x[0-9a-f]+ \(calls_driver\)$'
	assert_line -n 1 --regexp '^main\+0x[0-9a-f]+ \(calls_driver\)$'
	local l
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^[A-Za-z_][A-Za-z0-9_.@]*\+0x[0-9a-f]+\ \([^\ \)]+\)$ ]] ||
			fail "frame '$l' is not name+0xHEX (module)"
	done
	rm -f "$T"
	traced NETSHIM_BACKTRACE=2 -- calls_driver bt
	run cat "$T"
	assert_output --regexp ' = [0-9]+ <[0-9]+us> bt: calls_driver_bt_caller\+0x[0-9a-f]+ \(calls_driver\) < main\+0x[0-9a-f]+ \(calls_driver\)$'
}

@test "NETSHIM_BACKTRACE: the same stack again, named from the cache, gives the same frames" {
	grep -q HAVE_LIBUNWIND "$NS_BUILDDIR/autoconfig.h" ||
		skip "built --without-libunwind"
	traced NETSHIM_FORMAT=json NETSHIM_BACKTRACE=6 -- calls_driver bt3
	run jq -c 'select(.call == "socket") | .bt' "$T"
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[0]}" =~ ^\[\"calls_driver_bt_caller\+0x[0-9a-f]+\ \(calls_driver\)\",\"bt_three\+ ]] ||
		fail "first frames: ${lines[0]}"
	[ "${lines[1]}" = "${lines[0]}" ] && [ "${lines[2]}" = "${lines[0]}" ]
}

@test "line limit: 32 long frames never give a line over 4096 bytes; JSON drops them and says truncated" {
	grep -q HAVE_LIBUNWIND "$NS_BUILDDIR/autoconfig.h" ||
		skip "built --without-libunwind"
	traced NETSHIM_FORMAT=json NETSHIM_BACKTRACE=32 -- calls_driver deep 40
	json_lines "$T"
	run awk 'length($0) >= 4096 { print NR ": " length($0) }' "$T"
	assert_output ""
	run jq -c 'select(.call == "socket") | {truncated, bt, ret}' "$T"
	assert_output '{"truncated":true,"bt":null,"ret":3}'
	rm -f "$T"
	traced NETSHIM_BACKTRACE=32 -- calls_driver deep 40
	run awk 'length($0) >= 4096 { print NR ": " length($0) }' "$T"
	assert_output ""
	[ "$(wc -l <"$T")" = 1 ]
	grep -q ' = 3 <[0-9]*us>' "$T"
}

# A DNS server for one network namespace: every AAAA question for
# short.test or long.test gets 100 answers (over TCP, as they do not fit
# in 512 bytes); anything else gets none.
dns_server() {
	cat >"$BATS_TEST_TMPDIR/dns.py" <<'PY'
import socket, struct, sys, threading
ip, ready = sys.argv[1], sys.argv[2]
def answer(q):
    qid, flags = struct.unpack("!HH", q[:4])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    name = ".".join(labels)
    rrs = []
    if qtype == 28 and name in ("short.test", "long.test"):
        for n in range(100):
            if name == "short.test":
                a = socket.inet_pton(socket.AF_INET6, "2001:db8::%x" % (n + 1))
            else:
                a = socket.inet_pton(socket.AF_INET6,
                                     "2001:db8:ffff:ffff:ffff:ffff:ffff:%x" % (0xf000 + n))
            rrs.append(struct.pack("!HHHIH", 0xc00c, 28, 1, 60, 16) + a)
    hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100), 1, len(rrs), 0, 0)
    return hdr + question + b"".join(rrs)
def udp(s):
    while True:
        q, peer = s.recvfrom(4096)
        r = answer(q)
        if len(r) > 512:   # truncated: ask for TCP
            r = struct.pack("!HHHHHH", *struct.unpack("!HH", r[:4]), 1, 0, 0, 0)
            r = r[:2] + struct.pack("!H", struct.unpack("!H", r[2:4])[0] | 0x0200) + r[4:]
            r += q[12:]
        s.sendto(r, peer)
def tcp_conn(c):
    with c:
        while True:
            h = c.recv(2, socket.MSG_WAITALL)
            if len(h) < 2:
                return
            q = c.recv(struct.unpack("!H", h)[0], socket.MSG_WAITALL)
            r = answer(q)
            c.sendall(struct.pack("!H", len(r)) + r)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((ip, 53))
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((ip, 53))
t.listen(8)
threading.Thread(target=udp, args=(u,), daemon=True).start()
open(ready, "w").close()
while True:
    c, _ = t.accept()
    threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()
PY
}

@test "line limit: getaddrinfo with 100 results lists at most 64 and never passes 4096 bytes (DNS in a network namespace)" {
	need_root
	command -v unshare >/dev/null && command -v ip >/dev/null ||
		skip "needs unshare and ip"
	local ns
	ns=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null)
	[[ "$ns" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		skip "no IPv4 nameserver in /etc/resolv.conf to stand in for"
	dns_server
	local d=$BATS_TEST_TMPDIR
	run timeout 60 unshare -n bash -c '
		ns=$1 d=$2 lib=$3 bin=$4
		ip link set lo up
		ip addr add "$ns/32" dev lo 2>/dev/null
		python3 "$d/dns.py" "$ns" "$d/ready" 2>"$d/dns.err" &
		srv=$!
		for i in $(seq 100); do [ -e "$d/ready" ] && break; sleep 0.1; done
		[ -e "$d/ready" ] || { echo "no DNS server"; cat "$d/dns.err"; exit 3; }
		for name in short long; do
			LD_PRELOAD="$lib" NETSHIM_FORMAT=json \
				NETSHIM_TRACE="$d/$name.json" \
				"$bin/calls_dns" lookup "$name.test" 80 >"$d/$name.out"
			LD_PRELOAD="$lib" \
				NETSHIM_TRACE="$d/$name.text" \
				"$bin/calls_dns" lookup "$name.test" 80 >/dev/null
		done
		kill $srv
	' _ "$ns" "$d" "$NS_PRELOAD" "$NS_TESTBIN"
	assert_success
	grep -qx 'results 100' "$d/short.out" || fail "the fake DNS did not answer: $(cat "$d/short.out")"
	grep -qx 'results 100' "$d/long.out"
	local f
	for f in short.json long.json; do
		json_lines "$d/$f"
	done
	run awk 'length($0) >= 4096 { print FILENAME ": " length($0) }' \
		"$d/short.json" "$d/long.json" "$d/short.text" "$d/long.text"
	assert_output ""
	run jq -c 'select(.call == "getaddrinfo") | [(.results | length), .results[0], .results[63]]' "$d/short.json"
	assert_output '[64,{"family":"AF_INET6","addr":"[2001:db8::1]:80"},{"family":"AF_INET6","addr":"[2001:db8::40]:80"}]'
	# 64 long addresses do not fit: the list goes, the line says so.
	run jq -c 'select(.call == "getaddrinfo") | {truncated, ret, error}' "$d/long.json"
	assert_output '{"truncated":true,"ret":0,"error":null}'
}
