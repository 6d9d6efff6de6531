#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the built library exports and links, and the source tree's SPDX lines and file sizes.

load common

# The hooks, exactly: an export more or less fails.
HOOKS="accept accept4 bind clone close close_range closefrom connect dup dup2 dup3
fcntl fcntl64 freeaddrinfo getaddrinfo gethostbyname gethostbyname2
getnameinfo getsockopt listen sendmsg sendto setsockopt shutdown socket
socketpair vfork"

# The symbols another object can bind to: defined, global or weak, of
# default or protected visibility (the linker lists the hidden bounds of
# src/starter.h's section in .dynsym too, where nothing can bind them).
exported() {
	readelf --dyn-syms -W "$1" |
		awk '$5 != "LOCAL" && $6 != "HIDDEN" && $6 != "INTERNAL" &&
		     $7 != "UND" && $8 != "" && $1 ~ /^[0-9]+:$/ { print $8 }' |
		sed 's/@.*//' | sort -u
}

@test "the library exports exactly the hooked calls" {
	run exported "$NS_LIB"
	assert_success
	assert_output "$(printf '%s\n' $HOOKS | sort)"
}

@test "no symbol of the engine, a front or the command is exported" {
	run bash -c 'readelf --dyn-syms -W "$1" | awk "{ print \$6, \$8 }" |
		grep -E "^(DEFAULT|PROTECTED) _*(ns|shim|trap|sc|cli)_"' _ "$NS_LIB"
	assert_output ""
}

@test "the library needs only libc (and libunwind, sanitizer runtimes)" {
	run bash -c 'readelf -d "$1" | sed -n "s/.*(NEEDED).*\[\(.*\)\]/\1/p"' _ "$NS_LIB"
	assert_success
	assert_line libc.so.6
	local l
	for l in "${lines[@]}"; do
		case $l in
		libc.so.6 | libunwind.so.* | libunwind-*.so.* | libasan.so.* | \
			libubsan.so.*) ;;
		*) fail "unexpected DT_NEEDED $l" ;;
		esac
	done
}

@test "every C source and header of the engine, the fronts and the command starts with an SPDX line and has under 600 lines" {
	local f n=0
	# Every top-level folder with C code, but the tests' and the bench's
	# own programs.
	for f in "$NS_SRCDIR"/*/*.[ch]; do
		case $f in "$NS_SRCDIR"/tests/* | "$NS_SRCDIR"/bench/*) continue ;; esac
		n=$((n + 1))
		head -n 1 "$f" | grep -Eq '^(//|/\*) SPDX-License-Identifier: [A-Za-z0-9.+-]+( \*/)?$' ||
			fail "$f does not start with an SPDX line"
		[ "$(wc -l <"$f")" -lt 600 ] || fail "$f has $(wc -l <"$f") lines"
	done
	[ "$n" -gt 10 ]
}

@test "one version: netshim --version says what NEWS's first heading and the man pages say" {
	local news
	news=$(sed -n 's/^netshim \([0-9][0-9.]*\) .*/\1/p' "$NS_SRCDIR/NEWS" | head -n 1)
	[ -n "$news" ]
	run "$NS_BUILDDIR/netshim" --version
	assert_success
	assert_output "netshim $news"
	# Every "netshim X.Y.Z" of the man pages, the .TH lines included.
	run bash -c 'grep -ho "netshim [0-9]*\.[0-9]*\.[0-9]*" "$@" | sort -u' _ \
		"$NS_SRCDIR/man/netshim.1" "$NS_SRCDIR/man/libnetshim.7"
	assert_output "netshim $news"
}

@test "./configure again with another prefix rebuilds netshim, which then looks for its library there" {
	local src="$BATS_TEST_TMPDIR/src" mk=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make)
	run timeout 300 "${mk[@]}" -s -C "$NS_BUILDDIR" distdir distdir="$src"
	assert_success
	cd "$src"
	# The library is not built here: the message lists where netshim
	# looked, the configured pkglibdir last.
	for p in /opt/ns-a /opt/ns-b; do
		run timeout 300 ./configure -q --prefix="$p"
		assert_success
		run timeout 600 "${mk[@]}" -s -j2 netshim
		assert_success
		run ./netshim run -- true
		assert_failure 1
		assert_line --index 0 --partial ", $p/lib/netshim/libnetshim.so"
	done
}

# trap/blob.h's addresses, as the injector checks them.
BLOB_BASE=0x6e7301000000
BLOB_END=0x6e7302000000
BLOB_ARGS=0x6e7301800000

@test "netshim-blob is one static x86_64 executable at its fixed addresses: no interpreter, no undefined symbol, no relocation, no TLS" {
	local blob="$NS_BUILDDIR/netshim-blob"
	[ -x "$blob" ]
	run readelf -hW "$blob"
	assert_output --regexp 'Type: +EXEC'
	assert_output --regexp 'Machine: +Advanced Micro Devices X86-64'
	run bash -c 'nm -u "$1"' _ "$blob"
	assert_success
	assert_output ""
	run readelf -rW "$blob"
	assert_output --partial "There are no relocations in this file."
	run readelf -lW "$blob"
	refute_output --partial INTERP
	refute_output --partial TLS
	refute_output --partial DYNAMIC
	# Every PT_LOAD inside [BASE, END), the argument block at the start
	# of a writable one.
	local n=0 found=0 type off va pa fsz msz flg
	while read -r type off va pa fsz msz flg _; do
		[ "$type" = LOAD ] || continue
		n=$((n + 1))
		[ $((va)) -ge $((BLOB_BASE)) ]
		[ $((va + msz)) -le $((BLOB_END)) ]
		if [ $((va)) -eq $((BLOB_ARGS)) ] && [[ $flg == *W* ]]; then
			found=1
		fi
	done < <(readelf -lW "$blob")
	[ "$n" -eq 2 ]
	[ "$found" -eq 1 ]
	# The magic and version the injector checks, at the block's start.
	run bash -c 'objcopy -O binary --only-section=.blob_args "$1" /dev/stdout |
		od -An -tx4 -N8 | tr -s " "' _ "$blob"
	assert_output " 6e73626c 00000001"
}
