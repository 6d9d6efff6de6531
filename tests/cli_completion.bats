#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion script, contrib/completion/netshim: _netshim is called
# as bash would call it, in a bash of its own, and COMPREPLY is checked.

load common

bats_require_minimum_version 1.5.0

BASH_COMPLETION=${NS_BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
# NS_COMPLETION: another copy of the script, to try a fix.
COMPLETION=${NS_COMPLETION:-$NS_SRCDIR/contrib/completion/netshim}
NETSHIM="${NS_BUILDDIR:-$NS_SRCDIR}/netshim"

setup() {
	[ -r "$BASH_COMPLETION" ] ||
		skip "no $BASH_COMPLETION (Debian package bash-completion): _netshim needs its _init_completion, _filedir and _command_offset"
}

# complete LINE: the completions of LINE, the cursor at its end, one a line.
# The words are split as bash splits them, on blanks and around "=" (which
# is in the default COMP_WORDBREAKS), so "--mptcp=f" is three words.
complete() {
	bash --norc --noprofile -c '
		source "$1" || exit 90
		source "$2" || exit 91
		# Outside a completion bash refuses compopt; what it would set
		# (nospace, filenames) is not what these tests look at.
		compopt() { :; }
		line=$3
		words=()
		read -ra toks <<<"$line"
		for tok in "${toks[@]}"; do
			while [[ $tok == *=* ]]; do
				[[ -n ${tok%%=*} ]] && words+=("${tok%%=*}")
				words+=("=")
				tok=${tok#*=}
			done
			[[ -n $tok ]] && words+=("$tok")
		done
		[[ $line == *" " ]] && words+=("")
		COMP_WORDS=("${words[@]}")
		COMP_CWORD=$((${#words[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		COMP_TYPE=9
		COMP_KEY=9
		COMPREPLY=()
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		_netshim netshim "$cur" "$prev"
		[[ ${#COMPREPLY[@]} -gt 0 ]] && printf "%s\n" "${COMPREPLY[@]}"
		exit 0
	' complete "$BASH_COMPLETION" "$COMPLETION" "$1"
}

# sorted WORD...: the words one a line, sorted, to compare with output.
sorted() {
	printf '%s\n' "$@" | LC_ALL=C sort
}

# completes LINE WORD...: LINE completes to exactly these words.
completes() {
	local line=$1
	shift
	run --separate-stderr complete "$line"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(printf '%s\n' "$output" | LC_ALL=C sort)" \
		"$(sorted "$@")"
}

# The long options of "netshim CMD --help", "=" after those with a value.
help_options() {
	"$NETSHIM" "$1" --help |
		sed -nE 's/^ +(-[[:alnum:]], )?(--[[:alnum:]-]+)(\[?=)?.*/\2\3/p' |
		sed 's/\[=$/=/' | LC_ALL=C sort
}

@test "completion: subcommands after 'netshim '" {
	completes 'netshim ' run log report diff export doctor --help --version
	completes 'netshim r' run report
	completes 'netshim do' doctor
	completes 'netshim d' diff doctor
	completes 'netshim e' export
}

@test "completion: run's options after 'netshim run --'" {
	completes 'netshim run --' --ipv4 --ipv6 --prefer= --mptcp= --tfo= \
		--output= --json --events= --backtrace= --fail= --scenario= \
		--seed= --list-scenarios --library= --front= --raw= --help --
}

@test "completion: run offers every option of 'netshim run --help'" {
	[ -x "$NETSHIM" ] || skip "no $NETSHIM: build it first"
	run --separate-stderr complete 'netshim run --'
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -vx -- -- | LC_ALL=C sort)" \
		"$(help_options run)"
}

@test "completion: log, report, diff, export and doctor offer every option of their --help" {
	[ -x "$NETSHIM" ] || skip "no $NETSHIM: build it first"
	local cmd
	for cmd in log report diff export doctor; do
		run --separate-stderr complete "netshim $cmd --"
		assert_success
		assert_equal "$cmd: $(printf '%s\n' "$output" | LC_ALL=C sort)" \
			"$cmd: $(help_options "$cmd")"
	done
}

@test "completion: export's --format values, after '=' and after a blank" {
	completes 'netshim export --format=' perfetto otlp
	completes 'netshim export --format o' otlp
	completes 'netshim export -f p' perfetto
}

@test "completion: --mptcp values, after '=' and after a blank" {
	completes 'netshim run --mptcp=' pass strip force fallback
	completes 'netshim run --mptcp ' pass strip force fallback
	completes 'netshim run --mptcp=f' force fallback
	completes 'netshim run -4 --mptcp st' strip
}

@test "completion: --tfo and --prefer values" {
	completes 'netshim run --tfo=' pass drop retry
	completes 'netshim run --tfo ' pass drop retry
	completes 'netshim run --prefer=' none ipv4 ipv6
	completes 'netshim run --prefer=ipv' ipv4 ipv6
}

@test "completion: --front values" {
	completes 'netshim run --front=' auto preload trap seccomp
	completes 'netshim run --front ' auto preload trap seccomp
	completes 'netshim run --front=s' seccomp
}

@test "completion: --raw values" {
	completes 'netshim run --raw=' auto on off
	completes 'netshim run --raw o' on off
}

@test "completion: --scenario offers what --list-scenarios lists, in a list too" {
	[ -x "$NETSHIM" ] || skip "no $NETSHIM: build it first"
	# shellcheck disable=SC2046
	completes 'netshim run --scenario=' \
		$("$NETSHIM" run --list-scenarios | sed -n 's/^\([a-z0-9.-]*\) .*/\1/p')
	completes 'netshim run --scenario ' \
		$("$NETSHIM" run --list-scenarios | sed -n 's/^\([a-z0-9.-]*\) .*/\1/p')
	completes 'netshim run --scenario=no-ipv6,m' no-ipv6,mptcp-disabled
}

@test "completion: --fail completes the call of each rule" {
	completes 'netshim run --fail=con' connect
	completes 'netshim run --fail=get' getaddrinfo gethostbyname \
		gethostbyname2 getsockopt
	completes 'netshim run --seed=' 
}

@test "completion: log's --color values" {
	completes 'netshim log --color=' auto always never
	completes 'netshim log -f --color=a' auto always
}

@test "completion: --color takes its value after '=' only" {
	# --color[=WHEN]: getopt takes "--color always" as --color and a FILE
	# named always, so no WHEN is offered after a blank.
	run --separate-stderr complete 'netshim log --color '
	assert_success
	refute_line always
	refute_line never
}

@test "completion: --events completes the last name of the list" {
	run --separate-stderr complete 'netshim run --events=connect,d'
	assert_success
	assert_equal "$stderr" ""
	# The word readline replaces is all of "connect,d".
	assert_line connect,dns
	assert_line connect,dup2
	refute_line dns
}

@test "completion: commands after 'netshim run -- cur'" {
	command -v curl >/dev/null || skip "no curl in PATH"
	run --separate-stderr complete 'netshim run -- cur'
	assert_success
	assert_equal "$stderr" ""
	assert_line curl
	refute_output --partial -- --mptcp
}

@test "completion: the program after run's options is completed as a command" {
	command -v curl >/dev/null || skip "no curl in PATH"
	local l
	for l in 'netshim run cur' 'netshim run --json cur' \
		'netshim run --mptcp=fallback -- cur' \
		'netshim run -o /tmp/t.json cur' \
		'netshim run --mptcp fallback -4 cur'; do
		run --separate-stderr complete "$l"
		[ "$status" = 0 ] || fail "$l: status $status: $stderr"
		[ -z "$stderr" ] || fail "$l: $stderr"
		[[ $'\n'$output$'\n' == *$'\n'curl$'\n'* ]] ||
			fail "$l: no curl in: $output"
	done
}

@test "completion: the program's own arguments are not netshim's options" {
	run --separate-stderr complete 'netshim run curl --mpt'
	assert_success
	assert_equal "$stderr" ""
	refute_output --partial -- --mptcp=
}
