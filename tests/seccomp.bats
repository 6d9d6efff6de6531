#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The seccomp front (netshim run --front=seccomp): static C and Go programs, which LD_PRELOAD cannot reach, traced and changed by the same engine.

load common
bats_require_minimum_version 1.5.0

NS="$NS_BUILDDIR/netshim"
P="$NS_TESTBIN/sc_prog"
PS="$NS_TESTBIN/sc_prog_static"

# gonet (tests/helpers/sc_gonet.go says what it does), built once for the
# file, static.
setup_file() {
	go_build gonet "$NS_SRCDIR/tests/helpers/sc_gonet.go" CGO_ENABLED=0
}

setup() {
	T="$BATS_TEST_TMPDIR"
	G="$BATS_FILE_TMPDIR/go/gonet"
}

need_seccomp() {
	[ "$(uname -m)" = x86_64 ] || skip "the filter knows x86_64 calls only"
	timeout 20 "$NS" run --front=seccomp -o off -- true 2>"$T/probe" ||
		fail "netshim run --front=seccomp true: $(cat "$T/probe")"
	if grep -q 'no seccomp front' "$T/probe"; then
		skip "$(cat "$T/probe")"
	fi
}

# norm FILE: the events of FILE without what differs between two runs
# (times, ids, program name, ports, pointers), one JSON object a line.
norm() {
	jq -c 'del(.ts, .pid, .tid, .prog, .dur_ns)
	       | if (.addr | type) == "string" then
			.addr |= sub(":[0-9]+$"; ":P") | .addr |= sub("^0x[0-9a-f]+$"; "PTR")
		 else . end' "$1"
}

# wait_port FILE: the port a "gonet serve" wrote to FILE.
wait_port() {
	local i
	for i in $(seq 100); do
		grep -q '^port ' "$1" 2>/dev/null && break
		sleep 0.1
	done
	sed -n 's/^port //p' "$1"
}

# dial_once CMD...: CMD, a netshim run of "gonet serve x 1 ...", in the
# background, its output in $T/srv; one client gets its line echoed, and
# the server says it served it; $output is then the server's output.
dial_once() {
	local port

	timeout 30 "$@" >"$T/srv" 2>&1 &
	port=$(wait_port "$T/srv")
	[ -n "$port" ] || fail "$*: no server: $(cat "$T/srv")"
	run timeout 20 "$G" dial "127.0.0.1:$port" 1
	assert_success
	assert_output --partial 'ok msg-0'
	wait
	run cat "$T/srv"
	assert_line 'served msg-0'
}

@test "--front: a bad value is an error, the program is not started" {
	run -2 "$NS" run --front=ptrace -- sh -c 'echo started'
	assert_line --index 0 'netshim run: --front=ptrace: expected auto, preload or seccomp'
	refute_output --partial started
}

@test "static C program: the seccomp front's events are the preload front's for the same program built dynamically" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/s.json" -- "$PS" calls
	assert_success
	local out_s=$output
	run timeout 20 "$NS" run --front=preload --json -o "$T/d.json" -- "$P" calls
	assert_success
	# The program cannot tell: same results, same errno, same numbers.
	assert_equal "$out_s" "$output"
	json_lines "$T/s.json"
	norm "$T/s.json" >"$T/s.norm"
	norm "$T/d.json" >"$T/d.norm"
	run diff "$T/d.norm" "$T/s.norm"
	assert_success
	# Not two empty traces: every call made is there, refusals too.
	run jq -r '.call' "$T/s.json"
	assert_output - <<-EOF
	socket
	setsockopt
	bind
	listen
	socket
	connect
	accept
	getsockopt
	setsockopt
	getsockopt
	setsockopt
	connect
	listen
	bind
	socket
	socketpair
	socket
	sendto
	sendmsg
	connect
	socket
	bind
	listen
	accept4
	EOF
	run jq -r 'select(.call == "sendmsg") | "\(.len) \(.ret) \(.addr)"' "$T/s.json"
	assert_output --regexp '^5 5 127\.0\.0\.1:[0-9]+$'
	run jq -r 'select(.call == "setsockopt" and .option == "TCP_NODELAY") | .value' "$T/s.json"
	assert_output 1
	run jq -r 'select(.errno != null) | "\(.call) \(.errno)"' "$T/s.json"
	assert_output - <<-EOF
	setsockopt ENOPROTOOPT
	connect EBADF
	listen ENOTSOCK
	bind EINVAL
	socket EINVAL
	accept4 EAGAIN
	EOF
}

@test "--front=seccomp reaches a static program; auto gives a dynamic one LD_PRELOAD" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/s.json" -- "$PS" fork
	assert_success
	refute_output --partial 'LD_PRELOAD cannot reach'
	run jq -r 'select(.call == "socket") | .ret' "$T/s.json"
	assert_equal "${#lines[@]}" 3
	# The preload front for a dynamic program: the library is preloaded.
	run timeout 20 "$NS" run -o off -- sh -c 'echo "$LD_PRELOAD"'
	assert_output --partial libnetshim.so
	# The seccomp front never preloads: each call is traced once.
	run timeout 20 "$NS" run --front=seccomp -o off -- sh -c 'echo "[$LD_PRELOAD]"'
	assert_output '[]'
	run env LD_PRELOAD="$NS_LIB" timeout 20 "$NS" run --front=seccomp --json \
		-o "$T/once.json" -- "$P" fork
	assert_success
	run jq -r 'select(.call == "socket") | "\(.pid) \(.tid) \(.ret)"' "$T/once.json"
	assert_equal "${#lines[@]}" 3
}

@test "threads and children: each event says which process and thread, fd tables kept per process" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/f.json" -- "$PS" fork
	assert_success
	local child p c t
	child=$(sed -n 's/^child pid=//p' <<<"$output")
	p=$(sed -n 's/^parent socket ret=\([0-9]*\) .*/\1/p' <<<"$output")
	c=$(sed -n 's/^child socket ret=\([0-9]*\) .*/\1/p' <<<"$output")
	t=$(sed -n 's/^thread socket ret=\([0-9]*\) .*/\1/p' <<<"$output")
	run jq -r 'select(.call == "socket") | "\(.pid == .tid) \(.family) \(.ret)"' "$T/f.json"
	assert_output - <<-EOF
	true AF_INET $p
	true AF_INET $c
	false AF_INET6 $t
	EOF
	run jq -r 'select(.call == "socket" and .type == "SOCK_STREAM") | .pid' "$T/f.json"
	assert_output "$child"
	# The thread's socket is the parent's process.
	run jq -r '.pid' "$T/f.json"
	assert_line --index 0 "${lines[2]}"
}

@test "the program's exit status, or its death by a signal, is netshim's" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp -o off -- sh -c 'exit 3'
	assert_failure 3
	run timeout 20 "$NS" run --front=seccomp -o off -- sh -c 'kill -TERM $$'
	assert_failure 143
	run -127 timeout 20 "$NS" run --front=seccomp -o off -- /nonexistent/prog
	assert_output 'netshim run: /nonexistent/prog: No such file or directory'
}

@test "-o FILE.%p: one trace file per process" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/t.%p" -- "$PS" fork
	assert_success
	local child
	child=$(sed -n 's/^child pid=//p' <<<"$output")
	run jq -r '.call' "$T/t.$child"
	assert_output socket
	run sh -c "ls '$T' | grep -c '^t\.'"
	assert_output 2
}

@test "sockets are made in the program's network namespace, also after it unshares one" {
	need_root
	need_seccomp
	# Here, nothing listens on 127.0.0.1:1; in a new namespace loopback
	# is down.
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/n.json" -- "$PS" unreach
	assert_line 'connect ret=-1 errno=EINPROGRESS'
	run timeout 20 "$PS" netns
	assert_line 'connect ret=-1 errno=ENETUNREACH'
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/m.json" -- "$PS" netns
	assert_line 'connect ret=-1 errno=ENETUNREACH'
	run jq -r '"\(.call) \(.errno)"' "$T/m.json"
	assert_output - <<-EOF
	socket null
	socket null
	connect ENETUNREACH
	EOF
	# A program started in another namespace than netshim's.
	run timeout 20 unshare -n sh -c '"$0" run --front=seccomp --json -o "$2" -- "$1" unreach' "$NS" "$PS" "$T/u.json"
	assert_line 'connect ret=-1 errno=ENETUNREACH'
	run jq -r '"\(.call) \(.errno)"' "$T/u.json"
	assert_line 'connect ENETUNREACH'
}

@test "only the calls traced or changed leave the program: SO_PEERCRED tells who made a socketpair" {
	need_seccomp
	# A socketpair netshim serves is made by netshim's process, and
	# SO_PEERCRED names its maker; one the filter lets through, the
	# program's own.
	local py='import os, socket, struct
a, b = socket.socketpair()
pid = struct.unpack("3i", a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
print("mine" if pid == os.getpid() else "made by %d" % pid)'
	run timeout 20 "$NS" run --front=seccomp -o off -- python3 -c "$py"
	assert_output mine
	run timeout 20 "$NS" run --front=seccomp --mptcp=strip -o off -- python3 -c "$py"
	assert_output mine
	run timeout 20 "$NS" run --front=seccomp --events=connect --json -o "$T/c.json" -- python3 -c "$py"
	assert_output mine
	run timeout 20 "$NS" run --front=seccomp --events=socketpair --json -o "$T/s.json" -- python3 -c "$py"
	assert_output --regexp '^made by [0-9]+$'
	run jq -r 'select(.call == "socketpair") | "\(.ret) \(.fds | length)"' "$T/s.json"
	assert_output '0 2'
}

@test "a blocking accept on one thread does not stall the program's other thread" {
	need_seccomp
	# Were accept served in the loop, the second thread's calls would
	# wait for a connection that only they make: the run would time out.
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/b.json" -- "$PS" block
	assert_success
	assert_line 'wake ret=0 errno=EDOM'
	local a b
	a=$(sed -n 's/^accept ret=\([0-9]*\) errno=EDOM$/\1/p' <<<"$output")
	b=$(sed -n 's/^blocked accept ret=\([0-9]*\) errno=EDOM$/\1/p' <<<"$output")
	[ -n "$a" ] && [ -n "$b" ] || fail "accepts failed: $output"
	run jq -r 'select(.call == "accept") | "\(.tid == .pid) \(.ret)"' "$T/b.json"
	assert_output - <<-EOF
	true $a
	false $b
	EOF
}

@test "-4: a Go client on a dual-stack name dials IPv4; without it, IPv6" {
	need_root
	need_go "$G"
	need_seccomp
	printf '127.0.0.1 localhost\n::1 localhost\n::1 dual.test\n127.0.0.1 dual.test\n' >"$T/hosts"
	timeout 30 "$G" serve '[::]:0' 2 >"$T/srv" 2>&1 &
	local port
	port=$(wait_port "$T/srv")
	[ -n "$port" ] || fail "no server: $(cat "$T/srv")"
	in_ns() {
		timeout 30 unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$T/hosts" "$@"
	}
	run in_ns "$NS" run --front=seccomp -o off -- "$G" dial "dual.test:$port" 1
	assert_success
	assert_output --regexp '^ok msg-0 local \[::1\]:'
	run in_ns "$NS" run --front=seccomp -4 --json -o "$T/4.json" -- "$G" dial "dual.test:$port" 1
	assert_success
	assert_output --regexp '^ok msg-0 local 127\.0\.0\.1:'
	wait
	run jq -r 'select(.call == "socket" and .family == "AF_INET6") | "\(.errno) \(.policy)"' "$T/4.json"
	assert_line 'EAFNOSUPPORT family=ipv4: no AF_INET6 socket'
	run jq -r 'select(.call == "connect" and .sock.type == "SOCK_STREAM") | .addr' "$T/4.json"
	assert_output "127.0.0.1:$port"
}

@test "--mptcp=strip: a Go listener's raw IPPROTO_MPTCP socket becomes TCP and serves" {
	need_go "$G"
	need_seccomp
	need_mptcp_enabled
	# Without the policy the socket is MPTCP: the test can tell.
	run timeout 20 "$NS" run --front=seccomp -o off -- "$G" serve x 0 mptcp
	assert_line 'protocol 262'
	dial_once "$NS" run --front=seccomp --mptcp=strip --json -o "$T/m.json" -- \
		"$G" serve x 1 mptcp
	assert_line 'protocol 6'
	run jq -r 'select(.call == "socket" and .protocol == "IPPROTO_MPTCP") | "\(.ret >= 0) \(.policy)"' "$T/m.json"
	assert_output 'true mptcp=strip: IPPROTO_MPTCP made IPPROTO_TCP'
}

@test "Linux 6.1 refusing TCP_FASTOPEN on MPTCP kills a Go listener; each fixing policy saves it" {
	need_go "$G"
	need_seccomp
	need_mptcp_enabled
	local l61="$NS_TESTLIB/libsc_linux61.so" policy note
	# This kernel takes the option: the listener serves.
	run timeout 20 "$NS" run --front=seccomp -o off -- "$G" serve x 0 mptcp-tfo
	assert_success
	assert_line 'tfo ok, protocol 262'
	# netshim's calls for the program meet 6.1's refusal: it dies. (With
	# the trace off and no policy the kernel would make the calls itself.)
	run env LD_PRELOAD="$l61" timeout 20 "$NS" run --front=seccomp --json \
		-o "$T/u.json" -- "$G" serve x 0 mptcp-tfo
	assert_failure
	assert_line 'tfo: protocol not available'
	run jq -r 'select(.option == "TCP_FASTOPEN") | .errno' "$T/u.json"
	assert_output ENOPROTOOPT
	for policy in --mptcp=strip --mptcp=fallback --tfo=drop --tfo=retry; do
		dial_once env LD_PRELOAD="$l61" "$NS" run --front=seccomp \
			$policy --json -o "$T/p$policy.json" -- \
			"$G" serve x 1 mptcp-tfo
		case $policy in
		--mptcp=strip)
			assert_line 'tfo ok, protocol 6'
			note='mptcp=strip: IPPROTO_MPTCP made IPPROTO_TCP' ;;
		--mptcp=fallback)
			assert_line 'tfo ok, protocol 6'
			note='mptcp=fallback: kernel refused TCP_FASTOPEN on MPTCP (ENOPROTOOPT); replaced by TCP, options replayed' ;;
		--tfo=drop)
			assert_line 'tfo ok, protocol 262'
			note='tfo=drop: not passed to the kernel' ;;
		--tfo=retry)
			assert_line 'tfo ok, protocol 262'
			note='tfo=retry: kernel refused TCP_FASTOPEN (ENOPROTOOPT), went on without it' ;;
		esac
		run jq -r 'select(.policy != null) | .policy' "$T/p$policy.json"
		assert_output "$note"
	done
}

@test "fault injection: --scenario=linux-6.1-mptcp-tfo on a Go MPTCP listener, and the policies that fix it" {
	need_go "$G"
	need_seccomp
	need_mptcp_enabled
	local policy
	run timeout 20 "$NS" run --front=seccomp --scenario=linux-6.1-mptcp-tfo \
		--json -o "$T/u.json" -- "$G" serve x 0 mptcp-tfo
	assert_failure
	assert_line 'tfo: protocol not available'
	run jq -r 'select(.option == "TCP_FASTOPEN") | "\(.errno) \(.injected)"' "$T/u.json"
	assert_output 'ENOPROTOOPT setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT'
	for policy in --mptcp=fallback --tfo=retry; do
		dial_once "$NS" run --front=seccomp \
			--scenario=linux-6.1-mptcp-tfo $policy --json \
			-o "$T/f$policy.json" -- "$G" serve x 1 mptcp-tfo
		run jq -r 'select(.option == "TCP_FASTOPEN") | "\(.ret) \(.injected)"' "$T/f$policy.json"
		assert_output '0 setsockopt(mptcp,TCP_FASTOPEN)=ENOPROTOOPT'
	done
}

@test "fault injection: bind and connect fail as injected, the program sees the errno, the kernel is not asked" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp --fail='bind=EADDRINUSE#1' \
		--json -o "$T/b.json" -- "$PS" calls
	assert_line 'bind ret=-1 errno=EADDRINUSE'
	run jq -r 'select(.call == "bind") | "\(.ret) \(.errno) \(.injected)"' "$T/b.json"
	assert_line -n 0 '-1 EADDRINUSE bind=EADDRINUSE#1'
	# Without the rule the same connect is in progress (the kernel's).
	run timeout 20 "$NS" run --front=seccomp --fail='connect=ENETUNREACH' \
		--json -o "$T/c.json" -- "$PS" unreach
	assert_line 'connect ret=-1 errno=ENETUNREACH'
	run jq -r 'select(.call == "connect") | "\(.ret) \(.errno) \(.injected)"' "$T/c.json"
	assert_output '-1 ENETUNREACH connect=ENETUNREACH'
}

@test "fault injection: a delay rule on a blocking accept's thread; the program goes on" {
	need_seccomp
	# The first accept is the thread that blocks; its call, and the
	# delay, go to a worker while the other thread connects and wakes it.
	run timeout 20 "$NS" run --front=seccomp --fail='accept=delay(300ms)#1' \
		--json -o "$T/d.json" -- "$PS" block
	assert_success
	assert_line 'wake ret=0 errno=EDOM'
	run jq -r 'select(.call == "accept") | "\(.tid == .pid) \(.injected)"' "$T/d.json"
	assert_output - <<-EOF
	true null
	false accept=delay(300ms)#1
	EOF
}

@test "Go client and server exchange data under JSON traces: nothing lost or duplicated" {
	need_go "$G"
	need_seccomp
	local n=24 port
	timeout 60 "$NS" run --front=seccomp --json -o "$T/srv.json" -- "$G" serve 127.0.0.1:0 $n >"$T/srv" 2>&1 &
	port=$(wait_port "$T/srv")
	[ -n "$port" ] || fail "no server: $(cat "$T/srv")"
	run timeout 60 "$NS" run --front=seccomp --json -o "$T/cli.json" -- "$G" dial "127.0.0.1:$port" $n
	assert_success
	wait
	# Every message went and came back once.
	run sh -c "grep -c '^ok msg-' <<'EOF'
$output
EOF"
	assert_output $n
	run sh -c "sed -n 's/^served //p' '$T/srv' | sort -u | wc -l"
	assert_output $n
	json_lines "$T/cli.json"
	json_lines "$T/srv.json"
	# One event per call: n connects to the server, n accepted sockets.
	run jq -r "select(.call == \"connect\" and .addr == \"127.0.0.1:$port\") | .errno" "$T/cli.json"
	assert_equal "${#lines[@]}" $n
	run jq -r 'select(.call == "accept4" and .ret >= 0) | .addr' "$T/srv.json"
	assert_equal "${#lines[@]}" $n
	run sh -c "jq -r 'select(.call == \"accept4\" and .ret >= 0) | .addr' '$T/srv.json' | sort -u | wc -l"
	assert_output $n
	run sh -c "jq -c '[.ts, .tid, .call, .fd]' '$T/cli.json' '$T/srv.json' | sort | uniq -d"
	assert_output ''
}

@test "Go under a storm of signals: interrupted waits restart, each call traced once" {
	need_go "$G"
	need_seccomp
	local n=40 port
	timeout 60 "$G" serve 127.0.0.1:0 $n >"$T/srv" 2>&1 &
	port=$(wait_port "$T/srv")
	[ -n "$port" ] || fail "no server: $(cat "$T/srv")"
	run timeout 60 "$NS" run --front=seccomp --json -o "$T/cli.json" -- "$G" dial "127.0.0.1:$port" $n signals
	assert_success
	wait
	run sh -c "grep -c '^ok msg-' <<'EOF'
$output
EOF"
	assert_output $n
	json_lines "$T/cli.json"
	run jq -r "select(.call == \"connect\" and .addr == \"127.0.0.1:$port\") | .errno" "$T/cli.json"
	assert_equal "${#lines[@]}" $n
	run jq -r 'select(.call == "socket" and .type == "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC") | .ret' "$T/cli.json"
	assert_equal "${#lines[@]}" $n
}

@test "TCP Fast Open: --tfo=drop keeps TCP_FASTOPEN from the kernel of a static program" {
	need_seccomp
	run timeout 20 "$NS" run --front=seccomp -o off -- "$PS" tfo
	assert_line 'TCP_FASTOPEN=5'
	run timeout 20 "$NS" run --front=seccomp --tfo=drop --json -o "$T/t.json" -- "$PS" tfo
	assert_line 'setsockopt ret=0 errno=EDOM'
	assert_line 'TCP_FASTOPEN=0'
	run jq -r 'select(.call == "setsockopt") | .policy' "$T/t.json"
	assert_output 'tfo=drop: not passed to the kernel'
}

@test "under another seccomp supervisor (EBUSY): one line says so, LD_PRELOAD traces instead" {
	need_seccomp
	run timeout 20 "$NS_TESTBIN/pol_mptcp61" "$NS" run --front=seccomp --json \
		-o "$T/e.json" -- "$P" fork
	assert_success
	assert_line --index 0 'netshim run: no seccomp front: the program is already under another seccomp supervisor (EBUSY); using LD_PRELOAD'
	run grep -c 'no seccomp front' <<<"$output"
	assert_output 1
	run jq -r 'select(.call == "socket") | .ret' "$T/e.json"
	assert_equal "${#lines[@]}" 3
}

@test "the supervisor killed: the program's socket calls fail with ENOSYS, it does not hang" {
	need_seccomp
	local ns w i
	mkfifo "$T/in"
	# The program waits for a line; the test holds the writing end. A
	# trace, so that the filter sends socket() to netshim.
	"$NS" run --front=seccomp -o "$T/k.json" -- "$PS" wait <"$T/in" >"$T/out" 2>&1 &
	ns=$!
	exec {w}>"$T/in"
	for i in $(seq 100); do
		grep -q ready "$T/out" && break
		sleep 0.1
	done
	run grep -c ready "$T/out"
	assert_output 1
	# netshim is the supervisor, the program its child.
	kill -9 "$ns"
	wait "$ns" || true
	echo go >&$w
	exec {w}>&-
	for i in $(seq 100); do
		grep -q '^socket' "$T/out" && break
		sleep 0.1
	done
	run cat "$T/out"
	assert_line 'socket ret=-1 errno=ENOSYS'
}

@test "bad NETSHIM_* values and unknown names: the seccomp front says what the library says, once" {
	need_seccomp
	local x
	x=$(printf 'X%.0s' $(seq 100))
	export NETSHIM_FOO=1 NETSHIM_FORMAT=xml NETSHIM_FAIL="connect=EPERM$x"
	run --separate-stderr timeout 20 "$NS" run --front=preload -o off -- /bin/true
	assert_success
	local want=$stderr
	[ "$(printf '%s\n' "$want" | wc -l)" = 3 ]
	run --separate-stderr timeout 20 "$NS" run --front=seccomp -o off -- "$PS"
	assert_equal "$stderr" "$want"
}

@test "a program run as another user: its calls go to the kernel, never with netshim's privileges" {
	need_root
	need_seccomp
	command -v runuser >/dev/null || skip "no runuser"
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ] ||
		skip "port 80 is not privileged here"
	# Bare: nobody may not bind port 80; the socketpair is its own.
	run timeout 20 runuser -u nobody -- "$PS" privs
	assert_success
	assert_output $'bind80 ret=-1 errno=EACCES\npeer uid=mine pid=mine'
	# The same under the seccomp front run by root.
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/p.json" -- \
		runuser -u nobody -- "$PS" privs
	assert_success
	assert_output $'bind80 ret=-1 errno=EACCES\npeer uid=mine pid=mine'
	run jq -r 'select(.prog == "sc_prog_static" and .call == "bind")
		   | "\(.ret) \(.errno) \(.policy)"' "$T/p.json"
	assert_output "-1 null left to the kernel, result not seen: the thread's credentials are not netshim's"
	# Root's own calls are still served (and traced as such).
	run timeout 20 "$NS" run --front=seccomp --json -o "$T/r.json" -- \
		"$PS" privs
	assert_line --index 0 --regexp '^bind80 ret=0 '
	run jq -r 'select(.call == "bind") | "\(.ret) \(.policy)"' "$T/r.json"
	assert_output "0 null"
}
