#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim doctor: each check against a setting made in a namespace of ours.

load common

bats_require_minimum_version 1.5.0

setup() {
	NETSHIM=$NS_BUILDDIR/netshim
	export NETSHIM
}

# in_netns SCRIPT: SCRIPT run by sh -e in a new network namespace, so that
# what doctor reads is what SCRIPT set; bats' run gets its status and output.
in_netns() {
	need_root
	run unshare -n sh -ec "$1"
}

# need_mptcp: the MPTCP checks need a kernel with MPTCP.
need_mptcp() {
	[ -e /proc/sys/net/mptcp/enabled ] || skip "kernel without MPTCP"
}

# with_gai FILE: doctor in a private mount namespace where FILE is
# /etc/gai.conf.
with_gai() {
	need_root
	[ -e /etc/gai.conf ] || skip "no /etc/gai.conf to mount over"
	run unshare -m sh -ec 'mount --bind "$1" /etc/gai.conf
		exec "$NETSHIM" doctor' sh "$1"
}

@test "--help describes the command on stdout" {
	run "$NETSHIM" doctor --help
	assert_success
	assert_line "Usage: netshim doctor [OPTION]... [PROGRAM]"
	assert_line --partial "--json"
	assert_line --partial "NO_COLOR"
}

@test "bad options and arguments are usage errors, exit 2" {
	run "$NETSHIM" doctor --bogus
	assert_failure 2
	assert_line "netshim doctor: unrecognized option '--bogus'"
	assert_line "Try 'netshim doctor --help' for more information."
	run "$NETSHIM" doctor -x
	assert_failure 2
	assert_line "netshim doctor: invalid option -- 'x'"
	run "$NETSHIM" doctor --json=yes
	assert_failure 2
	run "$NETSHIM" doctor --color=sometimes
	assert_failure 2
	assert_line --partial "--color=sometimes is not one of always, never, auto"
	run "$NETSHIM" doctor /bin/true /bin/false
	assert_failure 2
	assert_line --partial "one PROGRAM at most"
}

@test "a PROGRAM that is not there fails with exit 1 and no findings" {
	run --separate-stderr "$NETSHIM" doctor no-such-program-netshim
	assert_failure 1
	assert_output ""
	[ "$stderr" = "netshim doctor: no-such-program-netshim: not found in PATH" ]
}

@test "findings are aligned: level, check, message at column 18" {
	run "$NETSHIM" doctor
	assert_success
	[ "${#lines[@]}" -ge 7 ]
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^(OK\ \ |NOTE|WARN)\ \ [a-z0-9.-]{1,9}\ +[^\ ] ]] ||
			[[ "$l" =~ ^\ {17}[^\ ] ]] ||
			fail "neither a finding nor advice: $l"
		[ "${l:16:1}" = " " ] && [ "${l:17:1}" != " " ] ||
			fail "message not at column 18: $l"
	done
}

@test "net.mptcp.enabled=0 in a namespace: MPTCP disabled, sockets refused" {
	need_mptcp
	in_netns 'sysctl -qw net.mptcp.enabled=0; exec "$NETSHIM" doctor'
	assert_success
	assert_line "NOTE  mptcp      net.mptcp.enabled=0: MPTCP is disabled, socket(IPPROTO_MPTCP) fails with ENOPROTOOPT"
	assert_line --partial "NETSHIM_MPTCP=fallback"
	assert_line "NOTE  mptcp-tfo  the kernel refuses MPTCP sockets (ENOPROTOOPT), so TCP_FASTOPEN on one was not tried"
}

@test "net.mptcp.enabled=1 in a namespace: MPTCP sockets available" {
	need_mptcp
	in_netns 'sysctl -qw net.mptcp.enabled=1; exec "$NETSHIM" doctor'
	assert_success
	assert_line "OK    mptcp      net.mptcp.enabled=1: programs can make IPPROTO_MPTCP sockets"
	refute_line --partial "MPTCP is disabled"
}

@test "net.ipv4.tcp_fastopen=3: both bits spelled out" {
	in_netns 'sysctl -qw net.ipv4.tcp_fastopen=3; exec "$NETSHIM" doctor'
	assert_success
	assert_line "OK    tfo        net.ipv4.tcp_fastopen=3 (0x1 client, 0x2 server): client and server side on"
}

@test "net.ipv4.tcp_fastopen=1541: every bit but the server's, spelled out" {
	in_netns 'sysctl -qw net.ipv4.tcp_fastopen=1541; exec "$NETSHIM" doctor'
	assert_success
	assert_line "OK    tfo        net.ipv4.tcp_fastopen=1541 (0x1 client, 0x4 client without cookie, 0x200 server without cookie, 0x400 server on listeners without TCP_FASTOPEN): client side on; server side off, so TCP_FASTOPEN on a listener is accepted and has no effect"
}

@test "net.ipv4.tcp_fastopen=0: a warning that client TFO fails, and the fix" {
	in_netns 'sysctl -qw net.ipv4.tcp_fastopen=0; exec "$NETSHIM" doctor'
	assert_success
	assert_line "WARN  tfo        net.ipv4.tcp_fastopen=0 (no bits): client side off, TCP_FASTOPEN_CONNECT and sendto(MSG_FASTOPEN) fail with EOPNOTSUPP"
	assert_line --regexp '^ {17}NETSHIM_TFO=drop .*net.ipv4.tcp_fastopen=1$'
}

@test "the live probe: TCP_FASTOPEN on MPTCP as this kernel answers it" {
	need_mptcp
	need_root
	# What the kernel says, asked without netshim.
	expect=$(unshare -n python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
try:
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 5)
    print("accepts")
except OSError:
    print("refuses")')
	in_netns 'exec "$NETSHIM" doctor'
	assert_success
	if [ "$expect" = accepts ]; then
		assert_line "OK    mptcp-tfo  the kernel accepts TCP_FASTOPEN on an MPTCP socket (live probe)"
	else
		assert_line --regexp '^WARN  mptcp-tfo  the kernel refuses TCP_FASTOPEN'
	fi
}

@test "the live probe under a 6.1-like kernel: ENOPROTOOPT and the fixes" {
	need_mptcp
	[ "$(uname -m)" = x86_64 ] || skip "pol_mptcp61 filters x86_64 system calls only"
	run "$NS_TESTBIN/pol_mptcp61" "$NETSHIM" doctor
	assert_success
	assert_line "WARN  mptcp-tfo  the kernel refuses TCP_FASTOPEN on an MPTCP socket with ENOPROTOOPT, as Linux 6.1 does: a Go 1.24 server, which listens with MPTCP by default, stops on it"
	assert_line --regexp '^ {17}C, C\+\+, Python, Java: NETSHIM_TFO=retry .*NETSHIM_MPTCP=fallback .*NETSHIM_MPTCP=strip'
	assert_line --regexp '^ {17}Go .*GODEBUG=multipathtcp=0'
}

@test "a namespace with only lo: lo down, no default routes" {
	in_netns 'exec "$NETSHIM" doctor'
	assert_success
	assert_line "WARN  loopback   lo is down: connections to 127.0.0.1 and ::1 (localhost) fail"
	assert_line "NOTE  route4     no IPv4 default route: only the networks on this host's interfaces are reachable over IPv4"
	assert_line "NOTE  route6     no IPv6 default route, and no global IPv6 address: names are dialled over IPv4"
	assert_line "NOTE  ipv6       no global or unique-local IPv6 address (0 link-local)"
}

@test "lo up, then lo without IPv6" {
	in_netns 'ip link set lo up; exec "$NETSHIM" doctor'
	assert_line "OK    loopback   lo is up, with ::1"
	in_netns 'ip link set lo up
		sysctl -qw net.ipv6.conf.lo.disable_ipv6=1
		exec "$NETSHIM" doctor'
	assert_success
	assert_line --regexp '^WARN  loopback   lo is up but has no ::1 '
	assert_line "NOTE  ipv6       disable_ipv6=1 on: lo"
}

# The veth pair v0/v1 with 2001:db8::1 on v0 (nodad: usable at once).
VETH='ip link set lo up
	ip link add v0 type veth peer name v1
	ip link set v0 up
	ip link set v1 up
	ip addr add 2001:db8::1/64 dev v0 nodad
'

@test "an IPv6 address without an IPv6 default route: the warning" {
	in_netns "$VETH"'exec "$NETSHIM" doctor'
	assert_success
	assert_line --regexp '^OK    ipv6       1 global IPv6 address \(2001:db8::1 on v0\), 0 unique-local, [0-9]+ link-local$'
	assert_line "WARN  route6     no IPv6 default route, yet a global IPv6 address (2001:db8::1 on v0): a program that dials a name's IPv6 address first (RFC 6724) gets ENETUNREACH"
	assert_line --regexp '^ {17}NETSHIM_PREFER=ipv4 .*NETSHIM_FAMILY=ipv4'
}

@test "with IPv4 and IPv6 default routes: no warning, both routes named" {
	in_netns "$VETH"'ip addr add 192.0.2.1/24 dev v0
		ip route add default via 192.0.2.2
		ip -6 route add default via 2001:db8::2 dev v0
		exec "$NETSHIM" doctor'
	assert_success
	assert_line "OK    route4     IPv4 default route via 192.0.2.2 dev v0"
	assert_line --regexp '^NOTE  route6     IPv6 default route via 2001:db8::2 dev v0: dual-stack names are dialled IPv6 first'
	refute_line --regexp '^WARN  route6'
}

@test "only a unique-local IPv6 address: IPv4 is dialled first" {
	in_netns 'ip link add v0 type veth peer name v1
		ip link set v0 up
		ip addr add fd00:db8::1/64 dev v0 nodad
		exec "$NETSHIM" doctor'
	assert_success
	assert_line --regexp '^NOTE  ipv6       only unique-local IPv6 addresses \(fd00:db8::1 on v0\): '
}

@test "/etc/gai.conf precedence and label lines are reported, comments not" {
	f=$BATS_TEST_TMPDIR/gai.conf
	printf '%s\n' '# precedence ::1/128 50' 'reload no' \
		'precedence ::ffff:0:0/96 100' '  label ::1/128 0  # loopback' \
		'#label 2002::/16 2' > "$f"
	with_gai "$f"
	assert_success
	assert_line "NOTE  gai.conf   /etc/gai.conf:3: precedence ::ffff:0:0/96 100: IPv4 addresses are sorted before IPv6 ones"
	assert_line "NOTE  gai.conf   /etc/gai.conf:4: label ::1/128 0: glibc uses the file's label table instead of RFC 6724's"
	refute_line --partial "gai.conf:1:"
	refute_line --partial "gai.conf:5:"
	refute_line --partial "changes nothing"
	# The host's own file was not touched.
	run grep -c '^precedence ::ffff:0:0/96 100' /etc/gai.conf
	refute_output 1
}

@test "/etc/gai.conf with only comments changes nothing" {
	f=$BATS_TEST_TMPDIR/gai.conf
	printf '%s\n' '#precedence ::ffff:0:0/96 100' '' > "$f"
	with_gai "$f"
	assert_success
	assert_line "OK    gai.conf   /etc/gai.conf changes nothing: no precedence, label or scopev4 line"
}

@test "doctor PROGRAM: a dynamic program is reachable, by path or name" {
	run "$NETSHIM" doctor /usr/bin/curl
	assert_success
	assert_line "OK    program    /usr/bin/curl: dynamically linked: netshim can trace it"
	refute_line --regexp '^WARN  program'
	PATH=/usr/bin run "$NETSHIM" doctor curl
	assert_line "OK    program    /usr/bin/curl: dynamically linked: netshim can trace it"
}

@test "doctor PROGRAM: a static program is not" {
	libc=$(gcc -print-file-name=libc.a)
	[ -e "$libc" ] && [ "$libc" != libc.a ] || skip "no libc.a for gcc -static"
	printf 'int main(void) { return 0; }\n' > "$BATS_TEST_TMPDIR/s.c"
	gcc -static -o "$BATS_TEST_TMPDIR/s" "$BATS_TEST_TMPDIR/s.c"
	run "$NETSHIM" doctor "$BATS_TEST_TMPDIR/s"
	assert_success
	assert_line "WARN  program    $BATS_TEST_TMPDIR/s: statically linked: no dynamic loader, so LD_PRELOAD is ignored and the library sees nothing"
	assert_line "OK    trap       netshim run traces it in its own process (the trap front, the default, --front=auto)"
	assert_line "OK    seccomp    netshim run can trace it with its seccomp front (the fallback, --front=seccomp)"
	refute_line --partial "GODEBUG"
	refute_line --partial "secure-execution"
}

@test "doctor PROGRAM: set-user-ID of another user; root's own is fine" {
	need_root
	cp /usr/bin/true "$BATS_TEST_TMPDIR/su"
	chmod u+s "$BATS_TEST_TMPDIR/su"
	run "$NETSHIM" doctor "$BATS_TEST_TMPDIR/su"
	assert_success
	assert_line "OK    program    $BATS_TEST_TMPDIR/su: dynamically linked: netshim can trace it"
	refute_line --partial "secure-execution"
	chown 65534 "$BATS_TEST_TMPDIR/su"
	chmod u+s "$BATS_TEST_TMPDIR/su"
	run "$NETSHIM" doctor "$BATS_TEST_TMPDIR/su"
	assert_success
	assert_line "WARN  program    $BATS_TEST_TMPDIR/su: set-user-ID, owner uid 65534: run by this user, it is in secure-execution mode, where the loader ignores LD_PRELOAD paths with a slash and netshim stays silent"
	assert_line --regexp "^ {17}run it as its owner, or trace a copy: cp $BATS_TEST_TMPDIR/su /tmp/ "
}

@test "doctor PROGRAM: file capabilities, for a user other than root" {
	need_root
	command -v setcap >/dev/null || skip "no setcap"
	command -v setpriv >/dev/null || skip "no setpriv"
	# A directory the unprivileged user can reach, unlike bats' own.
	dir=$(mktemp -d /tmp/netshim-doctor.XXXXXX)
	chmod 755 "$dir"
	cp /usr/bin/true "$dir/fc"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	if ! setcap cap_net_raw+ep "$dir/fc" ||
		! as_nobody "$NETSHIM" doctor --help >/dev/null; then
		rm -rf "$dir"
		skip "no capabilities here, or netshim out of nobody's reach"
	fi
	run as_nobody "$NETSHIM" doctor "$dir/fc"
	rm -rf "$dir"
	assert_success
	assert_line "WARN  program    $dir/fc: file capabilities: run by this user, it is in secure-execution mode, where the loader ignores LD_PRELOAD paths with a slash and netshim stays silent"
}

@test "doctor PROGRAM: a #! script is judged by its interpreter" {
	printf '#!/bin/sh\necho hi\n' > "$BATS_TEST_TMPDIR/sc"
	chmod +x "$BATS_TEST_TMPDIR/sc"
	run "$NETSHIM" doctor "$BATS_TEST_TMPDIR/sc"
	assert_success
	assert_line "OK    program    $BATS_TEST_TMPDIR/sc: #! script, run by /bin/sh: what follows is about that"
	assert_line "OK    program    /bin/sh: dynamically linked: netshim can trace it"
	printf '#!/nonexistent/sh\n' > "$BATS_TEST_TMPDIR/sc"
	run "$NETSHIM" doctor "$BATS_TEST_TMPDIR/sc"
	assert_success
	assert_line "WARN  program    /nonexistent/sh: cannot read it: ENOENT"
}

@test "doctor PROGRAM: neither ELF nor script" {
	run "$NETSHIM" doctor /etc/passwd
	assert_success
	assert_line "WARN  program    /etc/passwd: neither an ELF executable nor a #! script"
}

@test "doctor PROGRAM: Go programs, static and with cgo, and the GODEBUG lines" {
	command -v go >/dev/null || skip "no Go toolchain"
	cd "$BATS_TEST_TMPDIR"
	# go needs somewhere to cache builds.
	[ -n "${HOME:-}" ] || export GOCACHE=$BATS_RUN_TMPDIR/gocache \
		GOPATH=$BATS_RUN_TMPDIR/gopath
	printf 'package main\n\nimport "net"\n\nfunc main() { net.LookupHost("localhost") }\n' > g.go
	CGO_ENABLED=0 go build -o gs g.go || skip "go build fails here"
	run "$NETSHIM" doctor "$PWD/gs"
	assert_success
	assert_line "WARN  program    $PWD/gs: statically linked Go program: no dynamic loader, so LD_PRELOAD is ignored and the library sees nothing"
	assert_line "OK    trap       netshim run traces it in its own process (the trap front, the default, --front=auto)"
	assert_line "OK    seccomp    netshim run can trace it with its seccomp front (the fallback, --front=seccomp)"
	assert_line --regexp '^ {17}GODEBUG=multipathtcp=0 '
	assert_line --regexp '^ {17}GODEBUG=netdns=cgo needs a cgo build'
	refute_line --partial "secure-execution"
	CGO_ENABLED=1 go build -o gd g.go || skip "no cgo build here"
	run "$NETSHIM" doctor "$PWD/gd"
	assert_success
	assert_line --regexp "^NOTE  program    $PWD/gd: Go program, dynamically linked \\(cgo\\)"
	assert_line --regexp '^ {17}GODEBUG=netdns=cgo '
	assert_line --regexp '^ {17}GODEBUG=multipathtcp=0 '
}

@test "--json: one object per finding, the same findings" {
	need_root
	run unshare -n sh -ec '"$NETSHIM" doctor --json /usr/bin/curl > "$1"
		exec "$NETSHIM" doctor /usr/bin/curl' sh "$BATS_TEST_TMPDIR/j"
	assert_success
	json_lines "$BATS_TEST_TMPDIR/j"
	# As many objects as findings in text, with the same messages.
	text=$(printf '%s\n' "${lines[@]}" | grep -E '^(OK|NOTE|WARN) ' |
		sed -E 's/^(OK|NOTE|WARN) +([^ ]+) +/\1 \2 /')
	json=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"level", "check", "message", "advice"}, o
    assert all(isinstance(a, str) for a in o["advice"]), o
    print(o["level"].upper(), o["check"], o["message"])' "$BATS_TEST_TMPDIR/j")
	[ "$text" = "$json" ] || fail "text and JSON differ: $text // $json"
	run grep -c '"level":"warn","check":"loopback"' "$BATS_TEST_TMPDIR/j"
	assert_output 1
}

@test "colour on a terminal, not with NO_COLOR, not in a pipe" {
	command -v script >/dev/null || skip "no script(1)"
	run script -qec "$NETSHIM doctor" /dev/null
	assert_success
	assert_output --partial $'\e[32mOK  \e[0m  mptcp'
	NO_COLOR=1 run script -qec "$NETSHIM doctor" /dev/null
	assert_success
	refute_output --partial $'\e['
	run script -qec "$NETSHIM doctor --color=never" /dev/null
	refute_output --partial $'\e['
	run script -qec "$NETSHIM doctor --json" /dev/null
	assert_output --partial '"level":"ok"'
	refute_output --partial $'\e['
	run "$NETSHIM" doctor
	refute_output --partial $'\e['
	run "$NETSHIM" doctor --color=always
	assert_output --partial $'\e[32mOK  \e[0m'
}

@test "output that cannot be written: exit 1" {
	run "$NETSHIM" doctor
	assert_success
	run sh -c '"$NETSHIM" doctor > /dev/full'
	assert_failure 1
	assert_output --partial "netshim doctor: writing the findings failed: ENOSPC"
}
