#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Process life: fork, vfork and posix_spawn from a parent whose threads are inside hooks; programs that take every descriptor; a full disk.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	T="$BATS_TEST_TMPDIR/trace.json"
}

# forkstorm_case fork|vfork|spawn: 4 threads hammer socketpair,
# setsockopt, dup, close_range and getaddrinfo (all of which take locks of
# the fd table) while the main thread makes 500 children one after the
# other; each child asks about a socket it inherited, makes and closes one
# of its own, closes the inherited one, and exits 0. A child that hangs is
# killed by its alarm(10) and counted bad. Only the children's calls are
# traced. (Without the atfork locking, 500 forks hang 2 to 5 children.)
forkstorm_case() {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" \
		NETSHIM_EVENTS=socket,getsockopt,close -- \
		timeout -s KILL 150 "$NS_TESTBIN/rel_stress" forkstorm "$1" 4 500
	[ "$status" -ne 137 ] || fail "deadlocked (killed by timeout)"
	assert_success
	assert_output --regexp '^parent [0-9]+ children 500 bad 0 rounds [0-9]+$'
	local parent
	parent=$(sed -n 's/^parent \([0-9]*\) .*/\1/p' <<<"$output")
	json_lines "$T"
	# The parent: the inherited socket made and closed.
	run jq -c "select(.pid == $parent) | [.call, .family // .sock.family]" "$T"
	assert_output $'["socket","AF_INET6"]\n["close","AF_INET6"]'
	"$PY" - "$T" "$parent" <<'PY'
import collections, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
parent = int(sys.argv[2])
kids = collections.defaultdict(list)
for e in ev:
    if e["pid"] != parent:
        kids[e["pid"]].append(e)
assert len(kids) == 500, "%d children traced" % len(kids)
UDP6 = {"family": "AF_INET6", "type": "SOCK_DGRAM", "protocol": "IPPROTO_UDP"}
UNIX = {"family": "AF_UNIX", "type": "SOCK_STREAM", "protocol": 0}
for pid, k in kids.items():
    # A child's events are its own: its pid, its only thread.
    assert all(e["tid"] == pid for e in k), k
    calls = [(e["call"], e.get("sock")) for e in k
             if e["call"] in ("getsockopt", "socket", "close")]
    # The inherited socket is known (fork: from the table; exec: from
    # the kernel), the new one is in the table.
    assert calls == [("getsockopt", UDP6), ("socket", None),
                     ("close", UNIX), ("close", UDP6)], (pid, calls)
PY
}

@test "fork x 500 while 4 threads are inside hooks: no child hangs, each knows the inherited socket, events carry its pid" {
	forkstorm_case fork
}

@test "vfork + exec x 500 while 4 threads are inside hooks: the same" {
	forkstorm_case vfork
}

@test "posix_spawn x 500 while 4 threads are inside hooks: the same" {
	forkstorm_case spawn
}

# closeall_run OUT ERR ENV...: rel_closeall with 512 descriptors, stdin,
# stdout and stderr only, its own file in $BATS_TEST_TMPDIR/mine.
closeall_run() {
	local out="$1" err="$2"
	shift 2
	rm -f "$BATS_TEST_TMPDIR/mine"
	env "$@" sh -c 'ulimit -n 512 && exec "$0" "$1"' \
		"$NS_TESTBIN/rel_closeall" "$BATS_TEST_TMPDIR/mine" \
		>"$out" 2>"$err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
}

@test "a program that closes, dup2s over and fills every descriptor: its calls return what they return bare; one warning when netshim has nowhere left" {
	local d="$BATS_TEST_TMPDIR"
	closeall_run "$d/bare.out" "$d/bare.err"
	cp "$d/mine" "$d/bare.mine"
	closeall_run "$d/shim.out" "$d/shim.err" NETSHIM_FORMAT=json \
		NETSHIM_TRACE="$T" LD_PRELOAD="$NS_PRELOAD"
	# The bare run did take every number up there.
	run grep -c '^dup2 onto [0-9]*: [0-9]*$' "$d/bare.out"
	assert_output 40
	run diff -u "$d/bare.out" "$d/shim.out"
	assert_success
	run cat "$d/shim.err"
	# netshim's descriptors, the trace and its copy of stderr (a file
	# here), are the two numbers the program could not fill.
	assert_line --index 0 "filled $(($(sed 's/filled //' "$d/bare.err") - 2))"
	assert_line --index 1 "netshim: no descriptor left to move the trace out of the program's way; tracing stops: EMFILE"
	[ "${#lines[@]}" -eq 2 ]
	# The program's file has the program's lines and nothing of ours.
	run cmp "$d/bare.mine" "$d/mine"
	assert_success
	# Tracing went on after close loop, close_range and the moves, up to
	# the point where it had to stop; every line is whole.
	json_lines "$T"
	# The last socket() came after tracing stopped.
	run jq -c 'select(.call == "socket") | [.family, .ret, .errno]' "$T"
	assert_output $'["AF_INET",3,null]\n["AF_INET6",4,null]\n["AF_INET",-1,"EMFILE"]'
	run jq -c 'select(.call == "close_range") | [.first, .ret]' "$T"
	assert_output '[3,0]'
}

@test "a full file system (16 KiB tmpfs) under 2000 events: one warning, the same output and exit as bare, one write attempt per event" {
	need_root
	command -v strace >/dev/null || skip "no strace"
	local d="$BATS_TEST_TMPDIR"
	mkdir "$d/small"
	"$NS_TESTBIN/proc_sink" events 2000 >"$d/bare.out"
	# strace counts the write(2) calls of the traced run.
	run timeout -s KILL 120 unshare -m sh -c '
		mount -t tmpfs -o size=16k tmpfs "$1" &&
		strace -f -qq -c -e trace=write -o "$1/../strace" env \
			NETSHIM_FORMAT=json NETSHIM_TRACE="$1/t" LD_PRELOAD="$2" \
			"$3" events 2000 >"$1/../out" 2>"$1/../err"
		echo "exit $?"' sh "$d/small" "$NS_LIB" "$NS_TESTBIN/proc_sink"
	assert_success
	assert_output "exit 0"
	run cmp "$d/bare.out" "$d/out"
	assert_success
	run cat "$d/err"
	assert_output "netshim: writing the trace failed, events are lost: $d/small/t: ENOSPC"
	# 4000 events (socket, close), each tried once, one warning, one line
	# of output: no retry loop.
	local writes
	writes=$(awk '$NF == "write" { print $4 }' "$d/strace")
	[ -n "$writes" ] && [ "$writes" -le 4010 ] ||
		fail "write(2) calls: ${writes:-none}: $(cat "$d/strace")"
	[ "$writes" -ge 4000 ] || fail "only $writes write(2) calls"
}
