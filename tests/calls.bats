#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each hooked call on real loopback sockets: same results and errno bare and traced, and the event's fields.

load common

setup() {
	export CALLS_DIR="$BATS_TEST_TMPDIR"
	T="$BATS_TEST_TMPDIR/trace"
}

# both PROG ARGS...: runs tests/bin/PROG bare, then traced as JSON into $T.
# The program prints its own view of every call; both views must be the
# same (lines starting "# " are facts such as ports, which may differ).
# Leaves the traced run's stdout in $OUT.
both() {
	local prog="$NS_TESTBIN/$1" d="$BATS_TEST_TMPDIR" rc=0
	shift
	rm -f "$T"
	clean timeout 20 "$prog" "$@" >"$d/bare" 2>"$d/bare.err" || rc=$?
	[ "$rc" = 0 ] || fail "bare run failed ($rc): $(cat "$d/bare.err")"
	clean timeout 20 env LD_PRELOAD="$NS_PRELOAD" \
		NETSHIM_FORMAT=json NETSHIM_TRACE="$T" "$prog" "$@" \
		>"$d/traced" 2>"$d/traced.err" || rc=$?
	[ "$rc" = 0 ] || fail "traced run failed ($rc): $(cat "$d/traced.err")"
	[ ! -s "$d/traced.err" ] || fail "stderr: $(cat "$d/traced.err")"
	grep -v '^# ' "$d/bare" >"$d/bare.calls"
	grep -v '^# ' "$d/traced" >"$d/traced.calls"
	diff -u "$d/bare.calls" "$d/traced.calls" ||
		fail "the program saw different results under the shim"
	json_lines "$T"
	OUT="$d/traced"
}

# clean CMD...: CMD with only fds 0-2 open (bats keeps some of its own
# open), so the programs' descriptor numbers are the same every time.
clean() {
	(
		local f n
		for f in /proc/$BASHPID/fd/*; do
			n=${f##*/}
			[ "$n" -gt 2 ] && eval "exec $n>&-"
		done
		exec "$@"
	)
}

# fact KEY: a "# KEY VALUE" line of the traced run.
fact() {
	sed -n "s/^# $1 //p" "$OUT"
}

# evs CALL 'jq object fields': the events of CALL, one compact object each.
evs() {
	run jq -c "select(.call == \"$1\") | {$2}" "$T"
	assert_success
}

# ncalls CALL: how many events of CALL the trace has.
ncalls() {
	jq -s "map(select(.call == \"$1\")) | length" "$T"
}

TCP4='{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_TCP"}'
TCP6='{"family":"AF_INET6","type":"SOCK_STREAM","protocol":"IPPROTO_TCP"}'
UDP4='{"family":"AF_INET","type":"SOCK_DGRAM","protocol":"IPPROTO_UDP"}'
USTREAM='{"family":"AF_UNIX","type":"SOCK_STREAM","protocol":0}'
UDGRAM='{"family":"AF_UNIX","type":"SOCK_DGRAM","protocol":0}'

@test "socket: new sockets and EAFNOSUPPORT/EPROTONOSUPPORT are passed through and traced with family, type, protocol, fd" {
	both calls_driver socket
	evs socket 'family, type, protocol, fd, ret, errno'
	assert_line -n 0 '{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_IP","fd":3,"ret":3,"errno":null}'
	assert_line -n 1 '{"family":"AF_INET6","type":"SOCK_DGRAM|SOCK_CLOEXEC","protocol":"IPPROTO_IP","fd":4,"ret":4,"errno":null}'
	assert_line -n 2 '{"family":"AF_UNIX","type":"SOCK_SEQPACKET","protocol":0,"fd":5,"ret":5,"errno":null}'
	assert_line -n 3 '{"family":200,"type":"SOCK_STREAM","protocol":0,"fd":null,"ret":-1,"errno":"EAFNOSUPPORT"}'
	assert_line -n 4 '{"family":"AF_INET","type":"SOCK_STREAM","protocol":"IPPROTO_UDP","fd":null,"ret":-1,"errno":"EPROTONOSUPPORT"}'
	[ "${#lines[@]}" = 5 ]
}

@test "socketpair: both fds are reported and remembered as AF_UNIX; EOPNOTSUPP for AF_INET" {
	both calls_driver socketpair
	assert_equal "$(grep '^fds' "$OUT")" "fds 3 4"
	evs socketpair 'family, type, fds, ret, errno'
	assert_line -n 0 '{"family":"AF_UNIX","type":"SOCK_STREAM","fds":[3,4],"ret":0,"errno":null}'
	assert_line -n 1 '{"family":"AF_INET","type":"SOCK_STREAM","fds":null,"ret":-1,"errno":"EOPNOTSUPP"}'
	evs shutdown 'fd, sock, how'
	assert_output "{\"fd\":3,\"sock\":$USTREAM,\"how\":\"SHUT_RDWR\"}"
}

@test "connect: 127.0.0.1 succeeds, a closed [::1] port is ECONNREFUSED, unix paths succeed or ENOENT" {
	both calls_driver connect
	local p4 p6 dir=$BATS_TEST_TMPDIR
	p4=$(fact port4) p6=$(fact port6)
	evs connect 'fd, sock, addr, ret, errno'
	assert_line -n 0 "{\"fd\":$(fact fd-ok),\"sock\":$TCP4,\"addr\":\"127.0.0.1:$p4\",\"ret\":0,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$(fact fd-refused),\"sock\":$TCP6,\"addr\":\"[::1]:$p6\",\"ret\":-1,\"errno\":\"ECONNREFUSED\"}"
	evs connect 'sock, addr, ret, errno'
	assert_line -n 2 "{\"sock\":$USTREAM,\"addr\":\"$dir/listener\",\"ret\":0,\"errno\":null}"
	assert_line -n 3 "{\"sock\":$USTREAM,\"addr\":\"$dir/missing\",\"ret\":-1,\"errno\":\"ENOENT\"}"
}

@test "bind: success, EADDRINUSE on a port and a path in use, abstract and unnamed unix addresses" {
	both calls_driver bind
	local dir=$BATS_TEST_TMPDIR
	evs bind 'addr, ret, errno'
	# The first bind is the listener the driver sets up.
	assert_line -n 1 '{"addr":"127.0.0.1:0","ret":0,"errno":null}'
	assert_line -n 2 "{\"addr\":\"127.0.0.1:$(fact port-used)\",\"ret\":-1,\"errno\":\"EADDRINUSE\"}"
	assert_line -n 3 "{\"addr\":\"$dir/bound\",\"ret\":0,\"errno\":null}"
	assert_line -n 4 "{\"addr\":\"$dir/bound\",\"ret\":-1,\"errno\":\"EADDRINUSE\"}"
	assert_line -n 5 "{\"addr\":\"@netshim-calls-$(fact abstract-pid)\",\"ret\":0,\"errno\":null}"
	assert_line -n 6 '{"addr":"","ret":0,"errno":null}'
	run jq -c "select(.call == \"bind\" and .fd == $(fact fd-ok)) | .sock" "$T"
	assert_output "$TCP4"
}

@test "listen: backlog on TCP, EOPNOTSUPP on UDP" {
	both calls_driver listen
	evs listen 'fd, sock, backlog, ret, errno'
	assert_line -n 0 "{\"fd\":$(fact fd-tcp),\"sock\":$TCP4,\"backlog\":7,\"ret\":0,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$(fact fd-udp),\"sock\":$UDP4,\"backlog\":3,\"ret\":-1,\"errno\":\"EOPNOTSUPP\"}"
	[ "${#lines[@]}" = 2 ]
}

@test "accept: peer address, NULL address, EINVAL when not listening, EAGAIN when empty; the new fd is a TCP socket" {
	both calls_driver accept
	evs accept 'fd, sock, addr, ret, errno'
	local l; l=$(fact fd-listener)
	assert_line -n 0 "{\"fd\":$l,\"sock\":$TCP4,\"addr\":\"127.0.0.1:$(fact client-port)\",\"ret\":8,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$l,\"sock\":$TCP4,\"addr\":null,\"ret\":9,\"errno\":null}"
	assert_line -n 2 --regexp '^\{"fd":5,.*"addr":null,"ret":-1,"errno":"EINVAL"\}$'
	assert_line -n 3 --regexp '^\{"fd":4,.*"addr":null,"ret":-1,"errno":"EAGAIN"\}$'
	assert_equal "$(grep accept-ok "$OUT")" "accept-ok ret=8 errno=EDOM"
	evs shutdown 'fd, sock, how, ret'
	assert_output "{\"fd\":8,\"sock\":$TCP4,\"how\":\"SHUT_WR\",\"ret\":0}"
}

@test "accept4: SOCK_CLOEXEC reaches the kernel and is shown; bad flags are EINVAL" {
	both calls_driver accept4
	grep -qx 'accept4-cloexec-set ret=1 errno=EDOM' "$OUT"
	evs accept4 'fd, sock, addr, flags, ret, errno'
	assert_line -n 0 "{\"fd\":$(fact fd-listener),\"sock\":$TCP6,\"addr\":\"[::1]:$(fact client-port)\",\"flags\":\"SOCK_CLOEXEC\",\"ret\":5,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$(fact fd-listener),\"sock\":$TCP6,\"addr\":null,\"flags\":\"0x1\",\"ret\":-1,\"errno\":\"EINVAL\"}"
}

@test "shutdown: success on a connected pair, ENOTCONN and EINVAL failures" {
	both calls_driver shutdown
	evs shutdown 'fd, sock, how, ret, errno'
	assert_line -n 0 "{\"fd\":$(fact fd-pair),\"sock\":$USTREAM,\"how\":\"SHUT_WR\",\"ret\":0,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$(fact fd-tcp),\"sock\":$TCP4,\"how\":\"SHUT_RD\",\"ret\":-1,\"errno\":\"ENOTCONN\"}"
	assert_line -n 2 "{\"fd\":$(fact fd-pair),\"sock\":$USTREAM,\"how\":7,\"ret\":-1,\"errno\":\"EINVAL\"}"
}

@test "setsockopt: integer and string values, ENOPROTOOPT for a bad level, EINVAL for a short optlen" {
	both calls_driver setsockopt
	local fd; fd=$(fact fd)
	evs setsockopt 'fd, sock, level, option, value, optlen, ret, errno'
	assert_line -n 0 "{\"fd\":$fd,\"sock\":$TCP4,\"level\":\"IPPROTO_TCP\",\"option\":\"TCP_NODELAY\",\"value\":1,\"optlen\":4,\"ret\":0,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$fd,\"sock\":$TCP4,\"level\":12345,\"option\":1,\"value\":1,\"optlen\":4,\"ret\":-1,\"errno\":\"ENOPROTOOPT\"}"
	assert_line -n 2 "{\"fd\":$fd,\"sock\":$TCP4,\"level\":\"IPPROTO_TCP\",\"option\":\"TCP_CONGESTION\",\"value\":\"reno\",\"optlen\":4,\"ret\":0,\"errno\":null}"
	assert_line -n 3 "{\"fd\":$fd,\"sock\":$TCP4,\"level\":\"SOL_SOCKET\",\"option\":\"SO_RCVBUF\",\"value\":null,\"optlen\":2,\"ret\":-1,\"errno\":\"EINVAL\"}"
	# No value key at all when optlen is not an int's.
	run jq -c 'select(.option == "SO_RCVBUF") | has("value")' "$T"
	assert_output false
}

@test "getsockopt: the value the kernel returned, no value and optlen 0 on ENOPROTOOPT" {
	both calls_driver getsockopt
	local fd cc
	fd=$(fact fd)
	cc=$(sed -n 's/^value \([a-z0-9]*\)$/\1/p' "$OUT")
	evs getsockopt 'fd, sock, level, option, value, optlen, ret, errno'
	assert_line -n 0 "{\"fd\":$fd,\"sock\":$TCP4,\"level\":\"SOL_SOCKET\",\"option\":\"SO_TYPE\",\"value\":1,\"optlen\":4,\"ret\":0,\"errno\":null}"
	assert_line -n 1 --regexp "^\{\"fd\":$fd,.*\"option\":\"TCP_CONGESTION\",\"value\":\"$cc\",\"optlen\":[0-9]+,\"ret\":0,\"errno\":null\}$"
	assert_line -n 2 "{\"fd\":$fd,\"sock\":$TCP4,\"level\":\"SOL_SOCKET\",\"option\":9999,\"value\":null,\"optlen\":0,\"ret\":-1,\"errno\":\"ENOPROTOOPT\"}"
	run jq -c 'select(.call == "getsockopt" and .ret != 0) | has("value")' "$T"
	assert_output false
}

@test "sendto: traced with a destination or MSG_FASTOPEN (TFO to a loopback listener, ECONNREFUSED to a closed port), not without" {
	both calls_driver sendto
	local u p
	u=$(fact fd-udp) p=$(fact port-udp)
	evs sendto 'fd, sock, len, flags, addr, ret, errno'
	assert_line -n 0 "{\"fd\":$u,\"sock\":$UDP4,\"len\":5,\"flags\":\"0\",\"addr\":\"127.0.0.1:$p\",\"ret\":5,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$u,\"sock\":$UDP4,\"len\":1,\"flags\":\"0\",\"addr\":\"[::1]:$p\",\"ret\":-1,\"errno\":\"EAFNOSUPPORT\"}"
	assert_line -n 2 "{\"fd\":$(fact fd-tfo),\"sock\":$TCP4,\"len\":3,\"flags\":\"MSG_NOSIGNAL|MSG_FASTOPEN\",\"addr\":\"127.0.0.1:$(fact port-listener)\",\"ret\":3,\"errno\":null}"
	assert_line -n 3 "{\"fd\":$(fact fd-tfo),\"sock\":$TCP4,\"len\":4,\"flags\":\"MSG_FASTOPEN\",\"addr\":null,\"ret\":-1,\"errno\":\"EISCONN\"}"
	assert_line -n 4 "{\"fd\":8,\"sock\":$TCP4,\"len\":3,\"flags\":\"MSG_FASTOPEN\",\"addr\":\"127.0.0.1:$(fact port-closed)\",\"ret\":-1,\"errno\":\"ECONNREFUSED\"}"
	# sendto(NULL, 0) and send() on the connected socket: no events.
	[ "${#lines[@]}" = 5 ]
	grep -qx 'sendto-no-dest ret=5 errno=EDOM' "$OUT"
}

@test "sendmsg: traced with msg_name (bytes of all iovecs), EINVAL and ENOENT failures, nothing without a destination" {
	both calls_driver sendmsg
	local u; u=$(fact fd-udp)
	evs sendmsg 'fd, sock, len, flags, addr, ret, errno'
	assert_line -n 0 "{\"fd\":$u,\"sock\":$UDP4,\"len\":7,\"flags\":\"0\",\"addr\":\"127.0.0.1:$(fact port-udp)\",\"ret\":7,\"errno\":null}"
	[ "${#lines[@]}" = 3 ]
	# Failures: len is not asserted (the kernel did not take the iovec).
	evs sendmsg 'fd, sock, flags, addr, ret, errno'
	assert_line -n 1 "{\"fd\":$u,\"sock\":$UDP4,\"flags\":\"0\",\"addr\":\"AF_INET len=4\",\"ret\":-1,\"errno\":\"EINVAL\"}"
	assert_line -n 2 "{\"fd\":$(fact fd-unix),\"sock\":$UDGRAM,\"flags\":\"0\",\"addr\":\"$BATS_TEST_TMPDIR/missing\",\"ret\":-1,\"errno\":\"ENOENT\"}"
	grep -qx 'sendmsg-no-dest ret=7 errno=EDOM' "$OUT"
}

@test "getaddrinfo/freeaddrinfo: numeric success with results, EAI_NONAME for .invalid and a bad numeric host" {
	both calls_dns basic
	evs getaddrinfo 'node, service, hints, results, error, ret, errno'
	assert_line -n 0 '{"node":"127.0.0.1","service":"80","hints":{"family":"AF_INET","socktype":"SOCK_STREAM","protocol":"IPPROTO_IP","flags":"AI_NUMERICHOST"},"results":[{"family":"AF_INET","addr":"127.0.0.1:80"}],"error":null,"ret":0,"errno":null}'
	assert_line -n 1 '{"node":"nonexistent.invalid","service":"80","hints":null,"results":null,"error":"EAI_NONAME","ret":-2,"errno":null}'
	assert_line -n 2 --regexp '^\{"node":"not-a-number","service":null,"hints":\{.*\},"results":null,"error":"EAI_NONAME","ret":-2,"errno":null\}$'
	run jq -c 'select(.call == "getaddrinfo" and .ret != 0) | has("results")' "$T"
	assert_output - <<-EOF
		false
		false
	EOF
	run jq -c 'select(.call == "freeaddrinfo") | del(.ts, .pid, .tid, .dur_ns)' "$T"
	assert_output '{"prog":"calls_dns","call":"freeaddrinfo","ret":0,"errno":null}'
}

@test "gethostbyname/gethostbyname2: results without port, HOST_NOT_FOUND with h_errno kept for the program" {
	both calls_dns basic
	grep -qx 'gethostbyname-invalid he=NULL first= h_errno=1 errno=.*' "$OUT"
	evs gethostbyname 'node, results, error, ret, errno'
	assert_line -n 0 '{"node":"127.0.0.1","results":[{"family":"AF_INET","addr":"127.0.0.1"}],"error":null,"ret":0,"errno":null}'
	assert_line -n 1 '{"node":"nonexistent.invalid","results":null,"error":"HOST_NOT_FOUND","ret":-1,"errno":null}'
	evs gethostbyname2 'node, family, results, error, ret'
	assert_line -n 0 '{"node":"::1","family":"AF_INET6","results":[{"family":"AF_INET6","addr":"::1"}],"error":null,"ret":0}'
	assert_line -n 1 '{"node":"nonexistent.invalid","family":"AF_INET6","results":null,"error":"HOST_NOT_FOUND","ret":-1}'
}

@test "getnameinfo: host and serv on success, EAI_FAMILY for a one-byte address" {
	both calls_dns basic
	evs getnameinfo 'addr, flags, host, serv, error, ret, errno'
	assert_line -n 0 '{"addr":"127.0.0.1:80","flags":"NI_NUMERICHOST|NI_NUMERICSERV","host":"127.0.0.1","serv":"80","error":null,"ret":0,"errno":null}'
	assert_line -n 1 '{"addr":"short:1","flags":"NI_NUMERICHOST","host":null,"serv":null,"error":"EAI_FAMILY","ret":-6,"errno":null}'
}

@test "lookups: sockets NSS opens inside them are not traced" {
	both calls_dns basic
	run jq -r '.call' "$T"
	refute_line socket
	refute_line connect
	refute_line close
	refute_line sendto
	refute_line sendmsg
}

@test "close: a known socket is traced; a bad fd, a closed socket, a pipe, dup/F_DUPFD of a pipe and fcntl(F_GETFL/F_SETFD) are not" {
	both calls_driver close
	grep -qx 'close-bad-fd ret=-1 errno=EBADF' "$OUT"
	grep -qx 'close-pipe ret=0 errno=EDOM' "$OUT"
	evs close 'fd, sock, ret, errno'
	assert_line -n 0 "{\"fd\":$(fact fd-sock),\"sock\":$TCP4,\"ret\":0,\"errno\":null}"
	# The only other close is the stale socket's (closed behind our back).
	assert_line -n 1 --regexp "^\{\"fd\":$(fact fd-stale),\"sock\":.*,\"ret\":-1,\"errno\":\"EBADF\"\}$"
	[ "${#lines[@]}" = 2 ]
	assert_equal "$(ncalls dup)" 0
	assert_equal "$(ncalls fcntl)" 0
}

@test "close of a socket closed behind our back fails EBADF and shows sock null" {
	both calls_driver close
	evs close 'fd, sock, ret, errno'
	assert_line -n 1 "{\"fd\":$(fact fd-stale),\"sock\":null,\"ret\":-1,\"errno\":\"EBADF\"}"
}

@test "close_range: EINVAL for first > last and bad flags, CLOEXEC keeps the entry, a real close forgets both sockets" {
	both calls_driver close_range
	local a b
	a=$(fact fd-first) b=$(fact fd-last)
	evs close_range 'first, last, flags, ret, errno'
	assert_line -n 0 "{\"first\":$b,\"last\":$a,\"flags\":\"0\",\"ret\":-1,\"errno\":\"EINVAL\"}"
	assert_line -n 1 "{\"first\":$a,\"last\":$b,\"flags\":\"0x80\",\"ret\":-1,\"errno\":\"EINVAL\"}"
	assert_line -n 2 "{\"first\":$a,\"last\":$a,\"flags\":\"CLOSE_RANGE_CLOEXEC\",\"ret\":0,\"errno\":null}"
	assert_line -n 3 "{\"first\":$a,\"last\":$b,\"flags\":\"0\",\"ret\":0,\"errno\":null}"
	grep -qx 'getfd-first ret=-1 errno=EBADF' "$OUT"
	# A raw AF_UNIX socket now has the first number: the table must not
	# still call it TCP.
	evs shutdown 'fd, sock, ret'
	assert_output "{\"fd\":$a,\"sock\":$UDGRAM,\"ret\":0}"
}

@test "closefrom: traced with lowfd, closes and forgets the sockets, tracing goes on" {
	both calls_driver closefrom
	local a; a=$(fact fd-low)
	evs closefrom 'lowfd, ret, errno'
	assert_output "{\"lowfd\":$a,\"ret\":0,\"errno\":null}"
	grep -qx 'getfd-low ret=-1 errno=EBADF' "$OUT"
	evs shutdown 'fd, sock, ret'
	assert_output "{\"fd\":$a,\"sock\":$UDGRAM,\"ret\":0}"
}

@test "dup, dup2, dup3, fcntl(F_DUPFD, F_DUPFD_CLOEXEC): success and EBADF/EINVAL failures on a known socket" {
	both calls_driver dup
	local s; s=$(fact fd-tcp)
	evs dup 'fd, sock, ret, errno'
	assert_line -n 0 "{\"fd\":$s,\"sock\":$TCP4,\"ret\":6,\"errno\":null}"
	evs dup2 'fd, newfd, ret, errno'
	assert_line -n 0 "{\"fd\":$s,\"newfd\":40,\"ret\":40,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$s,\"newfd\":-1,\"ret\":-1,\"errno\":\"EBADF\"}"
	assert_line -n 2 "{\"fd\":$s,\"newfd\":$s,\"ret\":$s,\"errno\":null}"
	evs dup3 'fd, sock, newfd, flags, ret, errno'
	assert_line -n 0 "{\"fd\":$s,\"sock\":$TCP4,\"newfd\":41,\"flags\":\"O_CLOEXEC\",\"ret\":41,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$s,\"sock\":$TCP4,\"newfd\":$s,\"flags\":\"0\",\"ret\":-1,\"errno\":\"EINVAL\"}"
	assert_line -n 2 --regexp "^\{\"fd\":$s,\"sock\":.*,\"newfd\":42,\"flags\":\"0x1\",\"ret\":-1,\"errno\":\"EINVAL\"\}$"
	evs fcntl 'fd, sock, cmd, arg, ret, errno'
	assert_line -n 0 "{\"fd\":$s,\"sock\":$TCP4,\"cmd\":\"F_DUPFD\",\"arg\":50,\"ret\":50,\"errno\":null}"
	assert_line -n 1 "{\"fd\":$s,\"sock\":$TCP4,\"cmd\":\"F_DUPFD_CLOEXEC\",\"arg\":60,\"ret\":60,\"errno\":null}"
	evs fcntl 'fd, sock, cmd, ret, errno'
	assert_line -n 2 "{\"fd\":$s,\"sock\":$TCP4,\"cmd\":\"F_DUPFD\",\"ret\":-1,\"errno\":\"EINVAL\"}"
}

@test "fcntl(F_DUPFD) with a negative arg shows the int the kernel used" {
	both calls_driver dup
	run jq -c 'select(.call == "fcntl" and .ret == -1 and .errno == "EINVAL") | .arg' "$T"
	assert_output -- -1
}

@test "fd table: dup/dup2/F_DUPFD copies follow the socket, dup2 over a socket makes the number the new one" {
	both calls_driver dup
	run jq -c 'select(.call == "listen" and .fd == 6) | .sock' "$T"
	assert_output "$TCP4"
	run jq -c 'select(.call == "close" and .fd == 6) | .sock' "$T"
	assert_output "$TCP4"
	# 40 was a dup2 copy of the TCP socket, then the UDP one was dup2'd on it.
	evs shutdown 'fd, sock, ret, errno'
	assert_output "{\"fd\":40,\"sock\":$UDP4,\"ret\":-1,\"errno\":\"ENOTCONN\"}"
}

@test "fd table: a dup2 failing EBADF for a bad newfd does not forget the old socket" {
	both calls_driver dup
	# dup2(s, -1) came first; dup3(s, 41) after it still knows s.
	run jq -c 'select(.call == "dup3" and .newfd == 41) | .sock' "$T"
	assert_output "$TCP4"
}

@test "fd table: dup and F_DUPFD of a socket closed behind our back fail EBADF, show sock null and forget it" {
	both calls_driver dup
	local st; st=$(fact fd-stale)
	run jq -c "select(.fd == $st and (.call == \"dup\" or .call == \"fcntl\")) | {call, sock, errno}" "$T"
	assert_line -n 0 '{"call":"dup","sock":null,"errno":"EBADF"}'
	# Forgotten by then: fcntl on the number is no longer a known socket's.
	[ "${#lines[@]}" = 1 ]
}

@test "fd table: after a raw close, a new socket of another type on the same number shows the new type" {
	both calls_driver stale
	local n; n=$(fact fd-reused)
	grep -qx "socket-reuse ret=$n errno=EDOM" "$OUT"
	evs shutdown 'fd, sock, ret'
	assert_output "{\"fd\":$n,\"sock\":$UDGRAM,\"ret\":0}"
}

@test "fd table: a stale number that is now a regular file fails ENOTSOCK with sock null and is forgotten" {
	both calls_driver stale
	local n; n=$(fact fd-file)
	grep -qx "open-file ret=$n errno=EDOM" "$OUT"
	evs setsockopt 'fd, sock, ret, errno'
	assert_output "{\"fd\":$n,\"sock\":null,\"ret\":-1,\"errno\":\"ENOTSOCK\"}"
	# close() of the file: the number is no known socket any more.
	run jq -c "select(.call == \"close\" and .fd == $n)" "$T"
	assert_output ""
}

@test "fd table: a socket made by a raw system call is learned from the kernel" {
	both calls_driver stale
	evs listen 'fd, sock, backlog, ret'
	assert_output "{\"fd\":$(fact fd-raw),\"sock\":$TCP6,\"backlog\":2,\"ret\":0}"
}

@test "fd table: a socket inherited across exec is learned from the kernel" {
	both calls_driver exec
	local n; n=$(fact fd-inherited)
	grep -qx 'bind-inherited ret=0 errno=EDOM' "$OUT"
	evs bind 'fd, sock, addr, ret, errno'
	assert_output "{\"fd\":$n,\"sock\":$UDP4,\"addr\":\"127.0.0.1:0\",\"ret\":0,\"errno\":null}"
	# Both images traced: the socket() before exec and the bind after it.
	run jq -s -c 'map(.pid) | unique | length' "$T"
	assert_output 1
}

@test "bad arguments: connect/bind with NULL, lengths 0, 1, 8 and family 255 behave as bare and decode safely" {
	both calls_badargs connect
	evs connect 'addr, ret, errno'
	assert_line -n 0 '{"addr":null,"ret":-1,"errno":"EFAULT"}'
	assert_line -n 1 '{"addr":"short:0","ret":-1,"errno":"EINVAL"}'
	assert_line -n 2 '{"addr":"short:1","ret":-1,"errno":"EINVAL"}'
	assert_line -n 3 '{"addr":"AF_INET len=8","ret":-1,"errno":"EINVAL"}'
	assert_line -n 4 '{"addr":"255 len=16","ret":-1,"errno":"EAFNOSUPPORT"}'
	assert_line -n 5 --regexp '^\{"addr":.*,"ret":-1,"errno":"EINVAL"\}$'
	evs bind 'addr, ret, errno'
	assert_output '{"addr":null,"ret":-1,"errno":"EINVAL"}'
}

@test "bad arguments: setsockopt/getsockopt with huge, zero or short lengths and NULL pointers get the bare errno" {
	both calls_badargs sockopt
	evs setsockopt 'option, value, optlen, ret, errno'
	assert_line -n 0 '{"option":"TCP_NODELAY","value":null,"optlen":1073741824,"ret":0,"errno":null}'
	assert_line -n 1 '{"option":"IP_OPTIONS","value":null,"optlen":1073741824,"ret":-1,"errno":"EINVAL"}'
	assert_line -n 2 --regexp '^\{"option":"SO_RCVBUF","value":null,"optlen":4,"ret":-1,"errno":"EFAULT"\}$'
	assert_line -n 3 '{"option":"SO_RCVBUF","value":null,"optlen":0,"ret":-1,"errno":"EINVAL"}'
	evs getsockopt 'option, value, optlen, ret, errno'
	assert_line -n 0 '{"option":"SO_TYPE","value":null,"optlen":0,"ret":-1,"errno":"EFAULT"}'
	assert_line -n 1 '{"option":"SO_TYPE","value":null,"optlen":0,"ret":-1,"errno":"EFAULT"}'
	assert_line -n 2 '{"option":"SO_TYPE","value":null,"optlen":0,"ret":0,"errno":null}'
	assert_line -n 3 '{"option":"SO_TYPE","value":null,"optlen":2,"ret":0,"errno":null}'
}

@test "bad arguments: accept with a 4-byte address buffer shows only what was written" {
	both calls_badargs accept-short
	grep -qx 'len 16' "$OUT"
	evs accept 'addr, ret, errno'
	assert_line -n 0 --regexp '^\{"addr":"AF_INET len=4","ret":[0-9]+,"errno":null\}$'
	assert_line -n 1 --regexp '^\{"addr":null,"ret":[0-9]+,"errno":null\}$'
}

@test "bad lengths: connect and sendto with a unix address longer than its buffer do not make the shim read past it" {
	both calls_badargs guard-connect
	run jq -c 'select(.call == "connect") | {ret, errno}' "$T"
	assert_output '{"ret":-1,"errno":"EINVAL"}'
	both calls_badargs guard-sendto
	run jq -c 'select(.call == "sendto") | {ret, errno}' "$T"
	assert_output '{"ret":-1,"errno":"EINVAL"}'
}

@test "bad lengths: string socket options with optlen beyond the string do not make the shim read past it" {
	both calls_badargs guard-congestion
	run jq -c 'select(.call == "setsockopt") | {option, value, ret}' "$T"
	assert_output '{"option":"TCP_CONGESTION","value":"reno","ret":0}'
	need_root
	both calls_badargs guard-bindtodevice
	run jq -c 'select(.call == "setsockopt") | {option, ret}' "$T"
	assert_output '{"option":"SO_BINDTODEVICE","ret":0}'
}
