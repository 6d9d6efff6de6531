#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The traced program cannot tell: errno, fds, signal mask, threads, fork, exec, signal handlers, early constructors, secure execution.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	T="$BATS_TEST_TMPDIR/trace.json"
}

# in_netns PROGRAM...: PROGRAM in a network namespace of its own with lo
# up, so lookups of unknown names go nowhere.
in_netns() {
	timeout 60 unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
}

# py_check TRACE PYTHON-EXPRESSIONS...: ev is the list of events.
py_check() {
	local trace="$1"
	shift
	"$PY" - "$trace" "$@" <<'PY'
import collections, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
count = collections.Counter(e["call"] for e in ev)
def calls(name):
    return [e for e in ev if e["call"] == name]
for expr in sys.argv[2:]:
    if not eval(expr):
        sys.exit("does not hold: %s\ncounts: %s" % (expr, dict(count)))
PY
}

# Every call netshim hooks, as the trace names it (fcntl64 is fcntl).
ALL_CALLS="accept accept4 bind close close_range closefrom connect dup dup2 dup3 fcntl freeaddrinfo getaddrinfo gethostbyname gethostbyname2 getnameinfo getsockopt listen sendmsg sendto setsockopt shutdown socket socketpair"

# errno_run OUT ENV...: proc_errno in its own network namespace, fd 3 a
# pipe to $BATS_TEST_TMPDIR/pipe.out in every run so the fd layout is the same.
errno_run() {
	local out="$1"
	shift
	in_netns env "$@" "$NS_TESTBIN/proc_errno" >"$out" \
		3> >(cat >"$BATS_TEST_TMPDIR/pipe.out")
	wait $!
}

@test "errno, return values and fd numbers are the bare run's on every hook, file sink" {
	need_root
	errno_run "$BATS_TEST_TMPDIR/bare"
	errno_run "$BATS_TEST_TMPDIR/shim" NETSHIM_FORMAT=json NETSHIM_TRACE="$T" \
		LD_PRELOAD="$NS_PRELOAD"
	# Successful calls left the sentinel errno alone, as glibc does.
	run grep -c 'errno=4242' "$BATS_TEST_TMPDIR/bare"
	[ "$output" -ge 60 ]
	run diff -u "$BATS_TEST_TMPDIR/bare" "$BATS_TEST_TMPDIR/shim"
	assert_success
	assert_output ""
	json_lines "$T"
	# Every hook was reached, so every one of them was compared.
	for c in $ALL_CALLS; do
		grep -q "\"call\":\"$c\"" "$T" || fail "no $c event"
	done
}

@test "errno and the signal mask are the bare run's with a pipe sink (SIGPIPE juggling) and a text stderr sink" {
	need_root
	errno_run "$BATS_TEST_TMPDIR/bare"
	errno_run "$BATS_TEST_TMPDIR/pipe" NETSHIM_FORMAT=json NETSHIM_TRACE=fd:3 \
		LD_PRELOAD="$NS_PRELOAD"
	run diff -u "$BATS_TEST_TMPDIR/bare" "$BATS_TEST_TMPDIR/pipe"
	assert_output ""
	run grep -c . "$BATS_TEST_TMPDIR/pipe.out"
	[ "$output" -gt 100 ]
	in_netns env LD_PRELOAD="$NS_PRELOAD" "$NS_TESTBIN/proc_errno" \
		>"$BATS_TEST_TMPDIR/text" 2>"$BATS_TEST_TMPDIR/stderr" \
		3>"$BATS_TEST_TMPDIR/pipe.out"
	run diff -u "$BATS_TEST_TMPDIR/bare" "$BATS_TEST_TMPDIR/text"
	assert_output ""
	run grep -c 'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = ' "$BATS_TEST_TMPDIR/stderr"
	[ "$output" -gt 3 ]
	run grep -c 'MASK CHANGED' "$BATS_TEST_TMPDIR/pipe"
	assert_output 0
}

@test "8 threads x 200 rounds: every line whole, valid JSON, the expected number of each call" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 60 "$NS_TESTBIN/proc_threads" 8 200
	assert_success
	assert_output "ok 8 200"
	json_lines "$T"
	# listener: socket bind listen close; per round: socket setsockopt
	# connect close in a worker, accept close in the acceptor.
	py_check "$T" \
		"count['socket'] == 1 + 1600" "count['setsockopt'] == 1600" \
		"count['connect'] == 1600" "count['accept'] == 1600" \
		"count['bind'] == 1 and count['listen'] == 1" \
		"all(e['sock'] == {'family': 'AF_INET', 'type': 'SOCK_STREAM', 'protocol': 'IPPROTO_TCP'} for e in calls('connect') + calls('setsockopt'))" \
		"all(e['ret'] == 0 and e['errno'] is None for e in calls('connect'))" \
		"len({e['tid'] for e in calls('connect')}) == 8" \
		"all(e['pid'] == ev[0]['pid'] for e in ev)"
}

@test "8 threads x 200 rounds: every close of a socket is traced" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 60 "$NS_TESTBIN/proc_threads" 8 200
	assert_success
	# 1600 worker sockets, 1600 accepted ones, the listener.
	py_check "$T" "count['close'] == 1600 + 1600 + 1"
}

@test "a pending pthread_cancel does not act inside socket, setsockopt and the others that are no cancellation points, file and pipe sinks" {
	# ASan's teardown of a cancelled thread trips on the stack it
	# unwound (a false stack-buffer-overflow in its sigaltstack call,
	# bare as well): sanitized runs go without its alternate stack.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}use_sigaltstack=0"
	run "$NS_TESTBIN/proc_cancel"
	assert_success
	assert_output ok
	# The trace is written by system call: libc's write and send are
	# cancellation points.
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 "$NS_TESTBIN/proc_cancel"
	assert_output ok
	assert_success
	py_check "$T" "count['socket'] == 1 and count['shutdown'] == 1" \
		"count['socketpair'] == 1 and count['dup'] == 1"
	# Text to stderr, a pipe.
	ns_run -- timeout 20 "$NS_TESTBIN/proc_cancel" \
		>"$BATS_TEST_TMPDIR/out" 2> >(cat >"$BATS_TEST_TMPDIR/pipe.out")
	wait $!
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output ok
	run grep -c ' socketpair(AF_UNIX' "$BATS_TEST_TMPDIR/pipe.out"
	assert_output 1
}

@test "fork: the child's events carry its pid and it knows sockets from the parent's fd table" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 "$NS_TESTBIN/proc_fork" fork
	assert_success
	local parent child fd
	parent=$(sed -n 's/^parent \([0-9]*\) fd \([0-9]*\)$/\1/p' <<<"$output")
	fd=$(sed -n 's/^parent \([0-9]*\) fd \([0-9]*\)$/\2/p' <<<"$output")
	child=$(sed -n 's/^child \([0-9]*\)$/\1/p' <<<"$output")
	[ -n "$parent" ] && [ -n "$child" ] && [ "$parent" != "$child" ]
	json_lines "$T"
	# close() is only traced for sockets in the table: the child's close
	# of the parent's socket shows the child inherited it.
	py_check "$T" \
		"[(e['pid'], e['tid']) for e in calls('close') if e['fd'] == $fd][0] == ($child, $child)" \
		"[e['sock'] for e in calls('close') if e['pid'] == $child][0] == {'family': 'AF_INET', 'type': 'SOCK_STREAM', 'protocol': 'IPPROTO_TCP'}" \
		"[e['family'] for e in calls('socket') if e['pid'] == $child] == ['AF_UNIX']" \
		"[e['family'] for e in calls('socket') if e['pid'] == $parent] == ['AF_INET']" \
		"len([e for e in calls('close') if e['pid'] == $parent]) == 1" \
		"{e['pid'] for e in ev} == {$parent, $child}"
}

# spawn_checks MODE: the exec'd child ran and was traced under its own pid.
spawn_checks() {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 "$NS_TESTBIN/proc_fork" "$1"
	assert_success
	local parent child
	parent=$(sed -n 's/^parent \([0-9]*\)$/\1/p' <<<"$output")
	child=$(sed -n "s/^$1-child \\([0-9]*\\)\$/\\1/p" <<<"$output")
	assert_line "parent-after $parent"
	[ -n "$child" ] && [ "$child" != "$parent" ]
	json_lines "$T"
	py_check "$T" \
		"[e['family'] for e in calls('socket') if e['pid'] == $child] == ['AF_INET6']" \
		"[e['sock']['protocol'] for e in calls('close') if e['pid'] == $child] == ['IPPROTO_UDP']" \
		"len([e for e in calls('socket') if e['pid'] == $parent]) == 2"
}

@test "vfork + exec: the child runs, is traced under its own pid, the parent goes on" {
	spawn_checks vfork
	# Its dup2 ran on the parent's memory, and is still its own.
	local child
	child=$(sed -n 's/^vfork-child \([0-9]*\)$/\1/p' <<<"$output")
	py_check "$T" "[e['pid'] for e in calls('dup2')] == [$child]"
}

@test "clone(CLONE_VM) without CLONE_FILES: the child's dup2 is traced as its own" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout 20 "$NS_TESTBIN/proc_fork" clonevm
	assert_success
	local parent child
	parent=$(sed -n 's/^parent \([0-9]*\)$/\1/p' <<<"$output")
	child=$(sed -n 's/^clonevm-child \([0-9]*\)$/\1/p' <<<"$output")
	[ -n "$child" ] && [ "$child" != "$parent" ]
	py_check "$T" "[(e['pid'], e['ret']) for e in calls('dup2')] == [($child, 21)]" \
		"[e['pid'] for e in calls('close')] == [$parent]"
}

@test "posix_spawn with file actions: the child runs, is traced under its own pid" {
	spawn_checks spawn
}

@test "socket() from a DT_NEEDED library's constructor, before netshim's constructor, is traced" {
	LD_DEBUG=files run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		"$NS_TESTBIN/proc_ctor"
	assert_success
	assert_line --regexp '^ctor fd [0-9]+ main fd [0-9]+$'
	local cfd mfd
	cfd=$(sed -n 's/^ctor fd \([0-9]*\) main fd \([0-9]*\)$/\1/p' <<<"$output")
	mfd=$(sed -n 's/^ctor fd \([0-9]*\) main fd \([0-9]*\)$/\2/p' <<<"$output")
	# The loader's own account of the order: that library first.
	local ctor shim
	ctor=$(grep -n 'calling init: .*libproc_ctor' <<<"$output" | cut -d: -f1)
	shim=$(grep -n 'calling init: .*libnetshim' <<<"$output" | cut -d: -f1)
	[ -n "$ctor" ] && [ -n "$shim" ] && [ "$ctor" -lt "$shim" ]
	json_lines "$T"
	py_check "$T" \
		"[e['call'] for e in ev] == ['socket', 'close', 'socket', 'close']" \
		"ev[0]['family'] == 'AF_INET6' and ev[0]['type'] == 'SOCK_STREAM|SOCK_CLOEXEC' and ev[0]['ret'] == $cfd" \
		"ev[1]['sock'] == {'family': 'AF_INET6', 'type': 'SOCK_STREAM', 'protocol': 'IPPROTO_TCP'}" \
		"ev[2]['family'] == 'AF_UNIX' and ev[2]['ret'] == $mfd"
}

@test "SIGALRM storm for 2 s, handler doing socket()+close(): no deadlock, every line valid JSON" {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- \
		timeout -s KILL 15 "$NS_TESTBIN/proc_signal" 2
	[ "$status" -ne 137 ] || fail "deadlocked (killed by timeout)"
	assert_success
	local main handler
	main=$(sed -n 's/^main \([0-9]*\) handler \([0-9]*\)$/\1/p' <<<"$output")
	handler=$(sed -n 's/^main \([0-9]*\) handler \([0-9]*\)$/\2/p' <<<"$output")
	[ "$main" -gt 0 ] && [ "$handler" -gt 0 ]
	json_lines "$T"
	# Each socket() writes its event, handler or not.
	py_check "$T" \
		"count['socket'] == $main + $handler" \
		"count['setsockopt'] == $main" \
		"len([e for e in calls('socket') if e['type'] == 'SOCK_DGRAM']) == $handler"
}

@test "nss_wrapper preloaded after netshim keeps working: its hosts file answers, netshim traces it" {
	local nssw hosts="$BATS_TEST_TMPDIR/hosts"
	for nssw in /usr/lib/*/libnss_wrapper.so ""; do
		[ -e "$nssw" ] && break
	done
	[ -n "$nssw" ] || skip "nss_wrapper is not installed"
	printf '127.0.0.9 only-in-wrapper.test\n' >"$hosts"
	LD_PRELOAD="$nssw" run ns_run NSS_WRAPPER_HOSTS="$hosts" \
		NETSHIM_FORMAT=json NETSHIM_TRACE="$T" -- "$PY" -c '
import socket
print(socket.gethostbyname("only-in-wrapper.test"))
print(socket.getaddrinfo("only-in-wrapper.test", 7, socket.AF_INET, socket.SOCK_STREAM)[0][4][0])
'
	assert_success
	assert_output $'127.0.0.9\n127.0.0.9'
	json_lines "$T"
	py_check "$T" \
		"calls('getaddrinfo')[-1]['results'] == [{'family': 'AF_INET', 'addr': '127.0.0.9:7'}]" \
		"any(e['node'] == 'only-in-wrapper.test' for e in calls('gethostbyname') + calls('getaddrinfo'))"
}

@test "AT_SECURE: a setuid program passes through and opens no trace file" {
	need_secure
	getent passwd nobody >/dev/null || skip "no user nobody"
	# A setuid-root and a plain copy of a helper, both run as nobody with
	# LD_PRELOAD naming the library netshim stands in for.
	run secure_run <<'SH'
# as_nobody TRACE PROGRAM: only PROGRAM gets the preload.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env NETSHIM_TRACE="$1" NETSHIM_FORMAT=json NETSHIM_EVENTS=bogus \
		NETSHIM_FOO=1 LD_PRELOAD="$name" "$2" secure "$name" 2>&1
}
echo "== plain"
as_nobody /mnt/out/plain-%p /mnt/plain
echo "== suid"
as_nobody /mnt/out/suid-%p /mnt/suid
echo "== files"
cd /mnt/out && ls
echo "== plain trace"
cat plain-*
SH
	assert_success
	# The control run (not secure) loads netshim and traces...
	assert_line --index 1 'netshim: NETSHIM_EVENTS=bogus names something that is not a call netshim traces nor one of all, none, dns, sockopt, fd (see libnetshim(7)); ignoring the unknown names'
	assert_line --index 2 'netshim: NETSHIM_FOO is not a variable netshim knows; see libnetshim(7)'
	assert_line --index 3 'AT_SECURE=0 loaded=1 euid=65534 uid=65534'
	# ...the secure one has netshim loaded, parses nothing, says nothing,
	# opens nothing, and its calls work.
	assert_line --index 4 '== suid'
	assert_line --index 5 'AT_SECURE=1 loaded=1 euid=0 uid=65534'
	assert_line --index 6 '== files'
	assert_line --index 7 --regexp '^plain-[0-9]+$'
	assert_line --index 8 '== plain trace'
	assert_line --index 9 --partial '"call":"socket"'
	[ "${#lines[@]}" -eq 11 ]
}
