#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# netshim run's trap front (issue 17): which front a program gets, the one line when the trap front cannot serve it, bad input as bash says it, exit statuses and signals through the injector.

load common
bats_require_minimum_version 1.5.0

NS="$NS_BUILDDIR/netshim"
BLOB="$NS_BUILDDIR/netshim-blob"

setup_file() {
	local d=$BATS_FILE_TMPDIR
	${CC:-cc} -static -O2 -o "$d/trap_prog" \
		"$NS_SRCDIR/tests/helpers/trap_prog.c" 2>"$d/cc.log" || true
	# A program that holds the blob's address itself (trap/blob.h,
	# TRAP_BLOB_BASE): exit(7) from a page linked there.
	printf '.globl _start\n_start:\n mov $60, %%eax\n mov $7, %%edi\n syscall\n' \
		>"$d/taken.S"
	printf '.section .note.GNU-stack,"",@progbits\n' >>"$d/taken.S"
	${CC:-cc} -nostdlib -static -no-pie -Wl,-Ttext=0x6e7301000000 \
		-o "$d/taken" "$d/taken.S" 2>>"$d/cc.log" || true
	# A 32-bit x86 program, where binutils can make one.
	printf '.globl _start\n_start:\n mov $1, %%eax\n mov $5, %%ebx\n int $0x80\n' \
		>"$d/m32.S"
	{ as --32 -o "$d/m32.o" "$d/m32.S" &&
		ld -m elf_i386 -o "$d/m32" "$d/m32.o"; } 2>>"$d/cc.log" || true
}

setup() {
	T=$BATS_TEST_TMPDIR
	P=$BATS_FILE_TMPDIR/trap_prog
}

need_static() {
	[ -x "$P" ] || skip "cannot link statically: $(cat "$BATS_FILE_TMPDIR/cc.log")"
}

# need_blob: the trap front's blob beside netshim (built from trap/).
need_blob() {
	need_static
	[ "$(uname -m)" = x86_64 ] || skip "the blob is x86_64 code"
	[ -f "$BLOB" ] || skip "no $BLOB built"
}

need_seccomp() {
	timeout 20 "$NS" run --front=seccomp -o off -- true 2>"$T/probe" ||
		fail "netshim run --front=seccomp true: $(cat "$T/probe")"
	if grep -q 'no seccomp front' "$T/probe"; then
		skip "$(cat "$T/probe")"
	fi
}

# ---- bad input: bash's words and statuses, with netshim's name ----

# same_as_bash STATUS MESSAGE PROGRAM: bash gives STATUS for PROGRAM, and
# netshim run the same status and "netshim run: PROGRAM: MESSAGE".
same_as_bash() {
	local want=$1 msg=$2 prog=$3

	run "-$want" bash -c "$prog"
	assert_output --partial "$prog: $msg"
	run "-$want" timeout 20 "$NS" run -- "$prog"
	assert_output "netshim run: $prog: $msg"
}

@test "bad input: missing, not found, a directory, no x bit, a binary that is no program, a missing interpreter" {
	same_as_bash 127 "No such file or directory" "$T/nothing"
	same_as_bash 127 "command not found" no-such-program-here
	mkdir "$T/dir"
	same_as_bash 126 "Is a directory" "$T/dir"
	printf 'echo hi\n' >"$T/nox"
	chmod 644 "$T/nox"
	same_as_bash 126 "Permission denied" "$T/nox"
	printf '\177XYZ\000\001 binary\n' >"$T/junk"
	chmod 755 "$T/junk"
	same_as_bash 126 "cannot execute binary file: Exec format error" "$T/junk"
	printf '#!%s/no-shell\necho hi\n' "$T" >"$T/badint"
	chmod 755 "$T/badint"
	same_as_bash 127 "cannot execute: required file not found" "$T/badint"
}

@test "bad input: a text file without #! still runs under /bin/sh, as bash and execvp(3) run it" {
	printf 'echo "text $1"\n' >"$T/plain"
	chmod 755 "$T/plain"
	run timeout 20 "$NS" run -- "$T/plain" x
	assert_success
	assert_output "text x"
}

@test "bad input through the trap front: a static program's exec fails as bash's" {
	need_blob
	run -127 timeout 20 "$NS" run --front=trap -- "$T/nothing"
	assert_output "netshim run: $T/nothing: No such file or directory"
	run -5 timeout 20 "$NS" run -- "$P" exec "$T/nothing"
	assert_line --index 1 "exec $T/nothing: No such file or directory"
}

# ---- which front ----

@test "auto: a static program gets the blob in its own process, a dynamic one the library" {
	need_blob
	run timeout 20 "$NS" run -o off -- "$P" where
	assert_success
	assert_output "blob=yes seccomp=2"
	run timeout 20 "$NS" run -o off -- sh -c 'grep -c "^6e7301" /proc/self/maps; echo "$LD_PRELOAD"'
	assert_line --index 0 0
	assert_line --index 1 --partial libnetshim.so
	# --front=preload keeps today's meaning: a line, the program bare.
	run timeout 20 "$NS" run --front=preload -o off -- "$P" where
	assert_line --index 0 "netshim run: $P is statically linked: LD_PRELOAD cannot reach it, nothing will be traced"
	assert_line --index 1 "blob=no seccomp=0"
	# --front=seccomp: netshim's filter, no blob.
	run timeout 20 "$NS" run --front=seccomp -o off -- "$P" where
	assert_output "blob=no seccomp=2"
}

@test "exec following: a static program exec'd from a traced one gets the blob; the static program's environment is its own" {
	skip_asan_dynamic_child
	need_blob
	run timeout 20 "$NS" run -o off -- "$P" exec "$P" exec "$P" where
	assert_success
	assert_output - <<-EOF
	blob=yes seccomp=2
	blob=yes seccomp=2
	blob=yes seccomp=2
	EOF
	# The run's settings go to the blob, not to the static program's
	# environment; a dynamic program it execs gets the library.
	run timeout 20 "$NS" run -o off -- "$P" env
	assert_output "LD_PRELOAD=(unset)"
	run timeout 20 "$NS" run -o off -- "$P" exec sh -c 'echo "$LD_PRELOAD"'
	assert_line --index 1 --partial libnetshim.so
}

@test "options the trap front cannot honour are named in one line at start" {
	need_blob
	run timeout 20 "$NS" run -o off --prefer=ipv6 -- "$P" exit 0
	assert_success
	assert_output "netshim run: $P runs in the trap front, which does not honour --prefer (a static program's name lookups make no call netshim sees as a lookup)"
	run timeout 20 "$NS" run -o off --raw=off -- "$P" exit 0
	assert_output "netshim run: $P runs in the trap front, which does not honour --raw=off (every call of a static program is raw)"
	run timeout 20 "$NS" run -o off --prefer=none --raw=on -- "$P" exit 0
	assert_output ""
}

# ---- fallback to the seccomp front, one line each ----

@test "fallback: netshim run under strace -f cannot ptrace (EPERM): one line, the seccomp front serves" {
	need_blob
	need_seccomp
	command -v strace >/dev/null || skip "no strace"
	run timeout 60 strace -f -o /dev/null "$NS" run -o off -- "$P" where
	assert_success
	assert_output - <<-EOF
	netshim run: $P: ptrace refused (PTRACE_TRACEME: Operation not permitted); using the seccomp front
	blob=no seccomp=2
	EOF
}

@test "fallback: the blob's address taken by the program: one line, nothing of it ran twice" {
	need_blob
	need_seccomp
	[ -x "$BATS_FILE_TMPDIR/taken" ] || skip "cannot link at the blob's address"
	run -7 timeout 20 "$NS" run -o off -- "$BATS_FILE_TMPDIR/taken"
	assert_output "netshim run: $BATS_FILE_TMPDIR/taken: the blob's address 0x6e7301000000 is in use; using the seccomp front"
}

@test "exec following: an image that cannot have the blob is killed before it runs, one line, netshim ends" {
	need_blob
	[ -x "$BATS_FILE_TMPDIR/taken" ] || skip "cannot link at the blob's address"
	run -137 timeout 20 "$NS" run -o off -- "$P" exec "$BATS_FILE_TMPDIR/taken"
	assert_line --index 0 "blob=yes seccomp=2"
	assert_line --index 1 --regexp "^netshim run: $BATS_FILE_TMPDIR/taken \(process [0-9]+, exec'd under netshim\): the blob's address 0x6e7301000000 is in use; killed\$"
}

@test "fallback: a 32-bit x86 program is not for the blob: one line" {
	need_blob
	[ -x "$BATS_FILE_TMPDIR/m32" ] || skip "no 32-bit x86 binutils"
	run timeout 20 "$NS" run -o off -- "$BATS_FILE_TMPDIR/m32"
	assert_line --index 0 "netshim run: $BATS_FILE_TMPDIR/m32: not a 64-bit x86 program; using the seccomp front"
}

@test "fallback: no blob beside netshim, or a file there that is no blob: one line naming it" {
	need_static
	mkdir -p "$T/bin"
	cp "$NS" "$T/bin/netshim"
	run timeout 20 "$T/bin/netshim" run -o off -- "$P" exit 3
	assert_failure 3
	assert_output --regexp "^netshim run: $P: no netshim-blob in /.*; using the seccomp front$"
	printf 'not a blob\n' >"$T/bin/netshim-blob"
	run -3 timeout 20 "$T/bin/netshim" run -o off -- "$P" exit 3
	assert_output "netshim run: $P: $T/bin/netshim-blob: not an ELF file; using the seccomp front"
	cp "$P" "$T/bin/netshim-blob"
	run -3 timeout 20 "$T/bin/netshim" run -o off -- "$P" exit 3
	assert_output "netshim run: $P: $T/bin/netshim-blob: a PT_LOAD segment lies outside the blob's span; using the seccomp front"
	# Where the trap front is asked for, the same line.
	run -3 timeout 20 "$T/bin/netshim" run --front=trap -o off -- "$P" exit 3
	assert_output "netshim run: $P: $T/bin/netshim-blob: a PT_LOAD segment lies outside the blob's span; using the seccomp front"
}

# ---- exit statuses and signals through the injector ----

@test "trap front: the program's exit status, its death by a signal, stdin and stdout" {
	skip_asan_dynamic_child
	need_blob
	run -3 timeout 20 "$NS" run -o off -- "$P" exit 3
	assert_output ""
	run -143 timeout 20 "$NS" run -o off -- "$P" kill 15
	run -129 timeout 20 env --default-signal=HUP "$NS" run -o off -- "$P" kill 1
	run bash -c 'echo hello | timeout 20 "$1" run -o off -- "$2" exec cat' _ "$NS" "$P"
	assert_success
	assert_line --index 1 hello
}

@test "trap front: SIGTERM and SIGHUP sent to netshim go to the program, which dies of them" {
	need_blob
	local i pid sig st
	for sig in TERM HUP; do
		# Under nohup (or a runner ignoring HUP) the program would
		# ignore it too, as bare: give it the default action.
		env --default-signal=HUP,TERM "$NS" run -o off -- "$P" sleep 20 \
			>"$T/out.$sig" 2>&1 &
		pid=$!
		for i in $(seq 100); do
			grep -q sleeping "$T/out.$sig" && break
			sleep 0.1
		done
		kill -$sig $pid
		st=0
		wait $pid || st=$?
		case $sig in
		TERM) assert_equal "$st" 143 ;;
		HUP) assert_equal "$st" 129 ;;
		esac
	done
}

@test "trap front: netshim waits for what the program leaves behind; SIGTERM then ends the wait" {
	skip_asan_dynamic_child
	need_blob
	# The daemon holds the filter: netshim serves it until it ends.
	run -4 timeout 20 "$NS" run -o off -- "$P" exec sh -c \
		'(sleep 1; echo done >"$1") >/dev/null 2>&1 & exit 4' sh "$T/d"
	run cat "$T/d"
	assert_output done
	local pid daemon root i st=0
	"$NS" run -o off -- "$P" exec sh -c \
		'sleep 60 >/dev/null 2>&1 & echo "$! $$"; exit 4' >"$T/out" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		read -r daemon root < <(sed -n 's/^\([0-9]*\) \([0-9]*\)$/\1 \2/p' "$T/out") ||
			true	# not written yet
		# The root reaped (gone) or ended (a zombie): SIGTERM is then
		# netshim's own.
		[ -n "$root" ] && { [ ! -e "/proc/$root" ] ||
			grep -q ') Z' "/proc/$root/stat"; } && break
		sleep 0.1
	done
	[ -n "$daemon" ] || { cat "$T/out"; false; }
	kill -TERM $pid
	wait $pid || st=$?
	assert_equal "$st" 4
	kill -0 "$daemon"
	kill "$daemon"
}

@test "trap front: a program that makes netshim its tracer (PTRACE_TRACEME) runs on as bare" {
	need_blob
	run timeout 20 "$NS" run -o off -- "$P" traceme
	assert_success
	assert_output - <<-EOF
	traceme=0
	socket=ok
	EOF
}
