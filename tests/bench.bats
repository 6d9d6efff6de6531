#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# make bench's driver still runs: one short pass writes its report; no speed is read from it.

load common

# The report's targets, as bench/run names them: each must be there with a
# verdict (a driver that fails half-way leaves rows out or stops).
TARGETS=(
	'passive, workload 1' 'passive, workload 2'
	'policies only, workload 1' 'policies only, workload 2'
	'JSON trace, workload 1' 'strace / JSON, workload 1'
	'passive, 8 threads vs 1' 'json, 8 threads vs 1'
)

@test "bench/run, one quick repetition of the workloads: every mode runs, the report has its table and every target" {
	[ -z "$NS_ASAN_RT" ] ||
		skip "sanitized build: the workloads are built with ASan and the shim is preloaded into them"
	local r="$BATS_TEST_TMPDIR/results.md" t
	run env BENCH_QUICK=1 BENCH_REPS=1 BENCH_ONLY=micro \
		BENCH_RESULTS="$r" BENCH_BIN="$NS_BUILDDIR/bench/bin" \
		NS_LIB="$NS_LIB" NS_BIN="$NS_BUILDDIR/netshim" \
		timeout 300 "$NS_SRCDIR/bench/run"
	assert_success
	refute_output --partial Traceback
	run grep -c '^## Run of ' "$r"
	assert_output 1
	grep -q '^- kernel: ' "$r"
	# Workload 1 under bare, passive, json and strace, with a ratio.
	local m
	for m in bare passive json strace; do
		grep -Eq "^\|( 1: socket\+setsockopt\+close)? *\| $m \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|" "$r" ||
			fail "no workload 1 row for $m"
	done
	for t in "${TARGETS[@]}"; do
		grep -F "| $t" "$r" | grep -Eq '\| (PASS|FAIL) \|$' ||
			fail "target '$t' missing or without a verdict"
	done
}

@test "bench/run BENCH_ONLY=static, one quick repetition: the trap and seccomp rows side by side, measured or skipped with a reason, and their targets" {
	[ -z "$NS_ASAN_RT" ] ||
		skip "sanitized build: the static workloads cannot be built with ASan"
	local r="$BATS_TEST_TMPDIR/results.md" row m
	run env BENCH_QUICK=1 BENCH_REPS=1 BENCH_ONLY=static \
		BENCH_RESULTS="$r" BENCH_BIN="$NS_BUILDDIR/bench/bin" \
		NS_LIB="$NS_LIB" NS_BIN="$NS_BUILDDIR/netshim" \
		timeout 600 "$NS_SRCDIR/bench/run"
	assert_success
	refute_output --partial Traceback
	grep -q '^### Static programs: in-process trap and seccomp front' "$r"
	# Each row: bare measured, each front measured or skipped.
	for row in 'static socket+setsockopt+close, JSON trace' \
		'static socket+setsockopt+close, --mptcp=strip, no trace' \
		"static program exec'ing itself"; do
		grep -Fq "| $row" "$r" || fail "no row '$row'"
	done
	for m in trap-json seccomp-json trap-strip seccomp-strip; do
		grep -Eq "^\|[^|]*\| $m \| ([0-9]+ (ns/op|ns/exec|req/s) \| [0-9.]+ \||skipped: .+)" "$r" ||
			fail "no measured or skipped row for $m"
	done
	grep -Eq '^\|[^|]*\| bare \| [0-9]+ ns/op \| 1\.000 \|' "$r"
	for t in 'static loop, trap-json' 'static strip, trap-strip'; do
		grep -F "| $t" "$r" | grep -Eq '\| (PASS|FAIL|n/a) \|$' ||
			fail "target '$t' missing or without a verdict"
	done
}
