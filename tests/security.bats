#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile settings and privileged programs: secure execution applies nothing, traces never carry payload, bad values give one clean line.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	D="$BATS_TEST_TMPDIR"
	SINK="$NS_TESTBIN/proc_sink"
}

@test "AT_SECURE: a setuid copy run by nobody applies no policy (NETSHIM_FAMILY=ipv6 leaves its AF_INET socket alone) and writes nothing" {
	need_secure
	# A setuid-root and a plain copy of proc_sink, both run by nobody.
	run secure_run <<'SH'
run() {
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env NETSHIM_FAMILY=ipv6 NETSHIM_TRACE="/mnt/out/$1-%p" \
		NETSHIM_FORMAT=json LD_PRELOAD="$name" \
		"/mnt/$1" secure "$name" 2>&1
	echo "$1 exit $?"
	set -e
}
run plain
run suid
ls /mnt/out
SH
	assert_success
	# The control run: netshim loaded, the policy denies AF_INET, and the
	# denial is in its trace.
	assert_line --index 0 'AT_SECURE=0 loaded=1 euid=65534 uid=65534'
	assert_line --index 1 'plain exit 1'
	# Secure: loaded, but the socket is made and nothing is written.
	assert_line --index 2 'AT_SECURE=1 loaded=1 euid=0 uid=65534'
	assert_line --index 3 'suid exit 0'
	assert_line --index 4 --regexp '^plain-[0-9]+$'
	[ "${#lines[@]}" -eq 5 ]
}

# A marker that must never be in a trace, sent by every call that sends:
# sendto and sendmsg with and without a destination, send, write, and
# sendmsg with two iovecs, over UDP, TCP and a unix datagram socket.
PAYLOAD_PY='
import os, socket, sys
m = sys.argv[1].encode()
d = sys.argv[2]
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(m + b"-sendto", r.getsockname())
u.sendmsg([m + b"-sendmsg"], [], 0, r.getsockname())
u.connect(r.getsockname())
u.send(m + b"-send")
os.write(u.fileno(), m + b"-write")
u.sendmsg([m, b"-iov2"])
got = [r.recv(100) for _ in range(5)]
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
c = socket.create_connection(l.getsockname())
a, _ = l.accept()
c.sendall(m + b"-sendall;")
c.sendmsg([m, b"-tcp-iov2;"])
c.shutdown(socket.SHUT_WR)
data = b""
while True:
    chunk = a.recv(4096)
    if not chunk:
        break
    data += chunk
got += data.split(b";")[:2]
ur = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ur.bind(d + "/u")
uu = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
uu.sendto(m + b"-unix", d + "/u")
got.append(ur.recv(100))
for g in got:
    print(g.decode())
'

@test "no payload byte in the trace: a marker sent by sendto, sendmsg, send, write over UDP, TCP and unix, json/text, with backtraces" {
	local marker=NSPAYLOAD-c0ffee-7e57 hex f fmt
	hex=$(printf %s "$marker" | od -An -tx1 | tr -d ' \n')
	for fmt in json text; do
		f="$D/t.$fmt"
		rm -f "$D/u"
		run ns_run NETSHIM_FORMAT=$fmt NETSHIM_TRACE="$f" \
			NETSHIM_EVENTS=all NETSHIM_BACKTRACE=4 -- \
			timeout 30 "$PY" -c "$PAYLOAD_PY" "$marker" "$D"
		assert_success
		# The marker did travel, through every call...
		run grep -c "^$marker" <<<"$output"
		assert_output 8
		# ...the calls that take a destination were traced...
		run grep -c 'sendto' "$f"
		[ "$output" -ge 2 ] || fail "sendto events: $output"
		run grep -c 'sendmsg' "$f"
		[ "$output" -ge 1 ] || fail "sendmsg events: $output"
		# ...and no byte of it is in the trace, as text or as hex.
		run grep -ci -e "$marker" -e "$hex" -e c0ffee "$f"
		assert_output 0
	done
}

HOSTILE=$'%n%s%x%99999999s\033[2J\r\001\177'
HOSTILE_ESC='%n%s%x%99999999s\x1b[2J\x0d\x01\x7f'

# clean_line VAR [EXTRA-ENV...]: VAR=$HOSTILE gives exactly one line, which
# names it, quotes the value escaped, and has no control byte; the program
# runs as bare.
clean_line() {
	local var="$1"
	shift
	env "$@" "$var=$HOSTILE" LD_PRELOAD="$NS_PRELOAD" "$SINK" events 3 \
		>"$D/out" 2>"$D/err"
	[ "$(cat "$D/out")" = done ] || fail "$var: stdout: $(cat "$D/out")"
	run grep -c '^netshim: ' "$D/err"
	[ "$output" = 1 ] || fail "$var: $(cat -v "$D/err")"
	run grep -c -F "netshim: $var=$HOSTILE_ESC " "$D/err"
	[ "$output" = 1 ] || fail "$var: $(cat -v "$D/err")"
	# No raw control byte (the newlines end lines; grep sees none).
	run env LC_ALL=C grep -c '[[:cntrl:]]' "$D/err"
	[ "$output" = 0 ] || fail "$var: raw control bytes: $(cat -v "$D/err")"
	run awk 'length > 300' "$D/err"
	assert_output ""
}

@test "control bytes and printf specifiers in every NETSHIM_* variable: one escaped line each, no raw control byte, the program runs" {
	local v
	for v in FORMAT EVENTS BACKTRACE FAMILY PREFER MPTCP TFO; do
		clean_line "NETSHIM_$v" NETSHIM_TRACE=off
	done
	# fd:N with garbage: one line, events on stderr.
	env NETSHIM_TRACE="fd:$HOSTILE" LD_PRELOAD="$NS_PRELOAD" "$SINK" events 1 \
		>"$D/out" 2>"$D/err"
	run cat "$D/err"
	assert_line --index 0 "netshim: NETSHIM_TRACE=fd:$HOSTILE_ESC is not fd:N with N a descriptor number; tracing to stderr"
	[ "${#lines[@]}" -eq 3 ]
	# A path that cannot be opened: the documented line, escaped.
	env NETSHIM_TRACE="$D/no/$HOSTILE" LD_PRELOAD="$NS_PRELOAD" "$SINK" \
		events 1 >"$D/out" 2>"$D/err"
	run cat "$D/err"
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=$D/no/$HOSTILE_ESC: ENOENT (No such file or directory); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	[ "${#lines[@]}" -eq 3 ]
	run env LC_ALL=C grep -c '[[:cntrl:]]' "$D/err"
	assert_output 0
	# An unknown variable whose name holds them.
	env "NETSHIM_$HOSTILE=1" NETSHIM_TRACE=off LD_PRELOAD="$NS_PRELOAD" "$SINK" \
		events 1 >"$D/out" 2>"$D/err"
	run cat "$D/err"
	assert_output "netshim: NETSHIM_$HOSTILE_ESC is not a variable netshim knows; see libnetshim(7)"
}

# big_policy NAME PREFIX ACCEPTED FALLBACK: NAME set to 10 MB by a
# library constructor (config.bats does the other four variables).
big_policy() {
	run ns_run NETSHIM_TRACE=off PROC_CTOR_SETENV="$1" PROC_CTOR_VALUE="$2" \
		PROC_CTOR_SIZE=10485760 -- timeout 60 "$NS_TESTBIN/proc_ctor"
	assert_success
	# The value is cut at 64 bytes.
	assert_line --index 0 "netshim: $1=$2$(printf 'A%.0s' $(seq $((64 - ${#2}))))... is not one of $3; using $4"
	assert_line --index 1 --regexp '^ctor fd [0-9]+ main fd [0-9]+$'
	[ "${#lines[@]}" -eq 2 ] || fail "expected 2 lines, got: ${lines[*]:0:4}"
}

@test "10 MB in each policy variable: one line cut at 64 bytes, the program runs" {
	big_policy NETSHIM_FAMILY ipv4 'any, ipv4, ipv6' any
	big_policy NETSHIM_PREFER ipv6 'none, ipv4, ipv6' none
	big_policy NETSHIM_MPTCP strip 'pass, strip, force, fallback' pass
	big_policy NETSHIM_TFO drop 'pass, drop, retry' pass
}

@test "a 10 MB value in an unknown NETSHIM_ variable and a 128 KiB name: one short line each" {
	run ns_run NETSHIM_TRACE=off PROC_CTOR_SETENV=NETSHIM_HUGE \
		PROC_CTOR_VALUE=x PROC_CTOR_SIZE=10485760 -- \
		timeout 60 "$NS_TESTBIN/proc_ctor"
	assert_success
	assert_line --index 0 "netshim: NETSHIM_HUGE is not a variable netshim knows; see libnetshim(7)"
	[ "${#lines[@]}" -eq 2 ]
	local name
	name=NETSHIM_$(head -c 131000 /dev/zero | tr '\0' N)
	run env "$name=1" NETSHIM_TRACE=off LD_PRELOAD="$NS_PRELOAD" "$SINK" events 1
	assert_success
	assert_line --index 0 "netshim: ${name:0:60}... is not a variable netshim knows; see libnetshim(7)"
	assert_line --index 1 done
	[ "${#lines[@]}" -eq 2 ]
}

@test "a file or FIFO another user planted at the trace path in a sticky world-writable directory is refused; the program runs, nothing hangs" {
	need_root
	[ -d /mnt ] || skip "no /mnt to mount a tmpfs on"
	command -v setpriv >/dev/null || skip "no setpriv"
	cat >"$D/planted.sh" <<'SH'
lib=$1 sink=$2
mount -t tmpfs -o mode=1777 tmpfs /mnt || exit 1
mkdir -m 0755 /mnt/home && chown 65534:65534 /mnt/home
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '
	umask 0; echo planted >/mnt/t; mkfifo /mnt/f; : >/mnt/home/t' || exit 1
trace() {
	timeout -s KILL 20 env NETSHIM_TRACE="$1" LD_PRELOAD="$lib" \
		"$sink" events 1 2>&1
	echo "exit $?"
}
echo "== file"
trace /mnt/t
cat /mnt/t
echo "== fifo"
trace /mnt/f
echo "== own file in the sticky directory, nobody's in nobody's directory"
trace /mnt/mine >/dev/null
trace /mnt/home/t >/dev/null
wc -l </mnt/mine
wc -l </mnt/home/t
SH
	run timeout 60 unshare -m sh "$D/planted.sh" "$NS_LIB" "$SINK"
	assert_success
	assert_line --index 0 "== file"
	assert_line --index 1 "netshim: cannot open trace file NETSHIM_TRACE=/mnt/t: EACCES (Permission denied); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --index 2 --partial 'socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = '
	assert_line --index 4 done
	assert_line --index 5 "exit 0"
	assert_line --index 6 planted
	assert_line --index 7 "== fifo"
	assert_line --index 8 "netshim: cannot open trace file NETSHIM_TRACE=/mnt/f: EACCES (Permission denied); tracing to stderr instead"
	assert_line --index 11 done
	assert_line --index 12 "exit 0"
	# Files that are not planted are used as before.
	assert_line --index 14 2
	assert_line --index 15 2
	[ "${#lines[@]}" -eq 16 ]
}

@test "a FIFO of our own at the trace path waits for its reader and gets the events, as before" {
	mkfifo "$D/fifo"
	timeout 20 cat "$D/fifo" >"$D/got" &
	local reader=$!
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$D/fifo" -- \
		timeout -s KILL 20 "$SINK" events 3
	assert_success
	assert_output done
	wait "$reader"
	run grep -c '"call":"socket"' "$D/got"
	assert_output 3
}
