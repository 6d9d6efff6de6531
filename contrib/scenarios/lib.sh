# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the scenario stories: finding netshim, a local HTTP server, a
# private /etc/hosts, and telling what each command shows.
set -euo pipefail

prog=${0##*/}
die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

# The build tree's netshim when run from one, else $NETSHIM or PATH's.
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${NETSHIM:-}" ]; then
	if [ -x "$here/../../netshim" ]; then
		NETSHIM=$here/../../netshim
	else
		NETSHIM=$(command -v netshim) || die "no netshim: build it, or set NETSHIM"
	fi
fi
for tool in curl python3; do
	command -v "$tool" >/dev/null || die "$tool is needed (apt-get install $tool)"
done
# The interpreter itself, not a wrapper script that would be traced too.
PY=$(python3 -c 'import sys; print(sys.executable)')
unset http_proxy HTTP_PROXY all_proxy ALL_PROXY

tmp=$(mktemp -d "${TMPDIR:-/tmp}/netshim-scenario.XXXXXX")
servers=()
cleanup() {
	local pid
	for pid in "${servers[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# serve HOST PORT BODY: an HTTP server answering BODY, in the background.
serve() {
	"$PY" - "$@" >"$tmp/server.$1.log" 2>&1 <<'PY' &
import http.server, socket, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (sys.argv[3] + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(http.server.HTTPServer):
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
S((sys.argv[1], int(sys.argv[2])), H).serve_forever()
PY
	servers+=($!)
	for _ in $(seq 100); do
		if curl -s -o /dev/null --max-time 1 -g "http://$(bracket "$1"):$2/"; then
			return 0
		fi
		sleep 0.1
	done
	die "the server on $1 port $2 did not start: $(cat "$tmp/server.$1.log")"
}

bracket() {
	case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

# with_hosts LINES -- CMD...: CMD with LINES as /etc/hosts, in a mount
# namespace of its own (a user namespace too when not root).
with_hosts() {
	printf '%s\n' "$1" >"$tmp/hosts"
	shift 2
	local un=(unshare -m)
	[ "$(id -u)" = 0 ] || un=(unshare -rm)
	"${un[@]}" sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
		sh "$tmp/hosts" "$@"
}

# step WHAT CMD...: shows the command as one would type it, runs it, shows
# its output and status; $status holds the status.
step() {
	local what=$1 shown= a

	shift
	printf '\n## %s\n' "$what"
	set -- "$@"
	local args=("$@")
	if [ "${args[0]}" = with_hosts ]; then
		printf '(in a private /etc/hosts: %s)\n' "${args[1]//$'\n'/, }"
		args=("${args[@]:3}")
	fi
	for a in "${args[@]}"; do
		a=${a//"$NETSHIM"/netshim}
		a=${a//"$PY"/python3}
		a=${a//"$tmp"\//}
		case $a in
		*[\ \(\)\;\#\'\"]*) a="'$a'" ;;
		esac
		shown+=${shown:+ }$a
	done
	printf '$ %s\n' "$shown"
	set +e
	"$@" 2>&1 | sed 's/^/  /'
	status=${PIPESTATUS[0]}
	set -e
	printf '  (exit status %s)\n' "$status"
}

# verdict OK: the story's end.
verdict() {
	if [ "$1" = yes ]; then
		printf '\n%s: reproduced, and fixed\n' "$prog"
	else
		printf '\n%s: NOT as told: see above\n' "$prog"
		exit 1
	fi
}
