# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared set-up for the bats suites: paths, bats-support/assert, helpers.

bats_load_library bats-support
bats_load_library bats-assert

: "${NS_LIB:?run the suites through make check}"
: "${NS_TESTBIN:?run the suites through make check}"

# Nothing of the caller's environment leaks into a test.
unset NETSHIM_TRACE NETSHIM_FORMAT NETSHIM_EVENTS NETSHIM_BACKTRACE
unset LD_PRELOAD

# What LD_PRELOAD names to load the shim. A sanitized build (configure
# --enable-sanitizers) needs the ASan runtime first, ahead of libc, for a
# program that was not built with ASan itself.
NS_PRELOAD="${NS_ASAN_RT:+$NS_ASAN_RT }$NS_LIB"

# ns_run [VAR=VALUE...] -- PROGRAM [ARGS]: PROGRAM under the shim.
ns_run() {
	local env=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	env "${env[@]}" LD_PRELOAD="$NS_PRELOAD${LD_PRELOAD:+ $LD_PRELOAD}" "$@"
}

# json_lines FILE: fails unless every line of FILE is one JSON object.
json_lines() {
	python3 - "$1" <<'PY'
import json, sys
n = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        sys.exit(f"line {i} is not JSON ({e}): {line!r}")
    if not isinstance(obj, dict):
        sys.exit(f"line {i} is not an object: {line!r}")
    n += 1
if n == 0:
    sys.exit("no events")
PY
}

# free_port: a TCP port nobody listens on right now, on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# need_root: skips tests that make namespaces when not root.
need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root for namespaces"
}

# ---------------------------------------------------------------------------
# Real servers and JSON traces (the fault and policy suites): srv_setup_file
# in setup_file, srv_setup in setup, srv_teardown in teardown.

# srv_setup_file: $POL_PY, the interpreter itself, not a wrapper script
# (pyenv shims are bash scripts that would be traced, and complain, too).
srv_setup_file() {
	POL_PY=$(python3 -c 'import sys; print(sys.executable)')
	export POL_PY
}

# srv_setup: $T, $SRV (the server), $TR (the trace reader), no jobs yet.
srv_setup() {
	T=$BATS_TEST_TMPDIR
	SRV=$NS_SRCDIR/tests/policy/server.py
	TR=$NS_SRCDIR/tests/policy/trace.py
	: >"$T/pids"
}

# srv_teardown: kills what bg started, waits for it (5 s at most).
srv_teardown() {
	local pid i alive

	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$T/pids"
	for i in $(seq 50); do
		alive=0
		while read -r pid; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done <"$T/pids"
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
}

# bg NAME CMD...: CMD in the background (at most 60 s), its output in
# $T/NAME.out and $T/NAME.err, its pid in $PID_NAME; srv_teardown kills it.
bg() {
	local name=$1

	shift
	timeout 60 "$@" >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	echo $! >>"$T/pids"
	printf -v "PID_$name" %s $!
}

# wait_ready FILE NAME: until server NAME wrote its report FILE (10 s).
wait_ready() {
	local i var=PID_$2

	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		kill -0 "${!var}" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$1" ] && return 0
	echo "server $2 never got ready:"
	cat "$T/$2.err"
	return 1
}

# serve NAME [WRAPPER...] -- ARG...: the server (tests/policy/server.py
# ARG...) as job NAME of bg, through WRAPPER (env, nsenter...) if given,
# until it wrote its report $T/NAME.ready.
serve() {
	local name=$1 wrap=()

	shift
	while [ "$1" != -- ]; do
		wrap+=("$1")
		shift
	done
	shift
	rm -f "$T/$name.ready"
	bg "$name" "${wrap[@]}" "$POL_PY" "$SRV" "$@" --ready "$T/$name.ready"
	wait_ready "$T/$name.ready" "$name"
}

# wait_exit NAME: until the background job NAME ended; its status. Servers
# give up after 20 s without a client, timeout(1) kills them after 60.
wait_exit() {
	local var=PID_$1

	wait "${!var}"
}

# field REPORT KEY: one value of a server's report.
field() {
	"$POL_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# ev [--fd] TRACE CALL [KEY=VALUE...]: the matching events, one line each;
# descriptor numbers only with --fd (bats keeps fds 3 and 4 open in run).
ev() {
	"$POL_PY" "$TR" "$@"
}

# jt NAME: the variables for a JSON trace of a run to $T/NAME.json.
jt() {
	echo "NETSHIM_FORMAT=json NETSHIM_TRACE=$T/$1.json"
}

# pyget: a python3 program printing the body at URL argv[1] (urllib);
# create_connection tries each address getaddrinfo gives, in order, as
# most clients do.
pyget() {
	echo "import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode().strip())"
}

# fetch_both PORT REGEX: curl and python (pyget) each get a body that
# matches REGEX from the server on 127.0.0.1:PORT.
fetch_both() {
	run timeout 20 curl -sS --max-time 10 "http://127.0.0.1:$1/"
	assert_success
	assert_output --regexp "$2"
	run timeout 20 "$POL_PY" -c "$(pyget)" "http://127.0.0.1:$1/"
	assert_success
	assert_output --regexp "$2"
}

# pysock: a python3 program making a socket for each argument FAMILY:TYPE:
# PROTO (4, 6 or u; s or d; a number) and printing what SO_PROTOCOL says.
pysock() {
	echo 'import socket, sys
fams = {"4": socket.AF_INET, "6": socket.AF_INET6, "u": socket.AF_UNIX}
types = {"s": socket.SOCK_STREAM, "d": socket.SOCK_DGRAM}
for arg in sys.argv[1:]:
    f, t, p = arg.split(":")
    try:
        s = socket.socket(fams[f], types[t], int(p))
        print(arg, s.getsockopt(socket.SOL_SOCKET, 38))
    except OSError as e:
        print(arg, "errno", e.errno)'
}

# need_mptcp_enabled: skips unless this kernel makes MPTCP sockets.
need_mptcp_enabled() {
	[ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ] ||
		skip "this kernel has no MPTCP (net.mptcp.enabled)"
}

# with_hosts HOSTS [GAICONF] -- CMD...: CMD with HOSTS as /etc/hosts and
# GAICONF (default: empty, so glibc's RFC 6724 defaults) as /etc/gai.conf,
# in a private mount namespace.
with_hosts() {
	local hosts=$1 gai=$T/gai.conf.empty

	shift
	if [ "$1" != -- ]; then
		gai=$1
		shift
	fi
	shift
	[ -e "$gai" ] || : >"$gai"
	timeout 20 unshare -m sh -c '
		mount --bind "$1" /etc/hosts || exit 99
		if [ -e /etc/gai.conf ]; then
			mount --bind "$2" /etc/gai.conf || exit 99
		elif [ -s "$2" ]; then
			echo "no /etc/gai.conf to replace" >&2
			exit 99
		fi
		shift 2
		exec "$@"' sh "$hosts" "$gai" "$@"
}

# dual_hosts: $T/hosts names dual.test ::1 first, then 127.0.0.1, and
# v4only.test 127.0.0.1; $T/hosts.v4first names dual.test the other way.
dual_hosts() {
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$T/hosts"
	printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$T/hosts.v4first"
	printf '127.0.0.1 v4only.test\n' >>"$T/hosts"
}

# dual_servers: two servers on one port number, $DP: "six" on [::1],
# "four" on 127.0.0.1.
dual_servers() {
	local i

	for i in 1 2 3 4 5; do
		DP=$(free_port)
		serve srv6 -- --family 6 --port "$DP" --serve 0 --body six
		# The IPv4 port may have been taken meanwhile: try another.
		serve srv4 -- --family 4 --port "$DP" --serve 0 --body four \
			>/dev/null && return 0
	done
	return 1
}

# ---------------------------------------------------------------------------
# Secure execution (AT_SECURE): need_secure, then run secure_run <<'SH'.

# need_secure: skips unless a setuid copy of netshim can stand in for
# $SECURE_LIB, a library in a trusted directory.
need_secure() {
	need_root
	SECURE_LIB=/usr/lib/x86_64-linux-gnu/libanl.so.1
	[ -e "$SECURE_LIB" ] || skip "no $SECURE_LIB to cover with a copy of netshim"
	[ -d /mnt ] || skip "no /mnt to mount a suid-capable tmpfs on"
	command -v setpriv >/dev/null || skip "no setpriv"
}

# secure_run: the sh code on stdin, with set -e, in a private mount
# namespace where /mnt is a tmpfs (suid allowed) holding a copy of netshim
# (setuid bit: in secure mode the loader preloads only such libraries
# from trusted directories) bind-mounted over $SECURE_LIB, a setuid-root
# copy (/mnt/suid) and a plain copy (/mnt/plain) of proc_sink, and /mnt/out
# that anyone may write to; $name is what LD_PRELOAD names.
secure_run() {
	local script=$BATS_TEST_TMPDIR/secure.sh

	{
		cat <<-'SH'
		set -e
		lib=$1 helper=$2 target=$3
		mount -t tmpfs -o mode=0755 tmpfs /mnt
		mkdir -m 0777 /mnt/out
		cp "$lib" /mnt/lib.so && chmod 4755 /mnt/lib.so
		cp "$helper" /mnt/suid && chmod 4755 /mnt/suid
		cp "$helper" /mnt/plain && chmod 0755 /mnt/plain
		mount --bind /mnt/lib.so "$target"
		name=${target##*/}
		SH
		cat
	} >"$script"
	timeout 60 unshare -m sh "$script" "$NS_LIB" "$NS_TESTBIN/proc_sink" \
		"$SECURE_LIB"
}

# ---------------------------------------------------------------------------
# Go programs (cli_run, seccomp): go_build in setup_file, need_go in tests.

# go_build OUT SOURCE [VAR=VALUE...]: SOURCE built into
# $BATS_FILE_TMPDIR/go/OUT with VAR=VALUE... in the environment, offline
# (GOPATH mode, no proxy, the local toolchain); go's messages go to
# build.log there. Nothing without go; need_go tells a failed build.
go_build() {
	local d=$BATS_FILE_TMPDIR/go out=$1 src=$2

	shift 2
	command -v go >/dev/null || return 0
	mkdir -p "$d"
	(
		cd "$d" &&
		export HOME="$d" GOCACHE="$d/cache" GOPATH="$d/gopath" \
			GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local &&
		timeout 300 env "$@" go build -o "$out" "$src"
	) >>"$d/build.log" 2>&1 || true
}

# need_go PROGRAM: skips without go; fails when go_build did not make
# PROGRAM.
need_go() {
	command -v go >/dev/null || skip "go is not installed"
	[ -x "$1" ] ||
		fail "go build failed: $(cat "$BATS_FILE_TMPDIR/go/build.log")"
}

# A dynamic program exec'd from a trapped one inherits the seccomp filter
# and gets netshim's SIGSYS handler from the library's constructor: the
# ASan runtime sets its signal handlers before that (rt_sigaction, which
# the filter traps), and the program dies of SIGSYS (a known limit,
# libnetshim(7)).
skip_asan_dynamic_child() {
	[ -z "$NS_ASAN_RT" ] ||
		skip "the ASan runtime's start-up traps before the library's handler exists"
}
