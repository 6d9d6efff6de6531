#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# A first look: the shim loads and traces a socket call of a real program.

load common

@test "python3 socket() is traced as JSON" {
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$BATS_TEST_TMPDIR/t" -- \
		python3 -c 'import socket; socket.socket().close()'
	json_lines "$BATS_TEST_TMPDIR/t"
	run grep -c '"call":"socket","family":"AF_INET","type":"SOCK_STREAM|SOCK_CLOEXEC"' "$BATS_TEST_TMPDIR/t"
	assert_output 1
}
