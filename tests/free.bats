#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The freestanding engine (libnsfree.a), what trap/'s blob runs inside a static program: it links alone, writes what the hosted engine writes, and keeps its stack small.

load common

# Where the blob is linked (trap/blob.h, TRAP_BLOB_BASE).
BLOB_BASE=0x6e7301000000

setup_file() {
	local src="$NS_SRCDIR" b="$NS_BUILDDIR" d="$BATS_FILE_TMPDIR"
	local cflags=(-O2 -Wall -Wextra -Wno-unused-parameter -Werror
		-I"$src/src" -include "$b/autoconfig.h")

	# tests/helpers/free_prog.c twice: on the freestanding archive with
	# its own _start, and on the hosted engine with main().
	gcc "${cflags[@]}" -DNS_FREESTANDING -ffreestanding -fbuiltin \
		-fno-stack-protector -U_FORTIFY_SOURCE -fPIE \
		-c "$src/tests/helpers/free_prog.c" -o "$d/free_prog.o"
	gcc -nostdlib -static -Wl,-Ttext-segment=$BLOB_BASE \
		-Wl,--build-id=none -o "$d/free_prog" "$d/free_prog.o" \
		-Wl,--whole-archive "$b/libnsfree.a" -Wl,--no-whole-archive
	# In a sanitized build (configure --enable-sanitizers) the hosted
	# engine's objects want the sanitizers' runtimes.
	gcc "${cflags[@]}" ${NS_ASAN_RT:+-fsanitize=address,undefined} \
		-o "$d/host_prog" "$src/tests/helpers/free_prog.c" \
		"$b/.libs/libnsengine.a" -lpthread
}

# Addresses glibc's inet_pton and inet_ntop treat in each of their ways:
# "::" for the longest zero run (the first of two), none for a single
# zero, dotted quads for ::ffff:0:0/96 and ::/96, text refused.
ADDRS=(1.2.3.4 0.0.0.0 255.255.255.255 ::1 :: ::ffff:10.0.0.1
	::0.0.0.1 ::1.2.3.4 2001:db8:0:0:1:0:0:1 2001:0:0:1:0:0:0:1
	fe80::1:2:3:4:5 FE80::ABCD 1:2:3:4:5:6:7:8 ::2:3:4:5:6:7:8
	1:2:3:4:5:6:7:: 1:: 1:0:0:2:0:0:0:3 ::ffff:1.2.3.4 1::2::3
	01.2.3.4 256.1.1.1 1.2.3 1.2.3.4.5 1:2:3:4:5:6:7:8:9 12345::
	:1 1: ::ffff:1.2.3 "" x)

@test "the whole freestanding archive links alone at the blob's address: no undefined symbol, no relocation, no TLS, no interpreter" {
	local elf="$BATS_FILE_TMPDIR/free_prog"

	run nm -u "$elf"
	assert_success
	assert_output ""
	run readelf -rW "$elf"
	assert_output --partial "There are no relocations in this file."
	run readelf -hlW "$elf"
	assert_line --regexp '^ +Type: +EXEC '
	refute_line --regexp '^ +(TLS|INTERP|DYNAMIC) '
	# Every PT_LOAD inside [TRAP_BLOB_BASE, + TRAP_BLOB_SPAN).
	local type off va pa fsz msz n=0
	while read -r type off va pa fsz msz _; do
		[ "$type" = LOAD ] || continue
		n=$((n + 1))
		((va >= BLOB_BASE && va + msz <= BLOB_BASE + 0x1000000)) ||
			fail "a segment at $va, $msz bytes, outside the blob's span"
	done < <(readelf -lW "$elf")
	[ "$n" -gt 0 ]
	# Nothing of libc's hardening and no TLS in any object.
	run bash -c 'nm "$1" | grep -E " (__stack_chk_fail|__errno_location|__tls_get_addr)$"
		readelf -sW "$1" | awk "\$4 == \"TLS\""' _ "$NS_BUILDDIR/libnsfree.a"
	assert_output ""
}

@test "the freestanding and the hosted engine agree: addresses through inet_pton and inet_ntop, two JSON and two text trace lines, the fd table, an epoll set's registrations" {
	local d="$BATS_FILE_TMPDIR" fmt

	for fmt in json text; do
		rm -f "$d"/*.trace
		NETSHIM_FORMAT=$fmt NETSHIM_TRACE="$d/free.trace" \
			"$d/free_prog" "${ADDRS[@]}" >"$d/free.out"
		NETSHIM_FORMAT=$fmt NETSHIM_TRACE="$d/host.trace" \
			"$d/host_prog" "${ADDRS[@]}" >"$d/host.out"
		run diff "$d/free.out" "$d/host.out"
		assert_success
		run diff "$d/free.trace" "$d/host.trace"
		assert_success
		[ "$(wc -l <"$d/free.trace")" -eq 2 ]
	done
	run cat "$d/free.out"
	assert_line "2001:db8:0:0:1:0:0:1 -> 2001:db8::1:0:0:1"
	assert_line "::ffff:1.2.3.4 -> ::ffff:1.2.3.4"
	assert_line "01.2.3.4 -> -"
	assert_line "fd 5 gone"
	assert_line "epoll: 1 in the set, as registered"
	assert_line "clock ok"
	json_lines "$d/host.trace" 2>/dev/null && fail "the last round was JSON"
	rm -f "$d/free.trace"
	NETSHIM_FORMAT=json NETSHIM_TRACE="$d/free.trace" "$d/free_prog"
	json_lines "$d/free.trace"
	run grep -c '"addr":"\[2001:db8::1\]:8080"' "$d/free.trace"
	assert_output 1
}

@test "a trace path the freestanding sink cannot open: the documented line with the errno's name and text, events on stderr" {
	local d="$BATS_FILE_TMPDIR"

	run --separate-stderr env NETSHIM_TRACE="$d/missing/dir/t" \
		"$d/free_prog"
	assert_success
	[[ $stderr == *"netshim: cannot open trace file NETSHIM_TRACE=$d/missing/dir/t: ENOENT (No such file or directory); tracing to stderr instead"* ]] ||
		fail "stderr: $stderr"
	[ "$(grep -c ' free_prog\[42/43\] socket(AF_INET6, ' <<<"$stderr")" -eq 1 ]
}

@test "the freestanding clock is read through the vDSO: no clock_gettime system call" {
	local d="$BATS_FILE_TMPDIR"

	run strace -f -qq -e trace=clock_gettime -o "$d/strace.out" \
		"$d/free_prog"
	assert_success
	assert_line "clock ok"
	run cat "$d/strace.out"
	refute_output --partial clock_gettime
	# The same count with the vDSO hidden from it (no AT_SYSINFO_EHDR
	# pointer: it falls back to the system call), so the check can fail.
	run strace -f -qq -e trace=clock_gettime -o "$d/strace.out" \
		env NS_FREE_NO_VDSO=1 "$d/free_prog"
	assert_line "clock ok"
	run grep -c clock_gettime "$d/strace.out"
	assert_output 2
}

@test "the freestanding engine's stack frames: none over 8 KiB but the set-up's path walk, the calls' path under 1 KiB a frame, the epoll reading under 2 KiB (the deepest printed)" {
	local su

	su=$(cat "$NS_BUILDDIR"/src/libnsfree_a-*.su)
	[ -n "$su" ]
	# The ten deepest, for the record (make check's log).
	sort -t$'\t' -k2,2nr <<<"$su" | head -n 10 | sed 's/^/# /' >&3
	# ns_path_dir holds two PATH_MAX buffers; it runs when the trace is
	# opened, at the blob's set-up on the program's own stack.
	run awk -F'\t' '$2 > 8192 && $1 !~ /:ns_path_dir$/ { print }' <<<"$su"
	assert_output ""
	# What a trapped call runs: call*.c, policy, swap, the fd table, the
	# fields and format, the sink's write. The set-up's (config, the
	# trace's opening) run once, on the program's own stack.
	run awk -F'\t' '$1 ~ /^src\/(call|call_send|call_sockopt|policy|swap|fdtable|fields|format|fmt_addr|buf|event|names_.*|free_.*)\.c:/ &&
		$2 > 1024 { print }' <<<"$su"
	assert_output ""
	# And the epoll sets' reading for a socket replaced in place.
	run awk -F'\t' '$1 ~ /^src\/epoll_regs\.c:/ && $2 > 2048 { print }' <<<"$su"
	assert_output ""
}
