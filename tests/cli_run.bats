#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim run: options become NETSHIM_* variables, LD_PRELOAD is prepended, the program is exec'd, and programs LD_PRELOAD cannot reach are named.

load common
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
NS="$NS_BUILDDIR/netshim"
NSS_WRAPPER=/usr/lib/x86_64-linux-gnu/libnss_wrapper.so
[ -e "$NSS_WRAPPER" ] || NSS_WRAPPER=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -n1)

# The Go programs are built once for the file (when go is there).
setup_file() {
	mkdir -p "$BATS_FILE_TMPDIR/go"
	cat >"$BATS_FILE_TMPDIR/go/main.go" <<-'EOF'
	package main

	import (
		"fmt"
		"net"
		"os"
	)

	func main() {
		if _, err := net.LookupHost("localhost"); err != nil {
			fmt.Println("lookup:", err)
			os.Exit(1)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		l.Close()
		fmt.Println("ok")
	}
	EOF
	go_build go_static main.go CGO_ENABLED=0
	go_build go_default main.go
}

setup() {
	T="$BATS_TEST_TMPDIR"
	LIB=$(realpath "$NS_LIB")
	# A sanitized build's netshim run preloads the ASan runtime first.
	RT=${NS_ASAN_RT:+$NS_ASAN_RT }
}

# env_of OPTION...: the NETSHIM_* and LD_PRELOAD lines the program sees,
# but run's own NETSHIM_EXEC_WATCHED (as root: tested on its own).
env_of() {
	timeout 20 "$NS" run "$@" -- cat /proc/self/environ |
		tr '\0' '\n' | grep -E '^(NETSHIM_|LD_PRELOAD=)' |
		grep -v '^NETSHIM_EXEC_WATCHED=' | sort
}

@test "as root, run watches the execs of a dynamic program (NETSHIM_EXEC_WATCHED=1, one filter); --front=preload does not" {
	need_root
	local show='tr "\0" "\n" </proc/$$/environ | grep "^NETSHIM_EXEC_W"
		grep "^Seccomp_filters" /proc/self/status'
	run -0 timeout 20 "$NS" run -o off -- sh -c "$show"
	assert_output "NETSHIM_EXEC_WATCHED=1"$'\n'"Seccomp_filters:	1"
	run -0 timeout 20 "$NS" run --front=preload -o off -- sh -c "$show"
	assert_output "Seccomp_filters:	0"
}

# ---- help and the plain run ----

@test "--help: GNU-style usage, every option, environment, exit statuses, 80 columns" {
	run "$NS" run --help
	assert_success
	assert_line --index 0 'Usage: netshim run [OPTION]... [--] PROGRAM [ARG]...'
	for o in '-4, --ipv4' '-6, --ipv6' '--prefer=FAMILY' '--mptcp=POLICY' \
		'--tfo=POLICY' '-o, --output=FILE' '--json' '--events=LIST' \
		'--backtrace=N' '--fail=RULES' '--scenario=NAMES' '--seed=N' \
		'--list-scenarios' '--library=PATH' '-h, --help'; do
		assert_line --regexp "^  ( {4})?$o "
	done
	assert_output --partial 'NETSHIM_BACKTRACE'
	assert_line --regexp '^  127 +if PROGRAM cannot be found'
	assert_line --regexp '^  2 +if an option is wrong'
	refute_line --regexp '^.{81,}'
	run "$NS" run -h
	assert_success
	assert_line --index 0 --partial 'Usage: netshim run'
}

@test "exit status, signals, stdin and stdout are the program's; '--' is optional" {
	run timeout 20 "$NS" run -o off -- sh -c 'exit 7'
	assert_failure 7
	run timeout 20 "$NS" run -o off sh -c 'exit 3'
	assert_failure 3
	run timeout 20 "$NS" run -o off -- sh -c 'kill -TERM $$'
	assert_failure 143
	run bash -c 'echo hello | timeout 20 "$1" run -o off cat' _ "$NS"
	assert_success
	assert_output hello
	# The program's own options are not netshim's.
	run timeout 20 "$NS" run -o off sh -c 'echo "$@"' sh -4 --json -o x
	assert_success
	assert_output '-4 --json -o x'
}

@test "exec failures: 127 when not found, 126 when not executable, in bash's words" {
	run -127 timeout 20 "$NS" run -- no-such-program-here
	assert_output 'netshim run: no-such-program-here: command not found'
	run -127 timeout 20 "$NS" run "$T/nothing"
	assert_output "netshim run: $T/nothing: No such file or directory"
	printf 'echo hi\n' >"$T/plain"
	chmod 644 "$T/plain"
	# Not even root may run a file without an x bit.
	run -126 timeout 20 "$NS" run -- "$T/plain"
	assert_output "netshim run: $T/plain: Permission denied"
}

# ---- each option reaches the environment and takes effect ----

@test "every option sets its NETSHIM_* variable in the program's environment" {
	local cases=(
		"-4|NETSHIM_FAMILY=ipv4" "--ipv4|NETSHIM_FAMILY=ipv4"
		"-6|NETSHIM_FAMILY=ipv6" "--ipv6|NETSHIM_FAMILY=ipv6"
		"--prefer=ipv4|NETSHIM_PREFER=ipv4" "--prefer=none|NETSHIM_PREFER=none"
		"--mptcp=pass|NETSHIM_MPTCP=pass" "--mptcp=strip|NETSHIM_MPTCP=strip"
		"--mptcp=force|NETSHIM_MPTCP=force" "--mptcp=fallback|NETSHIM_MPTCP=fallback"
		"--tfo=pass|NETSHIM_TFO=pass" "--tfo=drop|NETSHIM_TFO=drop"
		"--tfo=retry|NETSHIM_TFO=retry" "-o$T/x.%p|NETSHIM_TRACE=$T/x.%p"
		"--output=off|NETSHIM_TRACE=off" "--output=fd:2|NETSHIM_TRACE=fd:2"
		"--json|NETSHIM_FORMAT=json" "--events=connect,dns|NETSHIM_EVENTS=connect,dns"
		"--backtrace=0|NETSHIM_BACKTRACE=0"
	)
	for c in "${cases[@]}"; do
		run env_of "${c%%|*}"
		assert_output "LD_PRELOAD=$RT$LIB"$'\n'"${c#*|}"
	done
	# No option, no variable; the last of a repeated option wins.
	run env_of
	assert_output "LD_PRELOAD=$RT$LIB"
	run env_of --prefer=ipv4 --prefer=ipv6 -4 -4
	assert_output "LD_PRELOAD=$RT$LIB"$'\n'"NETSHIM_FAMILY=ipv4"$'\n'"NETSHIM_PREFER=ipv6"
}

@test "NETSHIM_* of the environment pass through; an option overrides its own" {
	run env NETSHIM_EVENTS=close NETSHIM_FORMAT=text NETSHIM_TFO=drop \
		bash -c "$(declare -f env_of); NS='$NS'; env_of --json --mptcp=strip"
	assert_output - <<-EOF
	LD_PRELOAD=$RT$LIB
	NETSHIM_EVENTS=close
	NETSHIM_FORMAT=json
	NETSHIM_MPTCP=strip
	NETSHIM_TFO=drop
	EOF
}

@test "--json -o FILE: python's socket() lands in FILE as a JSON event, nothing on stderr" {
	run timeout 20 "$NS" run --json -o "$T/t" -- "$PY" -c 'import socket; socket.socket(); print("ok")'
	assert_success
	assert_output ok
	json_lines "$T/t"
	run jq -r 'select(.call == "socket") | "\(.family) \(.ret >= 0)"' "$T/t"
	assert_output 'AF_INET true'
}

@test "-o: %p names a file per process; off; stderr; fd:N" {
	local code='import socket; socket.socket().close()'
	run timeout 20 "$NS" run -o "$T/t.%p" -- "$PY" -c "$code"
	assert_success
	run bash -c 'ls "$1" | grep -cE "^t\.[0-9]+$"' _ "$T"
	assert_output 1
	run grep -c ' socket(AF_INET, SOCK_STREAM' "$T"/t.*
	assert_output 1

	run timeout 20 "$NS" run -o off -- "$PY" -c "$code"
	assert_success
	assert_output ''
	run timeout 20 "$NS" run -o stderr -- "$PY" -c "$code"
	assert_line --partial ' socket(AF_INET, SOCK_STREAM'
	timeout 20 "$NS" run --output=fd:3 -- "$PY" -c "$code" 3>"$T/fd3" 2>"$T/err"
	[ ! -s "$T/err" ]
	run grep -c ' socket(AF_INET, SOCK_STREAM' "$T/fd3"
	assert_output 1
}

@test "-4 and -6: sockets of the other family fail with errno 97 (EAFNOSUPPORT)" {
	local code='import socket, sys
try:
    socket.socket(getattr(socket, sys.argv[1])); print("made")
except OSError as e:
    print("errno", e.errno)'
	run timeout 20 "$NS" run -o off -4 -- "$PY" -c "$code" AF_INET6
	assert_output 'errno 97'
	run timeout 20 "$NS" run -o off -4 -- "$PY" -c "$code" AF_INET
	assert_output made
	run timeout 20 "$NS" run -o off --ipv6 -- "$PY" -c "$code" AF_INET
	assert_output 'errno 97'
	run timeout 20 "$NS" run -o off -- "$PY" -c "$code" AF_INET6
	assert_output made
}

@test "--prefer: the family asked for comes first (names from nss_wrapper)" {
	[ -n "$NSS_WRAPPER" ] || skip "libnss_wrapper.so is not installed"
	printf '::9 dual.ns-run.test\n127.0.0.9 dual.ns-run.test\n' >"$T/hosts"
	local code='import socket
print(" ".join(a[4][0] for a in socket.getaddrinfo("dual.ns-run.test", 80, 0, socket.SOCK_STREAM)))'
	export NSS_WRAPPER_HOSTS="$T/hosts" LD_PRELOAD="$NSS_WRAPPER"
	run timeout 20 "$NS" run -o off --prefer=ipv4 -- "$PY" -c "$code"
	assert_output '127.0.0.9 ::9'
	run timeout 20 "$NS" run -o off --prefer=ipv6 -- "$PY" -c "$code"
	assert_output '::9 127.0.0.9'
}

@test "--mptcp=strip and force: what SO_PROTOCOL says, and the policy in the trace" {
	local code='import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, int(sys.argv[1]))
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'
	run timeout 20 "$NS" run -o off --mptcp=strip -- "$PY" -c "$code" 262
	assert_output 6
	run timeout 20 "$NS" run --json -o "$T/f" --mptcp=force -- "$PY" -c "$code" 0
	assert_success
	run jq -r 'select(.call == "socket") | .policy' "$T/f"
	assert_output --regexp '^mptcp=force: '
}

@test "--mptcp=fallback and --tfo=retry rescue TCP_FASTOPEN on MPTCP under a Linux 6.1 kernel" {
	[ "$(uname -m)" = x86_64 ] || skip "pol_mptcp61 filters x86_64 system calls only"
	[ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ] || skip "MPTCP is off here"
	local M61="$NS_TESTBIN/pol_mptcp61" code='import socket
m = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
m.setsockopt(6, 23, 5)
print("ok", m.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'
	run timeout 20 "$M61" "$NS" run -o off -- "$PY" -c "$code"
	assert_failure
	assert_output --partial '[Errno 92]'
	run timeout 20 "$M61" "$NS" run -o off --tfo=retry -- "$PY" -c "$code"
	assert_success
	assert_output 'ok 262'
	run timeout 20 "$M61" "$NS" run -o off --mptcp=fallback -- "$PY" -c "$code"
	assert_success
	assert_output 'ok 6'
}

@test "--tfo=drop: TCP_FASTOPEN never reaches the kernel" {
	local code='import socket
s = socket.socket()
s.setsockopt(6, 23, 5)
print(s.getsockopt(6, 23))'
	run timeout 20 "$NS" run -o off -- "$PY" -c "$code"
	assert_output 5
	run timeout 20 "$NS" run -o off --tfo=drop -- "$PY" -c "$code"
	assert_output 0
}

@test "--events: only the calls asked for are traced" {
	run timeout 20 "$NS" run --json -o "$T/e" --events=close -- \
		"$PY" -c 'import socket; socket.socket().close()'
	assert_success
	run jq -r .call "$T/e"
	assert_output close
}

@test "--backtrace=N: events carry up to N frames" {
	grep -q '^#define HAVE_LIBUNWIND 1' "$NS_BUILDDIR/autoconfig.h" ||
		skip "built --without-libunwind"
	run timeout 20 "$NS" run --json -o "$T/b" --backtrace=2 -- "$NS_TESTBIN/run_sock"
	assert_success
	run jq -r 'select(.call == "socket") | (.bt | length >= 1 and length <= 2)' "$T/b"
	assert_output true
}

# ---- bad options: exit 2 and nothing runs ----

@test "bad option values: exit 2, the engine's message, and the program never starts" {
	local cases=(
		"--prefer=ipv5|--prefer=ipv5 is not one of none, ipv4, ipv6"
		"--mptcp=on|--mptcp=on is not one of pass, strip, force, fallback"
		"--tfo=off|--tfo=off is not one of pass, drop, retry"
		"-ofd:x|--output=fd:x is not fd:N with N a descriptor number"
		"--events=connect,nonsense|--events=connect,nonsense names something that is not a call netshim traces"
		"--backtrace=33|--backtrace=33 is not a number of frames from 0 to 32"
		"--backtrace=x|--backtrace=x is not a number of frames from 0 to 32"
	)
	# The marker program does start when the options are good.
	run timeout 20 "$NS" run -o off --prefer=ipv4 -- touch "$T/marker"
	assert_success
	[ -e "$T/marker" ]
	rm "$T/marker"
	for c in "${cases[@]}"; do
		run timeout 20 "$NS" run "${c%%|*}" -- touch "$T/marker"
		assert_failure 2
		assert_line --index 0 --partial "netshim run: ${c#*|}"
		assert_line --index 1 "Try 'netshim run --help' for more information."
		[ ! -e "$T/marker" ]
	done
	# Several at once: one line each, the engine's order.
	run timeout 20 "$NS" run --tfo=x --prefer=y -- touch "$T/marker"
	assert_failure 2
	assert_output - <<-EOF
	netshim run: --prefer=y is not one of none, ipv4, ipv6
	netshim run: --tfo=x is not one of pass, drop, retry
	Try 'netshim run --help' for more information.
	EOF
	[ ! -e "$T/marker" ]
}

@test "usage errors: unknown option, missing argument, no program, -4 with -6" {
	local cases=(
		"--bogus|netshim run: unrecognized option '--bogus'"
		"-x|netshim run: invalid option -- 'x'"
		"--json=1|netshim run: option '--json' doesn't allow an argument"
		"-4 -6|netshim run: -4 and -6 exclude each other"
		"--ipv6 --ipv4|netshim run: -4 and -6 exclude each other"
	)
	for c in "${cases[@]}"; do
		run timeout 20 "$NS" run ${c%%|*} -- touch "$T/marker"
		assert_failure 2
		assert_output "${c#*|}"$'\n'"Try 'netshim run --help' for more information."
		[ ! -e "$T/marker" ]
	done
	run timeout 20 "$NS" run
	assert_failure 2
	assert_line --index 0 'netshim run: no PROGRAM to run'
	run timeout 20 "$NS" run --json --
	assert_failure 2
	assert_line --index 0 'netshim run: no PROGRAM to run'
	run timeout 20 "$NS" run --prefer
	assert_failure 2
	assert_line --index 0 "netshim run: option '--prefer' requires an argument"
}

# ---- LD_PRELOAD and the library ----

@test "LD_PRELOAD: ours first, an existing libnss_wrapper.so kept after it, both at work" {
	[ -n "$NSS_WRAPPER" ] || skip "libnss_wrapper.so is not installed"
	printf '127.0.0.9 one.ns-run.test\n' >"$T/hosts"
	run env LD_PRELOAD="$NSS_WRAPPER" bash -c \
		"$(declare -f env_of); NS='$NS'; env_of"
	assert_output "LD_PRELOAD=$RT$LIB $NSS_WRAPPER"
	# nss_wrapper answers the lookup, netshim traces it.
	run env LD_PRELOAD="$NSS_WRAPPER" NSS_WRAPPER_HOSTS="$T/hosts" \
		timeout 20 "$NS" run --json -o "$T/t" --events=getaddrinfo -- \
		"$PY" -c 'import socket; print(socket.getaddrinfo("one.ns-run.test", 80, socket.AF_INET)[0][4][0])'
	assert_success
	assert_output 127.0.0.9
	run jq -r '.results[0].addr' "$T/t"
	assert_output 127.0.0.9:80
	# Empty or blank LD_PRELOAD: ours alone.
	run env LD_PRELOAD=' ' bash -c "$(declare -f env_of); NS='$NS'; env_of"
	assert_output "LD_PRELOAD=$RT$LIB"
}

@test "the library is found in the build tree; --library wins and is made absolute" {
	run env_of
	assert_output "LD_PRELOAD=$RT$(realpath "$NS_BUILDDIR/.libs/libnetshim.so")"
	mkdir "$T/other"
	cp "$LIB" "$T/other/libcopy.so"
	run env_of --library="$T/other/libcopy.so"
	assert_output "LD_PRELOAD=$RT$T/other/libcopy.so"
	cd "$T"
	run env_of --library=other/libcopy.so
	assert_output "LD_PRELOAD=$RT$T/other/libcopy.so"
	# The copy works as the library.
	run timeout 20 "$NS" run --library=other/libcopy.so -- "$NS_TESTBIN/run_sock"
	assert_line --partial ' socket(AF_INET, SOCK_STREAM'
	# A missing one: exit 1, nothing started.
	run timeout 20 "$NS" run --library="$T/none.so" -- touch "$T/marker"
	assert_failure 1
	assert_output "netshim run: --library=$T/none.so: No such file or directory"
	[ ! -e "$T/marker" ]
	# LD_PRELOAD would split this path in two.
	mkdir "$T/with space"
	cp "$LIB" "$T/with space/lib.so"
	run timeout 20 "$NS" run --library="$T/with space/lib.so" -- touch "$T/marker"
	assert_failure 1
	assert_output --partial 'LD_PRELOAD cannot hold a path with a space or a colon'
	[ ! -e "$T/marker" ]
}

@test "make install DESTDIR prefix=/opt/x: the installed netshim finds its library, also when moved" {
	local d="$T/dest" mk=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$NS_BUILDDIR")
	# netshim is built for the configured prefix (/usr/local by default),
	# so only the rule relative to the binary can find the library. -o:
	# a rebuild here would bake prefix=/opt/x into the build tree.
	run timeout 300 "${mk[@]}" -s -o netshim -o libnetshim.la install \
		DESTDIR="$d" prefix=/opt/x
	assert_success
	[ -x "$d/opt/x/bin/netshim" ]
	[ -f "$d/opt/x/lib/netshim/libnetshim.so" ]
	NS="$d/opt/x/bin/netshim"
	run env_of
	assert_output "LD_PRELOAD=$RT$d/opt/x/lib/netshim/libnetshim.so"
	run timeout 20 "$NS" run -- "$NS_TESTBIN/run_sock"
	assert_success
	assert_line ok
	assert_line --partial ' socket(AF_INET, SOCK_STREAM'
	# Relocated again, it follows.
	mv "$d/opt/x" "$d/opt/y"
	NS="$d/opt/y/bin/netshim"
	run env_of
	assert_output "LD_PRELOAD=$RT$d/opt/y/lib/netshim/libnetshim.so"
	# Without it: exit 1, a clear message, nothing started.
	rm "$d/opt/y/lib/netshim/libnetshim.so"
	[ ! -e /usr/local/lib/netshim/libnetshim.so ] ||
		skip "a netshim is installed in /usr/local"
	run timeout 20 "$NS" run -- touch "$T/marker"
	assert_failure 1
	assert_line --index 0 --partial 'netshim: cannot find libnetshim.so; looked for '
	assert_line --index 0 --partial "$d/opt/y/bin/../lib/netshim/libnetshim.so"
	assert_line --index 1 'netshim: say which one with --library=PATH'
	[ ! -e "$T/marker" ]
}

# ---- programs LD_PRELOAD cannot reach ----

@test "a dynamic C program: no warning, traced" {
	run timeout 20 "$NS" run -- "$NS_TESTBIN/run_sock"
	assert_success
	assert_line ok
	assert_line --partial ' socket(AF_INET, SOCK_STREAM'
	refute_line --partial 'netshim run:'
	# Found on PATH as execvp finds it.
	run env PATH="/nonexistent:$NS_TESTBIN:$PATH" timeout 20 "$NS" run run_sock
	assert_success
	refute_line --partial 'netshim run:'
}

@test "--front=preload, a static C program: one line says nothing will be traced, it runs anyway" {
	${CC:-cc} -static -o "$T/static" "$NS_SRCDIR/tests/helpers/run_sock.c" ||
		skip "cannot link statically (no libc.a)"
	run timeout 20 "$NS" run --front=preload -- "$T/static"
	assert_success
	assert_output - <<-EOF
	netshim run: $T/static is statically linked: LD_PRELOAD cannot reach it, nothing will be traced
	ok
	EOF
	# Found on PATH: the warning names the file.
	run env PATH="$T:$PATH" timeout 20 "$NS" run --front=preload -o off static
	assert_line --index 0 "netshim run: $T/static is statically linked: LD_PRELOAD cannot reach it, nothing will be traced"
	# A script is judged by its interpreter.
	printf '#!%s\n' "$T/static" >"$T/script"
	printf '#!/bin/sh\necho script\n' >"$T/shscript"
	chmod +x "$T/script" "$T/shscript"
	run timeout 20 "$NS" run --front=preload -o off -- "$T/script"
	assert_success
	assert_output - <<-EOF
	netshim run: $T/script runs $T/static, which is statically linked: LD_PRELOAD cannot reach it, nothing will be traced
	ok
	EOF
	run timeout 20 "$NS" run --front=preload -o off -- "$T/shscript"
	assert_success
	assert_output script
}

@test "the README's example: a static Go program traced through the seccomp front" {
	need_go "$BATS_FILE_TMPDIR/go/go_static"
	run timeout 20 "$NS" run --front=seccomp --events=socket,bind,listen -- "$BATS_FILE_TMPDIR/go/go_static"
	assert_success
	assert_line ok
	refute_line --partial 'nothing will be traced'
	assert_line --regexp '^[0-9:.]+ go_static\[[0-9]+/[0-9]+\] socket\(AF_INET, SOCK_STREAM\|SOCK_NONBLOCK\|SOCK_CLOEXEC, IPPROTO_IP\) = [0-9]+ <[0-9]+us>$'
	assert_line --regexp '^[0-9:.]+ go_static\[[0-9]+/[0-9]+\] bind\([0-9]+<AF_INET SOCK_STREAM IPPROTO_TCP>, 127\.0\.0\.1:0\) = 0 <[0-9]+us>$'
	assert_line --regexp '^[0-9:.]+ go_static\[[0-9]+/[0-9]+\] listen\([0-9]+<AF_INET SOCK_STREAM IPPROTO_TCP>, [0-9]+\) = 0 <[0-9]+us>$'
}

@test "--front=preload, a Go program built with CGO_ENABLED=0: statically linked" {
	need_go "$BATS_FILE_TMPDIR/go/go_static"
	run timeout 20 "$NS" run --front=preload -- "$BATS_FILE_TMPDIR/go/go_static"
	assert_success
	assert_output - <<-EOF
	netshim run: $BATS_FILE_TMPDIR/go/go_static is a statically linked Go program: LD_PRELOAD cannot reach it, nothing will be traced
	ok
	EOF
}

@test "--front=preload --raw=off, a default Go build: the Go line and its workarounds; GODEBUG=netdns=cgo is traced" {
	local g="$BATS_FILE_TMPDIR/go/go_default"
	need_go "$g"
	run timeout 20 "$NS" run --front=preload --raw=off --json -o "$T/t" -- "$g"
	assert_success
	assert_output - <<-EOF
	netshim run: $g is a Go program: its sockets use raw system calls that LD_PRELOAD cannot see; only cgo name lookups are traced. Try GODEBUG=netdns=cgo, or GODEBUG=multipathtcp=0 to stop MPTCP listeners
	ok
	EOF
	# Go's own resolver and listener: nothing seen.
	run jq -r 'select(.call == "getaddrinfo" or .call == "socket") | .call' "$T/t"
	assert_output ''
	run env GODEBUG=netdns=cgo timeout 20 "$NS" run --front=preload --raw=off --json -o "$T/c" -- "$g"
	assert_success
	run jq -r 'select(.call == "getaddrinfo") | .node' "$T/c"
	assert_output localhost
	# Without --raw=off its raw calls are trapped (raw.bats): no line.
	run timeout 20 "$NS" run --front=preload --json -o "$T/r" -- "$g"
	assert_success
	assert_output ok
	run jq -r 'select(.call == "socket") | .raw' "$T/r"
	assert_line true
}

# suid_dir: a directory nobody can reach, with a root-owned copy of run_sock.
suid_dir() {
	S=$(mktemp -d /tmp/ns-run-suid.XXXXXX)
	chmod 755 "$S"
	cp "$NS_TESTBIN/run_sock" "$S/sock"
	chmod 755 "$S/sock"
	findmnt -no OPTIONS -T "$S" | grep -qw nosuid && skip "$S is mounted nosuid"
	return 0
}

teardown() {
	[ -z "${S:-}" ] || rm -rf "$S"
}

@test "setuid: the loader ignores LD_PRELOAD for another user; root gets no warning" {
	need_root
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	suid_dir
	chmod 4755 "$S/sock"
	local as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	# As root the set-user-ID root program changes nothing: traced.
	run timeout 20 "$NS" run -- "$S/sock"
	assert_success
	refute_line --partial 'netshim run:'
	assert_line --partial ' socket(AF_INET, SOCK_STREAM'
	run timeout 20 "${as_nobody[@]}" "$NS" run -- "$S/sock"
	assert_success
	assert_output - <<-EOF
	netshim run: $S/sock is set-user-ID: the loader ignores LD_PRELOAD in secure-execution mode, nothing will be traced
	ok
	EOF
	# Set-group-ID the same.
	chmod 2755 "$S/sock"
	run timeout 20 "${as_nobody[@]}" "$NS" run -o off -- "$S/sock"
	assert_line --index 0 "netshim run: $S/sock is set-group-ID: the loader ignores LD_PRELOAD in secure-execution mode, nothing will be traced"
	# Without the bits, nobody is traced too.
	chmod 755 "$S/sock"
	run timeout 20 "${as_nobody[@]}" "$NS" run -- "$S/sock"
	refute_line --partial 'netshim run:'
	assert_line --partial ' socket(AF_INET, SOCK_STREAM'
}

@test "file capabilities: the loader ignores LD_PRELOAD for a non-root user" {
	need_root
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	command -v setcap >/dev/null || skip "setcap is not installed"
	suid_dir
	setcap cap_net_raw+ep "$S/sock" || skip "this file system takes no capabilities"
	run timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$NS" run -- "$S/sock"
	assert_success
	assert_output - <<-EOF
	netshim run: $S/sock has file capabilities: the loader ignores LD_PRELOAD in secure-execution mode, nothing will be traced
	ok
	EOF
}

# ---- -o checked, made absolute and handed down (issue 18) ----

@test "-o rel.json: made absolute before the program starts; children that chdir write the file named" {
	mkdir "$T/sub"
	cd "$T"
	run timeout 20 "$NS" run --json -o rel.json -- "$PY" -c '
import os, socket, subprocess, sys
os.chdir("sub")
subprocess.run([sys.executable, "-c", "import os, socket; socket.socket().close(); print(os.environ[\"NETSHIM_TRACE\"])"])
socket.socket().close()'
	assert_success
	assert_output "$T/rel.json"
	[ ! -e "$T/sub/rel.json" ]
	json_lines "$T/rel.json"
	run jq -r 'select(.call == "socket") | .pid' "$T/rel.json"
	[ "${#lines[@]}" = 2 ]
}

@test "-o in a missing directory, or through another user's planted link: one line, exit 2, the program not started (both fronts)" {
	for front in preload seccomp; do
		run timeout 20 "$NS" run --front=$front -o nodir/t.json -- touch "$T/marker"
		assert_failure 2
		assert_output "netshim run: --output=nodir/t.json: No such file or directory"
		run timeout 20 "$NS" run --front=$front -o "$T/nodir/t.%p" -- touch "$T/marker"
		assert_failure 2
		assert_output "netshim run: --output=$T/nodir/t.%p: No such file or directory"
		[ ! -e "$T/marker" ]
	done
	need_root
	mkdir -m 1777 "$T/pub"
	mkdir "$T/etc"
	ln -s "$T/etc" "$T/pub/d"
	chown -h nobody "$T/pub/d"
	run timeout 20 "$NS" run -o "$T/pub/d/t.json" -- touch "$T/marker"
	assert_failure 2
	assert_output "netshim run: --output=$T/pub/d/t.json: Permission denied"
	[ ! -e "$T/marker" ]
	[ ! -e "$T/etc/t.json" ]
}

@test "-o a FIFO nobody reads yet: one line says netshim waits for a reader, then the reader gets the events (both fronts)" {
	local i
	for front in preload seccomp; do
		rm -f "$T/f" "$T/err"
		mkfifo "$T/f"
		timeout 30 "$NS" run --front=$front --json -o "$T/f" -- \
			"$PY" -c 'import socket; socket.socket().close()' 2>"$T/err" &
		for i in $(seq 100); do
			[ -s "$T/err" ] && break
			sleep 0.1
		done
		run cat "$T/err"
		assert_output "netshim run: --output=$T/f: a FIFO nobody reads yet; waiting for a reader"
		run timeout 20 cat "$T/f"
		wait $!
		assert_line --partial '"call":"socket","family":"AF_INET"'
	done
}

# dropped PREFIX...: python's socket() as nobody under netshim run -o
# $T/t.json after PREFIX drops privileges; the events in $T/t.json.
dropped() {
	rm -f "$T/t.json"
	cd /
	run timeout 30 "$NS" run --json -o "$T/t.json" -- "$@" "$PY" -c \
		'import os, socket; socket.socket().close(); print(os.getuid())'
	assert_success
	assert_output "$(id -u nobody)"
	run jq -r 'select(.prog == "python3" and .call == "socket") | .family' "$T/t.json"
	assert_output AF_INET
}

@test "privileges dropped by runuser, su, setpriv or a worker that execs: the trace still lands in -o's file" {
	need_root
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	chmod 0700 "$T"	# nobody could not open the file by its name
	dropped runuser -u nobody --
	dropped setpriv --reuid=nobody --regid=nogroup --clear-groups --
	# su runs its -c string with the user's shell: /bin/sh here.
	rm -f "$T/t.json"
	run timeout 30 "$NS" run --json -o "$T/t.json" -- su -s /bin/sh nobody -c \
		"$PY -c 'import socket; socket.socket().close()'"
	assert_success
	run jq -r 'select(.prog == "python3" and .call == "socket") | .family' "$T/t.json"
	assert_output AF_INET
	# A server's worker: fork, drop to nobody, exec.
	dropped "$PY" -c '
import os, sys
pid = os.fork()
if pid == 0:
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    os.execv(sys.argv[1], sys.argv[1:])
os.waitpid(pid, 0)' "$PY" -c 'import socket, sys; socket.socket().close(); print(65534)'
}
