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
