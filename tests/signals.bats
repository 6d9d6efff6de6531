#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hooked calls from signal handlers that interrupt threads inside hooks: no deadlock, and the fd table still right afterwards.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	T="$BATS_TEST_TMPDIR/trace.json"
}

# storm_checks TRACE OUTPUT: what rel_signal printed, against its trace.
storm_checks() {
	local main workers handler inloop
	read -r main workers handler inloop < <(sed -n \
		's/^main \([0-9]*\) workers \([0-9]*\) handler \([0-9]*\) in-loop \([0-9]*\)$/\1 \2 \3 \4/p' \
		<<<"$2")
	[ -n "$inloop" ] || fail "no counts in: $2"
	# The storm reached the loops: most signals landed while a thread
	# was between its socket() and its close().
	[ "$handler" -gt 100 ] && [ "$inloop" -gt $((handler / 2)) ] ||
		fail "handler $handler in-loop $inloop"
	json_lines "$1"
	"$PY" - "$1" "$main" "$workers" "$handler" "$(grep -c '^kept ' <<<"$2")" \
		$(sed -n 's/^kept //p' <<<"$2") <<'PY'
import collections, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
main, workers, handler, nkept = map(int, sys.argv[2:6])
kept = [int(x) for x in sys.argv[6:6 + nkept]]
c = collections.Counter(e["call"] for e in ev)
def sock(fam, typ, proto):
    return {"family": fam, "type": typ, "protocol": proto}
TCP = sock("AF_INET", "SOCK_STREAM", "IPPROTO_TCP")
UDP6 = sock("AF_INET6", "SOCK_DGRAM", "IPPROTO_UDP")
UNIXD = sock("AF_UNIX", "SOCK_DGRAM", 0)
UNIXS = sock("AF_UNIX", "SOCK_STREAM", 0)
def check(cond, what):
    if not cond:
        sys.exit("does not hold: %s\ncounts: %s" % (what, dict(c)))
# Every socket() of every kind was traced, handler or not.
sockets = collections.Counter((e["family"], e["type"]) for e in ev
                              if e["call"] == "socket")
check(sockets[("AF_INET", "SOCK_STREAM")] == workers + 1, "worker sockets")
check(sockets[("AF_UNIX", "SOCK_DGRAM")] == main, "main sockets")
check(sockets[("AF_INET6", "SOCK_DGRAM")] == handler + 1, "handler sockets")
# Not one event names the wrong kind of socket: the table was never
# corrupted by a handler running inside a table operation.
allowed = {"setsockopt": [TCP, UDP6], "dup": [TCP], "close": [TCP, UDP6, UNIXD],
           "getsockopt": [TCP, UDP6, UNIXS]}
for e in ev:
    if e["call"] in allowed:
        check(e.get("sock") in allowed[e["call"]], "sock of %s" % e)
check(sum(1 for e in ev if e["call"] == "setsockopt" and e["sock"] == TCP) == workers,
      "worker setsockopt")
check(sum(1 for e in ev if e["call"] == "setsockopt" and e["sock"] == UDP6) == handler,
      "handler setsockopt")
check(c["dup"] == workers, "dups")
# Every close the handler made is traced, also while its thread held the
# table (the kernel says what the number is then).
hclose = sum(1 for e in ev if e["call"] == "close" and e["sock"] == UDP6)
check(hclose == handler, "handler closes %d of %d" % (hclose, handler))
check(sum(1 for e in ev if e["call"] == "close" and e["sock"] == TCP) == 2 * workers,
      "worker closes")
check(sum(1 for e in ev if e["call"] == "close" and e["sock"] == UNIXD) == main,
      "main closes")
# Workers and handler asked about the shared datagram socket each time.
check(sum(1 for e in ev if e["call"] == "getsockopt" and e["fd"] == kept[2]
          and e["sock"] == UDP6) == workers + handler + 1, "shared getsockopt")
# After the storm the long-lived sockets are what they were.
last = {e["fd"]: e["sock"] for e in ev if e["call"] == "getsockopt"}
got = [last.get(fd) for fd in kept]
check(got == [UNIXS, UNIXS, UDP6, TCP], "kept sockets: %s" % got)
print("handler closes traced: %d of %d" % (hclose, handler), file=sys.stderr)
PY
}

@test "SIGALRM every 100us for 3 s over 4 threads + main in socket/dup/close loops, handler socket+setsockopt+close: no deadlock, no wrong fd-table entry" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout -s KILL 60 "$NS_TESTBIN/rel_signal" 4 3
	[ "$status" -ne 137 ] || fail "deadlocked (killed by timeout)"
	assert_success
	storm_checks "$T" "$output"
}

@test "the same storm with the trace on a pipe (SIGPIPE blocked and restored around each write): no deadlock, nothing lost" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE=fd:3 -- \
		timeout -s KILL 60 "$NS_TESTBIN/rel_signal" 4 2 \
		3> >(cat >"$T")
	[ "$status" -ne 137 ] || fail "deadlocked (killed by timeout)"
	assert_success
	# cat finishes once the program's end closed the pipe.
	for _ in $(seq 100); do
		[ -s "$T" ] && [ "$(tail -c 1 "$T" | od -An -c | tr -d ' ')" = '\n' ] &&
			grep -q '"call":"getsockopt".*"AF_INET"' "$T" && break
		sleep 0.1
	done
	storm_checks "$T" "$output"
}

@test "the same storm with policies on and the trace off: no deadlock, every call works" {
	run ns_run NETSHIM_TRACE=off NETSHIM_MPTCP=strip NETSHIM_TFO=drop -- \
		timeout -s KILL 60 "$NS_TESTBIN/rel_signal" 4 2
	[ "$status" -ne 137 ] || fail "deadlocked (killed by timeout)"
	assert_success
	assert_line --regexp '^main [0-9]+ workers [0-9]+ handler [0-9]+ in-loop [0-9]+$'
	run grep -c "^kept " <<<"$output"
	assert_output 4
}

@test "a handler closes a socket while its thread holds the fd table, 3000 times; the number comes back as a file: never taken for the old socket" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout -s KILL 60 "$NS_TESTBIN/rel_signal" stale 3000
	[ "$status" -ne 137 ] || fail "deadlocked (killed by timeout)"
	assert_success
	assert_output --regexp '^stale 3000 reused [0-9]+$'
	# The file got the socket's number almost every time.
	[ "${output##* }" -gt 2900 ]
	json_lines "$T"
	# No event for /dev/null: its F_DUPFD and close are not a socket's.
	# (Before the table checked such numbers again, 15 to 30 in 2000.)
	run jq -c 'select(.call == "fcntl")' "$T"
	assert_output ""
	# Each close is the handler's, of the AF_INET6 socket, every one
	# traced (also those made while the table was held).
	run jq -r 'select(.call == "close") | .sock.family' "$T"
	[ "${#lines[@]}" = 3000 ]
	run grep -cv AF_INET6 <<<"$output"
	assert_output 0
}

@test "a handler forks while its thread holds the fd table and 4 threads use theirs, 2000 times: every child gets every shard" {
	# The child goes back to the interrupted call, then makes and closes
	# a socket on each of the table's 64 shards. Before the child emptied
	# the shards other threads held at the fork, it waited for them for
	# ever (2 runs in 3 hung within 1000 forks).
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout -s KILL 600 "$NS_TESTBIN/rel_signal" forks 2000
	[ "$status" -ne 137 ] || fail "a child hung (killed by timeout)"
	assert_success
	assert_output "forks 2000 children ok 2000"
}
