#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the built library exports and links, and the source tree's SPDX lines and file sizes.

load common

# The hooks, exactly: an export more or less fails.
HOOKS="accept accept4 bind clone close close_range closefrom connect dup dup2 dup3
fcntl fcntl64 freeaddrinfo getaddrinfo gethostbyname gethostbyname2
getnameinfo getsockopt listen sendmsg sendto setsockopt shutdown socket
socketpair vfork"

@test "the library exports exactly the hooked calls" {
	run bash -c 'nm -D --defined-only "$1" | awk "{ print \$NF }" | sort' _ "$NS_LIB"
	assert_success
	assert_output "$(printf '%s\n' $HOOKS | sort)"
}

@test "no ns_ symbol is exported" {
	run bash -c 'nm -D "$1" | awk "{ print \$NF }" | grep "^_*ns_"' _ "$NS_LIB"
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
