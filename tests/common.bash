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
