#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check-valgrind: the suites' C programs, with the arguments the suites
# give them, under valgrind memcheck with libnetshim.so preloaded and
# tracing on (text, JSON, policies, backtraces), then netshim report and
# log on the traces they wrote. Any memcheck error or definite leak in any
# run fails it. Bounded: every run has a timeout and small counts.
#
# Environment (set by the Makefile): NS_LIB, NS_TESTBIN, NS_BUILDDIR,
# NS_SRCDIR, NS_ASAN_RT (set in a sanitized build: refused).
set -u

if [ -n "${NS_ASAN_RT:-}" ]; then
	echo "make check-valgrind: this build is sanitized (--enable-sanitizers); valgrind and ASan do not mix: use a plain build" >&2
	exit 2
fi
command -v valgrind >/dev/null || {
	echo "make check-valgrind: valgrind is not installed (apt-get install valgrind)" >&2
	exit 2
}

out=$NS_BUILDDIR/tests/valgrind-out
rm -rf "$out"
mkdir -p "$out" || exit 1
NS=$NS_BUILDDIR/netshim
unset LD_PRELOAD NETSHIM_TRACE NETSHIM_FORMAT NETSHIM_EVENTS NETSHIM_BACKTRACE \
	NETSHIM_FAMILY NETSHIM_PREFER NETSHIM_MPTCP NETSHIM_TFO

VG=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
	--errors-for-leak-kinds=definite --show-leak-kinds=definite
	--track-origins=yes --child-silent-after-fork=yes
	--suppressions="$NS_SRCDIR/tests/valgrind.supp")
runs=0 failed=0

# vg NAME [VAR=VALUE...] -- PROGRAM [ARGS]: PROGRAM under memcheck with
# the shim preloaded and VARs set; its exit status is not judged (some
# programs are meant to fail), memcheck's 99 is.
vg() {
	local name=$1 env=()
	shift
	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	runs=$((runs + 1))
	timeout 120 env "${env[@]}" LD_PRELOAD="$NS_LIB" \
		"${VG[@]}" --log-file="$out/$name.vg" "$@" \
		>"$out/$name.out" 2>"$out/$name.err"
	check "$name" $?
}

# bare NAME PROGRAM [ARGS]: a program of ours (netshim) under memcheck,
# without the shim.
bare() {
	local name=$1
	shift
	runs=$((runs + 1))
	timeout 120 "${VG[@]}" --log-file="$out/$name.vg" "$@" \
		>"$out/$name.out" 2>"$out/$name.err"
	check "$name" $?
}

check() {
	if [ "$2" = 99 ] || [ "$2" = 124 ] ||
		grep -q 'ERROR SUMMARY: [1-9]' "$out/$1.vg"; then
		failed=$((failed + 1))
		echo "FAIL: $1 (exit $2)"
		cat "$out/$1.vg"
	else
		echo "ok: $1 ($(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$out/$1.vg" | tail -n 1) errors)"
	fi
}

J=(NETSHIM_FORMAT=json NETSHIM_TRACE="$out/trace.json")
X=(NETSHIM_TRACE="$out/trace.text")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for s in socket socketpair connect bind listen accept accept4 shutdown \
	setsockopt getsockopt sendto sendmsg close close_range closefrom dup \
	stale; do
	vg "calls_driver-$s-json" "${J[@]}" -- "$NS_TESTBIN/calls_driver" "$s"
	vg "calls_driver-$s-text" "${X[@]}" -- "$NS_TESTBIN/calls_driver" "$s"
done
vg calls_driver-bt "${J[@]}" NETSHIM_BACKTRACE=8 -- "$NS_TESTBIN/calls_driver" bt
for s in connect sockopt accept-short guard-connect guard-sendto \
	guard-congestion guard-bindtodevice; do
	vg "calls_badargs-$s" "${J[@]}" -- "$NS_TESTBIN/calls_badargs" "$s"
done
vg calls_dns-json "${J[@]}" -- "$NS_TESTBIN/calls_dns" basic
vg calls_dns-text "${X[@]}" -- "$NS_TESTBIN/calls_dns" basic
vg pol_dns-prefer "${J[@]}" NETSHIM_PREFER=ipv6 -- \
	"$NS_TESTBIN/pol_dns" gai localhost unspec
vg pol_dns-family "${J[@]}" NETSHIM_FAMILY=ipv4 -- \
	"$NS_TESTBIN/pol_dns" gai localhost unspec
vg pol_dns-ghbn2 "${J[@]}" NETSHIM_FAMILY=ipv6 -- \
	"$NS_TESTBIN/pol_dns" ghbn2 localhost inet
vg pol_tfo-drop "${J[@]}" NETSHIM_TFO=drop -- \
	"$NS_TESTBIN/pol_tfo_client" sendto 127.0.0.1 "$port" hi
vg pol_mptcp-force "${J[@]}" NETSHIM_MPTCP=force -- \
	"$NS_TESTBIN/calls_driver" connect
vg pol_mptcp-fallback "${J[@]}" NETSHIM_MPTCP=fallback -- \
	"$NS_TESTBIN/calls_driver" setsockopt
vg proc_errno "${X[@]}" NETSHIM_BACKTRACE=4 -- "$NS_TESTBIN/proc_errno"
vg proc_threads "${J[@]}" -- "$NS_TESTBIN/proc_threads" 4 25
vg proc_fork "${J[@]}" -- "$NS_TESTBIN/proc_fork" fork
vg proc_spawn "${J[@]}" -- "$NS_TESTBIN/proc_fork" spawn
# Not proc_signal: under valgrind its timer storm starves the main loop
# (it ran 300 s and wrote 800 MB); make check runs it, sanitized too.
vg proc_sink-events "${J[@]}" -- "$NS_TESTBIN/proc_sink" events 200
vg proc_sink-closeall "${X[@]}" -- \
	"$NS_TESTBIN/proc_sink" closeall range "$out/closeall.text"
vg proc_sink-dup2onto "${X[@]}" -- \
	"$NS_TESTBIN/proc_sink" dup2onto "$out/dup2.text" "$out/dup2.mine"
vg proc_sink-bad NETSHIM_TRACE=fd:57 NETSHIM_EVENTS='socket,bogus,!x' \
	NETSHIM_BACKTRACE=99 NETSHIM_FOO=1 -- "$NS_TESTBIN/proc_sink" events 1
vg proc_ctor "${J[@]}" -- "$NS_TESTBIN/proc_ctor"
vg log_known "${J[@]}" -- "$NS_TESTBIN/log_known" 4 3 2 "$port"
vg run_sock "${X[@]}" -- "$NS_TESTBIN/run_sock"

# The netshim command on what was just written.
bare netshim-report "$NS" report "$out/trace.json"
bare netshim-report-json "$NS" report --json "$out/trace.json"
bare netshim-log "$NS" log "$out/trace.json"
bare netshim-run "$NS" run --json -o "$out/run.json" --mptcp=strip -- \
	"$NS_TESTBIN/run_sock"
bare netshim-run-bad "$NS" run --prefer=bogus -- "$NS_TESTBIN/run_sock"

lines=$(wc -l <"$out/trace.json")
echo "check-valgrind: $runs runs, $failed failed; $lines JSON events traced (logs in $out)"
[ "$failed" = 0 ] && [ "$lines" -gt 100 ]
