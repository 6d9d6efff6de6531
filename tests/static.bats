#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Static programs (C: glibc, static-PIE, musl; Go 1.19 and 1.23) under netshim run's default front, the in-process trap: their own credentials, signals and exec chain, as bare, every trapped call traced with "raw":true.

load common
bats_require_minimum_version 1.5.0

NS="$NS_BUILDDIR/netshim"
P="$NS_TESTBIN/st_prog"
PS="$NS_TESTBIN/st_prog_static"
PP="$NS_TESTBIN/st_prog_spie"
GO123=/usr/lib/go-1.23/bin
# Where the blob lives in a traced program (trap/blob.h, TRAP_BLOB_BASE).
BLOB_MAP=6e7301000000

# stgo (tests/helpers/st_go/ says what it does), static, by Go 1.19 and
# 1.23; st_prog built by musl-gcc when there is one.
setup_file() {
	local d=$BATS_FILE_TMPDIR/go

	mkdir -p "$d"
	cp -r "$NS_SRCDIR/tests/helpers/st_go" "$d/stgo-src"
	go_build stgo119 ./stgo-src CGO_ENABLED=0
	if [ -x "$GO123/go" ]; then
		go_build stgo123 ./stgo-src CGO_ENABLED=0 PATH="$GO123:$PATH"
	fi
	if command -v musl-gcc >/dev/null; then
		musl-gcc -O2 -static -pthread -o "$BATS_FILE_TMPDIR/st_prog_musl" \
			"$NS_SRCDIR/tests/helpers/st_prog.c" \
			>"$BATS_FILE_TMPDIR/musl.log" 2>&1 || true
	fi
}

setup() {
	T="$BATS_TEST_TMPDIR"
	G19="$BATS_FILE_TMPDIR/go/stgo119"
	G23="$BATS_FILE_TMPDIR/go/stgo123"
	PM="$BATS_FILE_TMPDIR/st_prog_musl"
	[ "$(uname -m)" = x86_64 ] || skip "the trap front is x86_64 only"
}

teardown() {
	[ -z "${D:-}" ] || rm -rf "$D"
}

# gos: the static Go programs built here (Go 1.19 always, 1.23 if there).
gos() {
	need_go "$G19"
	GOS=("$G19")
	[ -x "$G23" ] && GOS+=("$G23")
	return 0
}

# count FILE JQ-FILTER: how many events of the JSON trace FILE match.
count() {
	jq -s "[.[] | select($2)] | length" "$1"
}

# nobody_dir: $D, a directory nobody may enter and write (no sticky bit,
# so that a trace file root made there is not refused as planted), with
# copies of the programs given, and $D/t.json, a trace file both root
# and nobody may append to.
nobody_dir() {
	D=$(mktemp -d /tmp/netshim-static.XXXXXX)
	chmod 777 "$D"
	cp "$@" "$D/"
	chmod 755 "$D"/*
	: >"$D/t.json"
	chown nobody "$D/t.json"
	chmod 666 "$D/t.json"
}

# in_netns CMD...: CMD in a network namespace of its own, loopback up.
in_netns() {
	timeout 60 unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
}

# started FILE PID: until FILE has a "listening" line (10 s), or PID is
# gone; then $LPID is the pid the program printed.
started() {
	local i

	for i in $(seq 100); do
		grep -q '^listening' "$1" && break
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	LPID=$(sed -n 's/^listening .* pid \([0-9]*\)$/\1/p' "$1")
	[ -n "$LPID" ] || fail "no server: $(cat "$1")"
}

# sig_status SIG CMD...: CMD (a server printing "listening PORT pid N")
# with default signal dispositions, SIG sent to the server's pid N once
# it listens; $RC is how CMD ended, $INPROC whether the blob was mapped
# in the server and no tracer left on it, $MASKS its blocked and ignored
# signals (netshim must leave none of its own behind).
sig_status() {
	local sig=$1 pid

	shift
	timeout 30 env --default-signal "$@" >"$T/sig.out" 2>&1 &
	pid=$!
	started "$T/sig.out" "$pid"
	INPROC=no
	if grep -q "^$BLOB_MAP-" "/proc/$LPID/maps" &&
	   grep -q '^TracerPid:	0$' "/proc/$LPID/status"; then
		INPROC=yes
	fi
	MASKS=$(grep -E '^Sig(Blk|Ign):' "/proc/$LPID/status")
	kill -"$sig" "$LPID"
	RC=0
	wait "$pid" || RC=$?
}

@test "as root, runuser -u nobody: a static C program's privileged calls fail as bare, SO_PEERCRED is its own; all traced raw" {
	need_root
	command -v runuser >/dev/null || skip "no runuser"
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ] ||
		skip "port 80 is not privileged here"
	nobody_dir "$PS"
	run -0 --separate-stderr in_netns runuser -u nobody -- \
		"$D/st_prog_static" privs
	bare=$output
	run -0 --separate-stderr in_netns "$NS" run -o "$D/t.json" --json -- \
		runuser -u nobody -- "$D/st_prog_static" privs
	cp "$D/t.json" "$T/p.json"
	rm -r "$D"
	assert_equal "$output" "$bare"
	assert_equal "$bare" "bind80 EACCES
raw EPERM
packet EPERM
SO_MARK EPERM
SO_PRIORITY7 EPERM
IP_TRANSPARENT EPERM
SO_RCVBUFFORCE EPERM
RTM_NEWADDR EPERM
accepted peer uid=mine pid=mine
listener peer uid=mine pid=mine"
	# The program's own pid and uid, from its stderr: the events are its.
	read -r _ pid _ uid _ <<<"$(grep '^pid ' <<<"$stderr")"
	[ "$uid" = "$(id -u nobody)" ]
	p='.pid == '"$pid"' and .raw == true'
	[ "$(count "$T/p.json" "$p"' and .call == "bind" and .errno == "EACCES" and .addr == "127.0.0.1:80"')" = 1 ]
	[ "$(count "$T/p.json" "$p"' and .call == "socket" and .type == "SOCK_RAW" and .family == "AF_INET" and .errno == "EPERM"')" = 1 ]
	[ "$(count "$T/p.json" "$p"' and .call == "socket" and .family == "AF_PACKET" and .errno == "EPERM"')" = 1 ]
	for o in SO_MARK SO_PRIORITY IP_TRANSPARENT SO_RCVBUFFORCE; do
		[ "$(count "$T/p.json" "$p"' and .call == "setsockopt" and .option == "'$o'" and .errno == "EPERM"')" = 1 ]
	done
	[ "$(count "$T/p.json" "$p"' and .call == "socket" and .family == "AF_NETLINK" and .errno == null')" = 1 ]
	[ "$(count "$T/p.json" "$p"' and .call == "getsockopt" and .option == "SO_PEERCRED" and .ret == 0')" = 2 ]
}

@test "as root: a static C program's calls are made in its own process (SO_PEERCRED names it), privileged ones succeed as bare" {
	need_root
	run -0 --separate-stderr in_netns "$PS" privs
	bare=$output
	[ "${lines[-1]}" = "listener peer uid=mine pid=mine" ]
	run -0 --separate-stderr in_netns "$NS" run --json -o "$T/r.json" -- \
		"$PS" privs
	assert_equal "$output" "$bare"
	read -r _ pid _ <<<"$(grep '^pid ' <<<"$stderr")"
	[ "$(count "$T/r.json" '.pid == '"$pid"' and .call == "listen" and .raw == true and .ret == 0')" = 1 ]
	[ "$(count "$T/r.json" '.call == "setsockopt" and .raw == true and .ret == 0')" = 4 ]
}

@test "as root, runuser -u nobody: a static Go program listening on :80 gets EACCES as bare, traced raw" {
	need_root
	gos
	command -v runuser >/dev/null || skip "no runuser"
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ] ||
		skip "port 80 is not privileged here"
	for g in "${GOS[@]}"; do
		nobody_dir "$g"
		x="$D/${g##*/}"
		run -1 timeout 20 runuser -u nobody -- "$x" listen 127.0.0.1:80
		bare=$output
		run -1 timeout 20 "$NS" run --json -o "$D/t.json" -- \
			runuser -u nobody -- "$x" listen 127.0.0.1:80
		cp "$D/t.json" "$T/g.json"
		rm -r "$D"
		assert_equal "$bare" "listen: listen tcp 127.0.0.1:80: bind: permission denied"
		assert_equal "$output" "$bare"
		[ "$(count "$T/g.json" '.call == "bind" and .raw == true and .errno == "EACCES" and .addr == "127.0.0.1:80"')" = 1 ]
	done
}

@test "8 threads under a SIGALRM storm without SA_RESTART: zero EINTR, events equal calls" {
	run -0 timeout 120 "$PS" storm 300
	[ "$output" = "calls 4800 eintr 0 fails 0 alarms some" ]
	run -0 timeout 120 "$NS" run --json -o "$T/s.json" -- "$PS" storm 300
	[ "$output" = "calls 4800 eintr 0 fails 0 alarms some" ]
	[ "$(count "$T/s.json" '.call == "socket" and .raw == true and .errno == null')" = 2400 ]
	[ "$(count "$T/s.json" '.call == "setsockopt" and .raw == true and .errno == null')" = 2400 ]
	[ "$(count "$T/s.json" '.errno == "EINTR"')" = 0 ]
}

@test "SIGTERM, SIGINT, SIGHUP to a traced static C server and static Go servers: the exit statuses they give bare" {
	gos
	for srv in "$PS serve" "${GOS[@]/%/ wait}"; do
		for sig in TERM INT HUP; do
			sig_status "$sig" $srv
			bare=$RC bare_masks=$MASKS
			[ "$INPROC" = no ]
			# A trace file is appended to: one per run.
			rm -f "$T/x.json"
			sig_status "$sig" "$NS" run --json -o "$T/x.json" -- $srv
			echo "$srv SIG$sig: bare $bare, traced $RC"
			[ "$RC" = "$bare" ]
			assert_equal "$MASKS" "$bare_masks"
			[ "$INPROC" = yes ]
			[ "$(count "$T/x.json" '.call == "listen" and .raw == true')" = 1 ]
		done
		[ "$bare" = 129 ]
	done
}

@test "a static server started with SIGINT ignored (a shell's background job, nohup): SIGINT changes nothing, SIGTERM ends it, as bare" {
	gos
	for srv in "$PS serve" "${GOS[@]/%/ wait}"; do
		for wrap in "" "$NS run --json -o $T/i.json --"; do
			timeout 30 env --ignore-signal=INT $wrap $srv >"$T/i.out" 2>&1 &
			pid=$!
			started "$T/i.out" "$pid"
			ign=$(sed -n 's/^SigIgn:	//p' "/proc/$LPID/status")
			# Both pending at once: SIGINT (2) would be taken first.
			kill -INT "$LPID"
			kill -TERM "$LPID"
			rc=0
			wait "$pid" || rc=$?
			echo "${wrap:-bare} $srv: SigIgn $ign, $rc"
			(( 0x$ign & 2 ))
			[ "$rc" = 143 ]
		done
	done
}

@test "a worker thread that blocks every signal makes socket calls: it finishes, every call traced" {
	run -0 timeout 60 "$PS" blocked 500
	[ "$output" = "worker done 500 fails 0" ]
	run -0 timeout 60 "$NS" run --json -o "$T/b.json" -- "$PS" blocked 500
	[ "$output" = "worker done 500 fails 0" ]
	[ "$(count "$T/b.json" '.call == "socket" and .raw == true and .tid != .pid')" = 500 ]
	[ "$(count "$T/b.json" '.call == "setsockopt" and .raw == true and .tid != .pid')" = 500 ]
}

@test "static Go runs a static Go child and dynamic C children (one after env -i, one with an empty environment) and a missing path: output as bare, every process traced" {
	skip_asan_dynamic_child
	gos
	port=$(free_port)
	for g in "${GOS[@]}"; do
		run -0 --separate-stderr timeout 60 "$g" exec "$port" "$P"
		bare=$output
		[ "${lines[-1]}" = "ran /nonexistent/prog: fork/exec /nonexistent/prog: no such file or directory" ]
		rm -f "$T/e.json"
		run -0 --separate-stderr timeout 60 "$NS" run --json -o "$T/e.json" -- \
			"$g" exec "$port" "$P"
		assert_equal "$output" "$bare"
		pids=$(sed -n 's/^pid //p' <<<"$stderr")
		[ "$(wc -w <<<"$pids")" = 5 ]
		set -- $pids
		# The Go parent and its Go child: trapped in the program.
		[ "$(count "$T/e.json" '.pid == '"$1"' and .call == "connect" and .raw == true and (.addr | endswith(":'"$port"'"))')" = 1 ]
		[ "$(count "$T/e.json" '.pid == '"$2"' and .call == "connect" and .raw == true and (.addr | endswith(":'"$port"'"))')" = 1 ]
		# The dynamic C children, however their environment was left.
		for c in "$3" "$4" "$5"; do
			[ "$(count "$T/e.json" '.pid == '"$c"' and .call == "connect" and .errno == "ECONNREFUSED" and (.addr | endswith(":'"$port"'"))')" = 1 ]
		done
	done
}

@test "Go 1.19 and 1.23 MPTCP listener with TCP_FASTOPEN after Listen: fails as on 6.1 under the scenario; --mptcp=strip and --tfo=retry each make it serve" {
	need_mptcp_enabled
	gos
	s=--scenario=linux-6.1-mptcp-tfo
	for g in "${GOS[@]}"; do
		rm -f "$T/f.json"
		run -1 timeout 20 "$NS" run $s --json -o "$T/f.json" -- \
			"$g" mptcp 127.0.0.1:0
		[ "$output" = "tfo: protocol not available" ]
		[ "$(count "$T/f.json" '.call == "setsockopt" and .option == "TCP_FASTOPEN" and .raw == true and .errno == "ENOPROTOOPT" and .injected != null')" = 1 ]
		for fix in --mptcp=strip --tfo=retry; do
			port=$(free_port)
			rm -f "$T/x.json"
			timeout 20 "$NS" run $s $fix --json -o "$T/x.json" -- \
				"$g" mptcp "127.0.0.1:$port" >"$T/out" 2>&1 &
			pid=$!
			for i in $(seq 100); do
				grep -q 'tfo' "$T/out" && break
				sleep 0.1
			done
			[ "$(cat "$T/out")" = "tfo ok" ]
			timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"ping\n"); print(s.recv(16).decode().strip())' "$port" >"$T/echo"
			wait "$pid"
			[ "$(cat "$T/echo")" = ping ]
			[ "$(count "$T/x.json" '.raw == true and (.policy // "" | test("mptcp=strip|tfo=retry"))')" -ge 1 ]
		done
	done
}

@test "-4: a static Go client on a dual-stack name dials IPv4; without it, IPv6" {
	need_root
	gos
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$T/hosts"
	port=$(free_port)
	# One dual-stack listener: [::1] and 127.0.0.1 on one port.
	timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1]))); s.listen(8); print("up", flush=True)
s.settimeout(30)
for i in range(int(sys.argv[2])):
    s.accept()[0].close()' "$port" $((2 * ${#GOS[@]})) >"$T/srv" &
	srv=$!
	for i in $(seq 100); do
		grep -q up "$T/srv" && break
		sleep 0.1
	done
	for g in "${GOS[@]}"; do
		run -0 with_hosts "$T/hosts" -- "$NS" run -o off -- \
			"$g" dial "dual.test:$port"
		[ "$output" = "dialled over IPv6" ]
		rm -f "$T/4.json"
		run -0 with_hosts "$T/hosts" -- "$NS" run -4 --json -o "$T/4.json" -- \
			"$g" dial "dual.test:$port"
		[ "$output" = "dialled over IPv4" ]
		[ "$(count "$T/4.json" '.call == "socket" and .family == "AF_INET6" and .raw == true and .errno == "EAFNOSUPPORT"')" -ge 1 ]
		[ "$(count "$T/4.json" '.call == "connect" and .raw == true and .addr == "127.0.0.1:'"$port"'"')" = 1 ]
	done
	wait "$srv"
}

@test "a static Go net/http server under load (300 requests, Connection: close): every request answered, accepts counted exactly" {
	gos
	n=300
	for g in "${GOS[@]}"; do
		rm -f "$T/h.json"
		timeout 120 "$NS" run --json -o "$T/h.json" -- "$g" http $n \
			>"$T/srv" 2>&1 &
		pid=$!
		for i in $(seq 100); do
			grep -q '^port ' "$T/srv" && break
			sleep 0.1
		done
		port=$(sed -n 's/^port //p' "$T/srv")
		[ -n "$port" ] || fail "no server: $(cat "$T/srv")"
		run -0 timeout 100 "$g" load "http://127.0.0.1:$port/" $n
		[ "$output" = "ok $n bad 0" ]
		wait "$pid"
		[ "$(tail -1 "$T/srv")" = "served $n" ]
		[ "$(count "$T/h.json" '.call == "accept4" and .raw == true and .ret >= 0')" = $n ]
		[ "$(count "$T/h.json" '.call == "listen" and .raw == true')" = 1 ]
	done
}

@test "static C socket loop, glibc static, static-PIE and musl: exact event counts, all raw" {
	progs=("$PS" "$PP")
	if [ -x "$PM" ]; then
		progs+=("$PM")
	elif command -v musl-gcc >/dev/null; then
		fail "musl-gcc failed: $(cat "$BATS_FILE_TMPDIR/musl.log")"
	fi
	for p in "${progs[@]}"; do
		file -L "$p" | grep -Eq 'static(-pie)? linked|statically linked'
		rm -f "$T/l.json"
		run -0 timeout 60 "$NS" run --json -o "$T/l.json" -- "$p" loop 1000
		[ "$output" = "loop 1000 fails 0" ]
		[ "$(count "$T/l.json" '.call == "socket" and .raw == true and .ret >= 0')" = 1000 ]
		[ "$(count "$T/l.json" '.call == "setsockopt" and .raw == true and .option == "TCP_NODELAY" and .ret == 0')" = 1000 ]
		[ "$(count "$T/l.json" '.raw != true and (.call == "socket" or .call == "setsockopt")')" = 0 ]
	done
	[ -x "$PM" ] || skip "musl not covered: no musl-gcc (Debian package musl-tools)"
}

@test "a static program that re-executes itself through /proc/self/exe: each image traced" {
	# A loader in between would make /proc/self/exe name it, not the
	# program: the chain would break.
	run -0 timeout 60 "$PS" self 5
	[ "$output" = "self done" ]
	run -0 timeout 60 "$NS" run --json -o "$T/x.json" -- "$PS" self 5
	[ "$output" = "self done" ]
	[ "$(count "$T/x.json" '.call == "socket" and .raw == true')" = 6 ]
	[ "$(jq -s '[.[] | select(.call == "socket") | .pid] | unique | length' "$T/x.json")" = 1 ]
}

@test "bad programs: not ELF, a directory, no execute permission, missing: the shell's exit status, one line naming netshim and the path" {
	printf 'MZ\0\0\1not an ELF file\n' >"$T/notelf"
	chmod 755 "$T/notelf"
	printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0garbage\n' >"$T/badelf"
	chmod 755 "$T/badelf"
	mkdir "$T/dir"
	cp "$PS" "$T/nox"
	chmod 644 "$T/nox"
	for x in "$T/notelf:126" "$T/badelf:126" "$T/dir:126" "$T/nox:126" "$T/missing:127"; do
		path=${x%:*}
		run --separate-stderr bash -c '"$0"' "$path"
		[ "$status" = "${x##*:}" ]
		shellsays=${stderr##*: }
		run --separate-stderr timeout 20 "$NS" run -o off -- "$path"
		echo "$path: $status: $stderr (bash: $shellsays)"
		[ "$status" = "${x##*:}" ]
		[ "$(wc -l <<<"$stderr")" = 1 ]
		[[ "$stderr" == "netshim run: $path: "* ]]
		[[ "$stderr" == *"$shellsays" ]]
	done
}

@test "a 32-bit static program: as bare (runs, or the shell's 126 where the kernel has no i386), one line from netshim" {
	# The smallest i386 ELF: exit(7) by int $0x80.
	python3 - "$T/i386" <<-'PY'
	import struct, sys
	code = bytes([0xb8, 1, 0, 0, 0, 0xbb, 7, 0, 0, 0, 0xcd, 0x80])
	base, ehsz, phsz = 0x08048000, 52, 32
	eh = b"\x7fELF\x01\x01\x01" + bytes(9) + struct.pack(
	    "<HHIIIIIHHHHHH", 2, 3, 1, base + ehsz + phsz, ehsz, 0, 0,
	    ehsz, phsz, 1, 0, 0, 0)
	ph = struct.pack("<IIIIIIII", 1, 0, base, base,
	                 ehsz + phsz + len(code), ehsz + phsz + len(code), 5, 0x1000)
	open(sys.argv[1], "wb").write(eh + ph + code)
	PY
	chmod 755 "$T/i386"
	run --separate-stderr bash -c '"$0"' "$T/i386"
	bare=$status
	shellsays=${stderr##*: }
	run --separate-stderr timeout 20 "$NS" run -o "$T/t" -- "$T/i386"
	echo "bare $bare ($shellsays), netshim $status: $stderr"
	[ "$status" = "$bare" ]
	if [ "$bare" = 7 ]; then
		# It runs, untraced or through the fallback: said at start.
		[ "$(wc -l <<<"$stderr")" = 1 ]
		[[ "$stderr" == "netshim run: "* ]]
	else
		# The fallback's line, then the exec's failure in bash's words.
		[ "$bare" = 126 ]
		[ "$(wc -l <<<"$stderr")" -le 2 ]
		[[ "${stderr##*$'\n'}" == "netshim run: $T/i386: "*"$shellsays" ]]
	fi
}
