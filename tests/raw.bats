#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The trap front (trap/): socket calls that bypass libc, trapped inside the program by a seccomp filter and a SIGSYS handler, and served by the hooks' own code.

load common
bats_require_minimum_version 1.5.0

NS="$NS_BUILDDIR/netshim"
P="$NS_TESTBIN/raw_prog"

# rawnet (Go 1.19) and rawnet23, rawmptcp (Go 1.23), all cgo, dynamic:
# tests/helpers/raw_gonet.go and raw_mptcp.go say what they do.
GO123=/usr/lib/go-1.23/bin
setup_file() {
	go_build rawnet "$NS_SRCDIR/tests/helpers/raw_gonet.go" CGO_ENABLED=1
	if [ -x "$GO123/go" ]; then
		go_build rawnet23 "$NS_SRCDIR/tests/helpers/raw_gonet.go" \
			CGO_ENABLED=1 PATH="$GO123:$PATH"
		go_build rawmptcp "$NS_SRCDIR/tests/helpers/raw_mptcp.go" \
			CGO_ENABLED=1 PATH="$GO123:$PATH"
	fi
}

setup() {
	T="$BATS_TEST_TMPDIR"
	G="$BATS_FILE_TMPDIR/go/rawnet"
	G23="$BATS_FILE_TMPDIR/go/rawnet23"
	GM="$BATS_FILE_TMPDIR/go/rawmptcp"
	[ "$(uname -m)" = x86_64 ] || skip "the trap front is x86_64 only"
}

need_go123() {
	[ -x "$GO123/go" ] || skip "no Go 1.23 (golang-1.23-go)"
	need_go "$1"
}

# count FILE JQ-FILTER: how many events of the JSON trace FILE match.
count() {
	jq -s "[.[] | select($2)] | length" "$1"
}

# go_serve PROG ADDR N [ENV...]: "PROG serve ADDR N" in the background,
# bare; $PORT is its port once it listens.
go_serve() {
	local prog=$1 addr=$2 n=$3 i

	timeout 30 "$prog" serve "$addr" "$n" >"$T/srv" 2>&1 &
	SRV=$!
	for i in $(seq 100); do
		grep -q '^listening' "$T/srv" && break
		sleep 0.1
	done
	PORT=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$T/srv")
	[ -n "$PORT" ] || fail "no server: $(cat "$T/srv")"
}

@test "NETSHIM_RAW: a bad value gets one line naming it, and the default" {
	run -0 --separate-stderr ns_run NETSHIM_RAW=always -- "$P" status
	[ "$stderr" = "netshim: NETSHIM_RAW=always is not one of auto, on, off; using auto" ]
	[ "$output" = "Seccomp:	0" ]
	run -2 "$NS" run --raw=always -- "$P" status
	[[ "$output" == *"--raw=always is not one of auto, on, off"* ]]
}

@test "default (auto): a plain C program has no seccomp filter at all" {
	run -0 ns_run NETSHIM_TRACE=off NETSHIM_FAMILY=ipv4 -- "$P" status
	[ "$output" = "Seccomp:	0" ]
	run -0 "$NS" run --front=preload -o "$T/t" -- "$P" status
	[ "$output" = "Seccomp:	0" ]
	# As root, run's own exec watch is the one filter (issue 17).
	if [ "$(id -u)" = 0 ]; then
		run -0 "$NS" run -o "$T/t" -- grep Seccomp_filters /proc/self/status
		[ "$output" = "Seccomp_filters:	1" ]
	fi
	run -0 ns_run NETSHIM_RAW=on NETSHIM_TRACE=off NETSHIM_FAMILY=ipv4 \
		-- "$P" status
	[ "$output" = "Seccomp:	2" ]
}

@test "syscall(SYS_connect) from a dynamic C program is traced with NETSHIM_RAW=on, and not without" {
	port=$(free_port)
	run -0 ns_run NETSHIM_RAW=on $(jt on) -- "$P" connect "$port"
	[ "${lines[0]}" = "connect ret=-1 errno=ECONNREFUSED" ]
	json_lines "$T/on.json"
	[ "$(count "$T/on.json" '.call == "connect" and .raw == true and .errno == "ECONNREFUSED" and (.addr | endswith(":'"$port"'"))')" = 1 ]
	[ "$(count "$T/on.json" '.call == "socket" and .raw == true')" = 1 ]
	# close(2) through libc: no mark.
	[ "$(count "$T/on.json" '.call == "close" and .raw == null')" = 1 ]
	run -0 ns_run $(jt off) -- "$P" connect "$port"
	[ "${lines[0]}" = "connect ret=-1 errno=ECONNREFUSED" ]
	[ "$(count "$T/off.json" '.call == "connect"')" = 0 ]
	# Text: a short mark.
	run -0 ns_run NETSHIM_RAW=on NETSHIM_TRACE="$T/text" -- "$P" connect "$port"
	grep -q 'connect(.*ECONNREFUSED .* \[raw\]$' "$T/text"
}

@test "cgo Go client, GODEBUG=netdns=cgo: the lookup and the dials in one trace; --prefer=ipv4 changes the address dialled" {
	need_root
	need_go "$G"
	dual_hosts
	go_serve "$G" "[::]:0" 2
	run -0 with_hosts "$T/hosts" -- env GODEBUG=netdns=cgo "$NS" run \
		--json -o "$T/a.json" -- "$G" dial "dual.test:$PORT" 1
	[ "$output" = "dialled [::1]:$PORT" ]
	[ "$(count "$T/a.json" '.call == "getaddrinfo" and .node == "dual.test" and .raw == null')" = 1 ]
	[ "$(count "$T/a.json" '.call == "connect" and .raw == true and .addr == "[::1]:'"$PORT"'"')" = 1 ]
	run -0 with_hosts "$T/hosts" -- env GODEBUG=netdns=cgo "$NS" run \
		--prefer=ipv4 --json -o "$T/b.json" -- "$G" dial "dual.test:$PORT" 1
	[ "$output" = "dialled 127.0.0.1:$PORT" ]
	[ "$(count "$T/b.json" '.call == "getaddrinfo" and (.policy // "" | startswith("prefer=ipv4"))')" = 1 ]
	[ "$(count "$T/b.json" '.call == "connect" and .raw == true and .addr == "127.0.0.1:'"$PORT"'"')" = 1 ]
	wait "$SRV"
}

@test "Go 1.23 MPTCP listener with TCP_FASTOPEN after Listen: fails as on 6.1 under the scenario; --mptcp=strip and --tfo=retry each fix it" {
	need_mptcp_enabled
	need_go123 "$GM"
	s=--scenario=linux-6.1-mptcp-tfo
	run -1 timeout 20 "$NS" run $s --json -o "$T/f.json" -- "$GM" 127.0.0.1:0
	[ "$output" = "tfo: protocol not available" ]
	[ "$(count "$T/f.json" '.call == "setsockopt" and .raw == true and .errno == "ENOPROTOOPT" and .injected != null')" = 1 ]
	for fix in --mptcp=strip --tfo=retry; do
		port=$(free_port)
		timeout 20 "$NS" run $s $fix --json -o "$T/x.json" -- \
			"$GM" "127.0.0.1:$port" >"$T/out" 2>&1 &
		pid=$!
		for i in $(seq 100); do
			grep -q 'tfo' "$T/out" && break
			sleep 0.1
		done
		[ "$(cat "$T/out")" = "tfo ok" ]
		printf 'ping\n' | timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"ping\n"); print(s.recv(16).decode().strip())' "$port" >"$T/echo"
		wait "$pid"
		[ "$(cat "$T/echo")" = ping ]
		[ "$(count "$T/x.json" '.call == "setsockopt" and .raw == true and (.policy // "" | test("mptcp=strip|tfo=retry"))')" -ge 1 ] ||
		[ "$(count "$T/x.json" '.call == "socket" and .raw == true and (.policy // "" | test("mptcp=strip"))')" -ge 1 ]
	done
}

@test "Go with many goroutines and GC under load: exact event counts, no crash (Go 1.19 and 1.23)" {
	need_go "$G"
	for prog in "$G" "$G23"; do
		[ -x "$prog" ] || continue
		rm -f "$T/l.json"
		run -0 timeout 120 "$NS" run --json -o "$T/l.json" \
			--events=socket,connect,bind,listen,accept4 -- \
			"$prog" load 127.0.0.1:0 40 25
		[ "$output" = "done 1000" ]
		[ "$(count "$T/l.json" '.call == "socket" and .raw')" = 1001 ]
		[ "$(count "$T/l.json" '.call == "connect" and .raw')" = 1000 ]
		[ "$(count "$T/l.json" '.call == "bind" and .raw')" = 1 ]
		[ "$(count "$T/l.json" '.call == "listen" and .raw')" = 1 ]
		[ "$(count "$T/l.json" '.call == "accept4" and .raw and .ret >= 0')" = 1000 ]
	done
}

@test "a traced Go server gets SIGTERM and exits 143 as bare" {
	need_go "$G"
	for pre in "" "$NS_PRELOAD"; do
		LD_PRELOAD=$pre NETSHIM_TRACE="$T/term" "$G" wait 127.0.0.1:0 \
			>"$T/w" 2>&1 &
		pid=$!
		for i in $(seq 100); do
			grep -q '^listening' "$T/w" && break
			sleep 0.1
		done
		grep -q '^listening' "$T/w"
		if [ -n "$pre" ]; then
			grep -q '^Seccomp:	2' /proc/$pid/status
			grep -q 'listen(.*\[raw\]' "$T/term"
		fi
		kill -TERM "$pid"
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" = 143 ]
	done
}

@test "as root, runuser -u nobody: a cgo Go program's bind on port 80 is refused exactly as bare, and traced" {
	need_root
	need_go "$G"
	command -v runuser >/dev/null || skip "no runuser"
	# nobody cannot walk into bats' directories: a copy of its own.
	d=$(mktemp -d /tmp/netshim-raw.XXXXXX)
	cp "$G" "$d/rawnet"
	chmod 1777 "$d"
	chmod 755 "$d/rawnet"
	run -1 timeout 20 runuser -u nobody -- "$d/rawnet" listen 127.0.0.1:80
	bare=$output
	# Events to stderr: nobody cannot open a trace file root made.
	run -1 --separate-stderr timeout 20 "$NS" run --json -- \
		runuser -u nobody -- "$d/rawnet" listen 127.0.0.1:80
	echo "$stderr" >"$T/p.json"
	rm -r "$d"
	[[ "$bare" == *"bind: permission denied"* ]]
	[ "$output" = "$bare" ]
	[ "$(count "$T/p.json" '.call == "bind" and .raw == true and .errno == "EACCES" and .addr == "127.0.0.1:80"')" = 1 ]
}

@test "8 threads of raw socket calls under a SIGALRM storm without SA_RESTART: zero EINTR, events equal calls" {
	[ -z "$NS_ASAN_RT" ] || skip "under the ASan runtime the storm dies of SIGSYS at its start (open: its signal interceptors)"
	run -0 ns_run NETSHIM_RAW=on $(jt s) -- timeout 60 "$P" storm 300
	[ "$output" = "calls 12000 eintr 0 alarms some" ]
	for c in socket setsockopt bind getsockopt; do
		[ "$(count "$T/s.json" '.call == "'$c'" and .raw == true and .errno == null')" = 2400 ]
	done
}

@test "a program's own SIGSYS handler and seccomp filter (RET_TRAP) still get its own SIGSYS" {
	port=$(free_port)
	run -0 "$P" ownsigsys "$port"
	bare=$output
	[ "${lines[1]}" = "getppid ret=4242 si_errno=0x1234 nr=110" ]
	run -0 ns_run NETSHIM_RAW=on $(jt o) -- "$P" ownsigsys "$port"
	[ "$output" = "$bare" ]
	[ "${lines[0]}" = "handler mine" ]
	[ "$(count "$T/o.json" '.call == "connect" and .raw == true')" = 1 ]
}

@test "exec with an empty environment: the next program gets the library again (Go's vfork+exec and C's execve)" {
	[ -z "$NS_ASAN_RT" ] || skip "under the ASan runtime the exec'd program exits 1 (open)"
	need_go "$G"
	port=$(free_port)
	run -0 "$NS" run --json -o "$T/e.json" -- "$G" exec "$P" connect "$port"
	[ "${lines[0]}" = "connect ret=-1 errno=ECONNREFUSED" ]
	[ "${lines[1]}" = "Seccomp:	2" ]
	[ "$(count "$T/e.json" '.call == "connect" and .raw == true and .prog == "raw_prog"')" = 1 ]
	run -0 ns_run NETSHIM_RAW=on $(jt c) -- "$P" exec "$P" connect "$port"
	[ "$(count "$T/c.json" '.call == "connect" and .raw == true')" = 1 ]
}

@test "exec of a static program under the filter: refused with one clear line where no netshim listens, served under netshim run's watch; never a silent SIGSYS" {
	need_go "$G"
	${CC:-cc} -static -pthread -o "$T/static" "$NS_SRCDIR/tests/helpers/raw_prog.c" ||
		skip "cannot link statically (no libc.a)"
	run -1 --separate-stderr ns_run NETSHIM_TRACE="$T/t" -- \
		"$G" exec "$T/static" status
	[ "$output" = "exec: fork/exec $T/static: operation not permitted" ]
	[[ "$stderr" == "netshim: refusing to exec $T/static: statically linked"* ]]
	[ "$(echo "$stderr" | wc -l)" = 1 ]
	run -0 "$NS" run --raw=off -o "$T/t" -- "$G" exec "$T/static" status
	# As root, run watches the execs (issue 17): the static program
	# gets the blob, and its filter, before it runs.
	if [ "$(id -u)" = 0 ]; then
		run -0 --separate-stderr "$NS" run -o "$T/t" -- \
			"$G" exec "$T/static" status
		[ "$output" = "Seccomp:	2" ]
		[ -z "$stderr" ]
	fi
}

@test "--backtrace cannot act on trapped calls: one line at start" {
	run -0 --separate-stderr "$NS" run --raw=on --backtrace=3 -o "$T/t" -- "$P" status
	[ "$stderr" = "netshim: NETSHIM_BACKTRACE: calls trapped outside libc get no backtrace (the unwinder stops at the SIGSYS frame)" ]
}

@test "the SIGSYS handler fits in a 32 KiB alternate signal stack (Go's), with half of it left" {
	[ -z "$NS_ASAN_RT" ] || skip "ASan's stack redzones make the handler's frames larger than a release build's"
	port=$(free_port)
	run -0 "$P" stack "$port"
	[ "${lines[-1]}" = "stack used 0" ]
	for opts in "NETSHIM_FORMAT=json" "NETSHIM_BACKTRACE=32"; do
		run -0 ns_run NETSHIM_RAW=on NETSHIM_TRACE="$T/t" $opts -- \
			"$P" stack "$port"
		n=${lines[-1]#stack used }
		[ "$n" -gt 1000 ] && [ "$n" -lt 16384 ]
		grep -q 'connect.*raw' "$T/t"
	done
}
