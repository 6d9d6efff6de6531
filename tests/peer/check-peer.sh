#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check-peer: CPython's own test modules bare and under the shim (trace
# off, JSON trace, NETSHIM_MPTCP=strip); the counts must be the same.
#
# Usage: NS_LIB=/path/libnetshim.so check-peer.sh MODULE...
# PEER_PYTHON picks the interpreter (default /usr/bin/python3, whose test
# package is Debian's libpython3.X-testsuite); PEER_DIR keeps the logs.
set -u

PY=${PEER_PYTHON:-/usr/bin/python3}
: "${NS_LIB:?set NS_LIB to the built libnetshim.so}"
[ $# -gt 0 ] || set -- test_socket test_ssl test_asyncio
if ! "$PY" -c 'import test.support, test.libregrtest' 2>/dev/null; then
	ver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	echo "check-peer: $PY has no test package;" \
		"on Debian: apt-get install libpython$ver-testsuite" >&2
	exit 77
fi
DIR=${PEER_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/netshim-peer.XXXXXX")}
mkdir -p "$DIR"
echo "check-peer: $("$PY" -V) ($PY), logs in $DIR"

# run_mode MODE MODULE ENV...: the module under ENV; verbose log in
# $DIR/MODE.MODULE.log. The VSOCK tests are left out in every mode: they
# wait for ever in accept() on a VM that has a vsock device and no peer.
run_mode() {
	mode=$1 mod=$2
	shift 2
	env -u LD_PRELOAD "$@" timeout -s KILL 1200 "$PY" -m test -v \
		--timeout 300 -i '*VSOCK*' "$mod" \
		>"$DIR/$mode.$mod.log" 2>&1 </dev/null
	echo "$?" >"$DIR/$mode.$mod.rc"
}

# counts LOG: "ran passed failed errors skipped" from unittest's summary.
counts() {
	"$PY" - "$1" <<'PY'
import re, sys
ran = fail = err = skip = xfail = xpass = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"Ran (\d+) tests? in ", line)
    if m:
        ran += int(m.group(1))
    m = re.match(r"(OK|FAILED)\b(?: \((.*)\))?$", line.strip())
    if m and m.group(2):
        for part in m.group(2).split(", "):
            k, _, v = part.partition("=")
            if k == "failures": fail += int(v)
            elif k == "errors": err += int(v)
            elif k == "skipped": skip += int(v)
            elif k == "expected failures": xfail += int(v)
            elif k == "unexpected successes": xpass += int(v)
print(ran, ran - fail - err - skip - xpass, fail, err, skip)
PY
}

# statuses LOG: "test-id status" for every test the verbose log names.
statuses() {
	sed -n 's/^\([A-Za-z_0-9]* ([A-Za-z_0-9.]*)\) \.\.\. \(ok\|FAIL\|ERROR\|skipped\|expected failure\|unexpected success\).*/\1 \2/p' \
		"$1" | sed 's/ expected failure$/ expected-failure/;
			s/ unexpected success$/ unexpected-success/' | sort
}

# changed BARE MODE: "test: bare-status -> mode-status", the first 40.
changed() {
	"$PY" - "$1" "$2" <<'PY'
import sys
def load(path):
    st = {}
    for line in open(path):
        test, _, status = line.rstrip("\n").rpartition(" ")
        st[test] = status
    return st
a, b = load(sys.argv[1]), load(sys.argv[2])
diff = sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))
for t in diff[:40]:
    print("  %s: %s -> %s" % (t, a.get(t, "not run"), b.get(t, "not run")))
if len(diff) > 40:
    print("  ... %d more" % (len(diff) - 40))
PY
}

status=0
printf '%-14s %-6s %6s %6s %6s %6s %6s %8s\n' module mode ran passed \
	failed errors skipped seconds
for mod in "$@"; do
	for mode in bare off json strip; do
		start=$(date +%s)
		case $mode in
		bare) run_mode bare "$mod" ;;
		off) run_mode off "$mod" LD_PRELOAD="$NS_LIB" \
			NETSHIM_TRACE=off ;;
		json) mkdir -p "$DIR/json.$mod"
			run_mode json "$mod" LD_PRELOAD="$NS_LIB" \
			NETSHIM_FORMAT=json \
			NETSHIM_TRACE="$DIR/json.$mod/trace.%p" ;;
		strip) run_mode strip "$mod" LD_PRELOAD="$NS_LIB" \
			NETSHIM_TRACE=off NETSHIM_MPTCP=strip ;;
		esac
		secs=$(($(date +%s) - start))
		line=$(counts "$DIR/$mode.$mod.log")
		read -r ran passed failed errors skipped <<EOF
$line
EOF
		printf '%-14s %-6s %6s %6s %6s %6s %6s %8s\n' "$mod" "$mode" \
			"$ran" "$passed" "$failed" "$errors" "$skipped" "$secs"
		if [ "$mode" = bare ]; then
			bare=$line
			statuses "$DIR/bare.$mod.log" >"$DIR/bare.$mod.st"
			[ "$ran" -gt 0 ] || {
				echo "check-peer: $mod ran no test bare" >&2
				status=1
			}
		elif [ "$line" != "$bare" ]; then
			echo "check-peer: $mod under $mode differs from bare;" \
				"tests whose status changed:"
			statuses "$DIR/$mode.$mod.log" >"$DIR/$mode.$mod.st"
			changed "$DIR/bare.$mod.st" "$DIR/$mode.$mod.st"
			status=1
		fi
	done
	# The JSON traces: every line of every file is one object.
	"$PY" - "$DIR/json.$mod" <<'PY' || status=1
import json, os, sys
d = sys.argv[1]
files = events = 0
for name in os.listdir(d):
    files += 1
    with open(os.path.join(d, name), encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not isinstance(json.loads(line), dict):
                sys.exit("%s:%d is not an object" % (name, i))
            events += 1
print("  json trace: %d events in %d files, every line one JSON object"
      % (events, files))
PY
done
exit $status
