#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# NETSHIM_* values: bad ones give exactly the documented line and a fallback; hostile ones are escaped and cut; event lists.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	SINK="$NS_TESTBIN/proc_sink"
}

# The text events of `proc_sink events 1`.
EV_SOCKET='^[0-9:.]+ proc_sink\[[0-9]+/[0-9]+\] socket\(AF_INET, SOCK_DGRAM, IPPROTO_IP\) = [0-9]+ <[0-9]+us>$'
EV_CLOSE='^[0-9:.]+ proc_sink\[[0-9]+/[0-9]+\] close\([0-9]+<AF_INET SOCK_DGRAM IPPROTO_UDP>\) = 0 <[0-9]+us>$'

# bad_value LINE ENV...: proc_sink events 1 under ENV says LINE (only),
# then traces as text on stderr and exits 0.
bad_value() {
	local line="$1"
	shift
	run ns_run "$@" -- "$SINK" events 1
	assert_success
	assert_line --index 0 "$line"
	assert_line --index 1 --regexp "$EV_SOCKET"
	assert_line --index 2 --regexp "$EV_CLOSE"
	assert_line --index 3 done
	[ "${#lines[@]}" -eq 4 ] || fail "expected 4 lines, got: $output"
}

@test "good values say nothing" {
	run ns_run NETSHIM_TRACE=stderr NETSHIM_FORMAT=text NETSHIM_EVENTS=all \
		NETSHIM_BACKTRACE=0 -- "$SINK" events 1
	assert_success
	assert_line --index 0 --regexp "$EV_SOCKET"
	[ "${#lines[@]}" -eq 3 ]
	run ns_run NETSHIM_TRACE= NETSHIM_FORMAT= NETSHIM_EVENTS= \
		NETSHIM_BACKTRACE= -- "$SINK" events 1
	assert_success
	[ "${#lines[@]}" -eq 3 ]
}

@test "NETSHIM_FORMAT=xml and friends: the documented line, text format" {
	local v
	for v in xml JSON ' json' 'text ' t; do
		bad_value "netshim: NETSHIM_FORMAT=$v is not one of text, json; using text" \
			NETSHIM_FORMAT="$v"
	done
}

@test "NETSHIM_TRACE=fd:x and other non-numbers: the documented line, stderr" {
	local v
	for v in fd:x fd: fd:-1 fd:1x 'fd: 3' fd:99999999999 fd:0x3; do
		bad_value "netshim: NETSHIM_TRACE=$v is not fd:N with N a descriptor number; tracing to stderr" \
			NETSHIM_TRACE="$v"
	done
}

@test "NETSHIM_TRACE=fd:57 not open: the documented line, stderr" {
	run ns_run NETSHIM_TRACE=fd:57 -- "$SINK" events 1
	assert_success
	assert_line --index 0 "netshim: NETSHIM_TRACE=fd:57: EBADF (Bad file descriptor); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --index 1 --regexp "$EV_SOCKET"
	assert_line --index 3 done
	[ "${#lines[@]}" -eq 4 ]
}

@test "NETSHIM_TRACE of 4080 bytes: too long, value cut at 64 bytes; 4079 bytes is tried" {
	local long
	long=$(printf "/%.0s" $(seq 40))$(printf 'x%.0s' $(seq 4040))
	[ "${#long}" -eq 4080 ]
	bad_value "netshim: NETSHIM_TRACE=${long:0:64}... is too long for a path; tracing to stderr" \
		NETSHIM_TRACE="$long"
	# One byte less is a path like any other: open fails (ENAMETOOLONG).
	run ns_run NETSHIM_TRACE="${long:1}" -- "$SINK" events 1
	assert_success
	# Paths in complaints are cut at 512 bytes.
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=${long:1:512}...: ENAMETOOLONG (File name too long); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
}

@test "NETSHIM_TRACE too long once %p is expanded: the documented line, stderr" {
	local tmpl
	tmpl="$BATS_TEST_TMPDIR/$(printf '%%p%.0s' $(seq 1500))"
	run ns_run NETSHIM_TRACE="$tmpl" -- "$SINK" events 1
	assert_success
	assert_line --index 0 "netshim: NETSHIM_TRACE is too long once %p is expanded: ${tmpl:0:512}...; tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --regexp "$EV_SOCKET"
	assert_line done
	# nothing was created
	run ls "$BATS_TEST_TMPDIR"
	assert_output ""
}

@test "NETSHIM_EVENTS with unknown names: one documented line, the known names still apply" {
	local msg='names something that is not a call netshim traces nor one of all, none, dns, sockopt, fd (see libnetshim(7)); ignoring the unknown names'
	# Nothing known: everything is traced.
	bad_value "netshim: NETSHIM_EVENTS=bogus $msg" NETSHIM_EVENTS=bogus
	bad_value "netshim: NETSHIM_EVENTS=Socket,CLOSE $msg" NETSHIM_EVENTS=Socket,CLOSE
	# One line for the whole value; socket is still the only call traced.
	run ns_run NETSHIM_EVENTS='socket,bogus,,!nothing,fcntl64' -- "$SINK" events 1
	assert_success
	assert_line --index 0 "netshim: NETSHIM_EVENTS=socket,bogus,,!nothing,fcntl64 $msg"
	assert_line --index 1 --regexp "$EV_SOCKET"
	assert_line --index 2 done
	[ "${#lines[@]}" -eq 3 ]
}

@test "NETSHIM_BACKTRACE out of range or not a number: the documented line, no backtraces" {
	local v
	for v in 33 x -1 1x ' 2' 99999999999999999999 0x4; do
		bad_value "netshim: NETSHIM_BACKTRACE=$v is not a number of frames from 0 to 32; no backtraces" \
			NETSHIM_BACKTRACE="$v"
	done
}

@test "NETSHIM_BACKTRACE=3: frames on each event (or the documented line without libunwind)" {
	run ns_run NETSHIM_BACKTRACE=3 NETSHIM_FORMAT=json -- "$SINK" events 1
	assert_success
	if [[ "${lines[0]}" == *without-libunwind* ]]; then
		assert_line --index 0 "netshim: NETSHIM_BACKTRACE=3 asks for backtraces, but this netshim was built --without-libunwind; no backtraces"
		skip "built --without-libunwind"
	fi
	# Three frames, innermost first: the helper's one_socket() and up.
	assert_line --index 0 --regexp '"call":"socket".*"bt":\["one_socket\+0x[0-9a-f]+ \(proc_sink\)","[^"]+","[^"]+"\]\}$'
	assert_line --index 1 --regexp '"call":"close".*"bt":\["one_socket\+0x[0-9a-f]+ \(proc_sink\)","[^"]+","[^"]+"\]\}$'
	assert_line --index 2 done
	[ "${#lines[@]}" -eq 3 ]
}

@test "unknown NETSHIM_FOO: one line per name, the program runs" {
	run ns_run NETSHIM_FOO=1 NETSHIM_FROMAT=json NETSHIM_= -- "$SINK" events 1
	assert_success
	assert_line "netshim: NETSHIM_FOO is not a variable netshim knows; see libnetshim(7)"
	assert_line "netshim: NETSHIM_FROMAT is not a variable netshim knows; see libnetshim(7)"
	assert_line "netshim: NETSHIM_ is not a variable netshim knows; see libnetshim(7)"
	assert_line --index 3 --regexp "$EV_SOCKET"
	[ "${#lines[@]}" -eq 6 ]
	# A name is cut too: 60 bytes and "...".
	local name
	name=NETSHIM_$(printf 'N%.0s' $(seq 100))
	run env "$name=1" LD_PRELOAD="$NS_PRELOAD" "$SINK" events 1
	assert_success
	assert_line --index 0 "netshim: ${name:0:60}... is not a variable netshim knows; see libnetshim(7)"
	[ "${#lines[@]}" -eq 4 ]
}

@test "control bytes, quotes and backslashes in a value: one line, C-escaped" {
	bad_value 'netshim: NETSHIM_FORMAT=a\x09b\x0ac\x01d\x1b[31m\"q\"\\e\x7f\xff is not one of text, json; using text' \
		NETSHIM_FORMAT=$'a\tb\nc\001d\033[31m"q"\\e\177\377'
}

@test "format specifiers in values are printed, not interpreted" {
	bad_value 'netshim: NETSHIM_FORMAT=%s%n%x%p%%%99999999s is not one of text, json; using text' \
		NETSHIM_FORMAT='%s%n%x%p%%%99999999s'
	bad_value 'netshim: NETSHIM_BACKTRACE=%n%n%n%n is not a number of frames from 0 to 32; no backtraces' \
		NETSHIM_BACKTRACE='%n%n%n%n'
	bad_value 'netshim: NETSHIM_TRACE=fd:%s%n is not fd:N with N a descriptor number; tracing to stderr' \
		NETSHIM_TRACE='fd:%s%n'
}

@test "a value of 128 KiB (the most execve passes): one line cut at 64 bytes" {
	local big
	big=json$(head -c 131000 /dev/zero | tr '\0' 'Z')
	bad_value "netshim: NETSHIM_FORMAT=json$(printf 'Z%.0s' $(seq 60))... is not one of text, json; using text" \
		NETSHIM_FORMAT="$big"
}

# big_value NAME PREFIX LINE: NAME set to PREFIX + 'A's, 10 MB in all, by a
# library constructor (execve cannot pass that much) before netshim loads;
# the program says LINE (only) and runs on.
big_value() {
	run ns_run PROC_CTOR_SETENV="$1" PROC_CTOR_VALUE="$2" \
		PROC_CTOR_SIZE=10485760 -- timeout 60 "$NS_TESTBIN/proc_ctor"
	assert_success
	assert_line --index 0 "$3"
	assert_line --index 1 --partial 'socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = '
	assert_line --regexp '^ctor fd [0-9]+ main fd [0-9]+$'
	[ "${#lines[@]}" -eq 6 ] || fail "expected 6 lines, got ${#lines[@]}"
}

A60=$(printf 'A%.0s' $(seq 60))

@test "10 MB values: one line each, cut at 64 bytes, no crash" {
	big_value NETSHIM_FORMAT json \
		"netshim: NETSHIM_FORMAT=json$A60... is not one of text, json; using text"
	big_value NETSHIM_TRACE /tmp \
		"netshim: NETSHIM_TRACE=/tmp$A60... is too long for a path; tracing to stderr"
	big_value NETSHIM_BACKTRACE 1111 \
		"netshim: NETSHIM_BACKTRACE=1111$A60... is not a number of frames from 0 to 32; no backtraces"
	big_value NETSHIM_EVENTS 'all,' \
		"netshim: NETSHIM_EVENTS=all,$A60... names something that is not a call netshim traces nor one of all, none, dns, sockopt, fd (see libnetshim(7)); ignoring the unknown names"
}

@test "a 10 MB NETSHIM_EVENTS list of known names: no complaint, no crash" {
	# "socket" then ",close" 1747625 times: 10485756 bytes.
	run ns_run PROC_CTOR_SETENV=NETSHIM_EVENTS PROC_CTOR_VALUE=socket \
		PROC_CTOR_FILL=,close PROC_CTOR_SIZE=10485756 -- \
		timeout 60 "$NS_TESTBIN/proc_ctor"
	assert_success
	assert_line --index 0 --partial 'socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = '
	assert_line --index 1 --partial 'close('
	assert_line --index 2 --partial 'socket(AF_UNIX, SOCK_STREAM, 0) = '
	[ "${#lines[@]}" -eq 5 ]
}

@test "complaints are written even with NETSHIM_TRACE=off, and nothing else" {
	run ns_run NETSHIM_TRACE=off NETSHIM_FORMAT=xml NETSHIM_FOO=1 -- "$SINK" events 1
	assert_success
	assert_line --index 0 "netshim: NETSHIM_FORMAT=xml is not one of text, json; using text"
	assert_line --index 1 "netshim: NETSHIM_FOO is not a variable netshim knows; see libnetshim(7)"
	assert_line --index 2 done
	[ "${#lines[@]}" -eq 3 ]
}

# A python program making one call of each kind; the set of calls traced
# under NETSHIM_EVENTS=$1 must be $2 (space-separated, sorted).
EVENTS_PROG='
import os, socket
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0))
l.listen(1)
c = socket.create_connection(l.getsockname())
c.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
a, _ = l.accept()
d = os.dup(a.fileno())
os.dup2(d, 100)
os.close(d)
os.close(100)
c.shutdown(socket.SHUT_WR)
socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)
for s in (a, c, l):
    s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"x", ("127.0.0.1", 9))
u.close()
os.closerange(1000, 1010)
'
events_case() {
	local t="$BATS_TEST_TMPDIR/t"
	rm -f "$t"
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$t" NETSHIM_EVENTS="$1" -- \
		"$PY" -c "$EVENTS_PROG" 2>"$BATS_TEST_TMPDIR/err"
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	run "$PY" -c '
import json, sys
try:
    calls = sorted({json.loads(l)["call"] for l in open(sys.argv[1])})
except FileNotFoundError:
    calls = []
print(" ".join(calls))' "$t"
	assert_output "$2"
}

@test "NETSHIM_EVENTS: names, groups, negations" {
	# python's os.dup is fcntl(F_DUPFD_CLOEXEC), os.dup2 is dup2.
	local all="accept4 bind close close_range connect dup2 fcntl freeaddrinfo getaddrinfo getnameinfo getsockopt listen sendto setsockopt shutdown socket"
	events_case "" "$all"
	events_case all "$all"
	events_case connect,bind "bind connect"
	events_case dns "freeaddrinfo getaddrinfo getnameinfo"
	events_case sockopt "getsockopt setsockopt"
	events_case fd "close close_range dup2 fcntl"
	events_case 'all,!close' "accept4 bind close_range connect dup2 fcntl freeaddrinfo getaddrinfo getnameinfo getsockopt listen sendto setsockopt shutdown socket"
	events_case '!fd' "accept4 bind connect freeaddrinfo getaddrinfo getnameinfo getsockopt listen sendto setsockopt shutdown socket"
	events_case '!sockopt,!dns' "accept4 bind close close_range connect dup2 fcntl listen sendto shutdown socket"
	events_case 'fd,dns,!freeaddrinfo,!dup2' "close close_range fcntl getaddrinfo getnameinfo"
	events_case 'socket,!socket' ""
	events_case 'sendto,accept4,!accept' "accept4 sendto"
}

@test "a bad value or an unknown name is reported once a run, not once a process; other settings in a child are reported again" {
	run ns_run NETSHIM_TRACE=off NETSHIM_FORMAT=xml NETSHIM_FOO=1 -- sh -c \
		"$PY -c 1; $PY -c 1; sh -c '$PY -c 1'; NETSHIM_FORMAT=yaml $PY -c 1"
	assert_success
	assert_output - <<'OUT'
netshim: NETSHIM_FORMAT=xml is not one of text, json; using text
netshim: NETSHIM_FOO is not a variable netshim knows; see libnetshim(7)
netshim: NETSHIM_FORMAT=yaml is not one of text, json; using text
netshim: NETSHIM_FOO is not a variable netshim knows; see libnetshim(7)
OUT
	# The mark is in the environment only when something was said.
	run ns_run NETSHIM_TRACE=off NETSHIM_FORMAT=xml -- "$PY" -c 'import os; print(os.environ.get("NETSHIM_REPORTED"))'
	assert_line --index 1 --regexp '^[0-9a-f]{16}$'
	run ns_run NETSHIM_TRACE=off NETSHIM_FORMAT=json -- "$PY" -c 'import os; print(sorted(k for k in os.environ if k.startswith("NETSHIM_")))'
	assert_output "['NETSHIM_FORMAT', 'NETSHIM_TRACE']"
	# Order does not matter: bash hands its variables on in its own.
	run ns_run NETSHIM_TRACE=off NETSHIM_FOO=1 NETSHIM_BAR=2 -- bash -c "$PY -c 1"
	[ "${#lines[@]}" = 2 ]
}
