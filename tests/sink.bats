#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Where the trace goes (NETSHIM_TRACE) and how it survives programs that fight over descriptors, full disks and dead readers.

load common

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

setup() {
	D="$BATS_TEST_TMPDIR"
	SINK="$NS_TESTBIN/proc_sink"
}

# One socket() and close() in python, then "ok" on stdout.
PYSOCK='import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close(); print("ok")'
SOCK_LINE='socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = '

# stderr_case VALUE|unset: events land on fd 2 and nowhere else.
stderr_case() {
	local env=()
	[ "$1" = unset ] || env=(NETSHIM_TRACE="$1")
	cd "$D"
	ns_run "${env[@]}" -- "$PY" -c "$PYSOCK" >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output ok
	run grep -c "python3[^ ]*\[[0-9]*/[0-9]*\] $SOCK_LINE" "$D/err"
	assert_output 1
	run grep -c '] close(' "$D/err"
	assert_output 1
	run wc -l <"$D/err"
	assert_output 2
	# and no file appeared
	run ls "$D"
	assert_output $'err\nout'
}

@test "NETSHIM_TRACE unset: lines on fd 2" {
	stderr_case unset
}

@test "NETSHIM_TRACE=stderr and NETSHIM_TRACE= (empty): lines on fd 2" {
	stderr_case stderr
	rm -f "$D/out" "$D/err"
	stderr_case ""
}

@test "NETSHIM_TRACE=stderr follows fd 2 where the program points it" {
	ns_run NETSHIM_TRACE=stderr -- "$PY" -c '
import os, socket, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
os.dup2(fd, 2)
socket.socket().close()
print("ok")' "$D/moved" >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output ok
	[ ! -s "$D/err" ]
	run grep -c 'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP)' "$D/moved"
	assert_output 1
}

@test "NETSHIM_TRACE=off: no output at all, not even a complaint, and the program works" {
	cd "$D"
	ns_run NETSHIM_TRACE=off NETSHIM_FORMAT=json -- "$PY" -c "$PYSOCK" \
		>"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output ok
	[ ! -s "$D/err" ]
	run ls "$D"
	assert_output $'err\nout'
}

@test "NETSHIM_TRACE=fd:3 with 3>file: events in the file; closing 3 does not stop them" {
	ns_run NETSHIM_TRACE=fd:3 NETSHIM_FORMAT=json -- "$PY" -c '
import os, socket
socket.socket().close()
os.close(3)
socket.socket(socket.AF_INET6).close()
print("ok")' 3>"$D/t" >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output ok
	[ ! -s "$D/err" ]
	json_lines "$D/t"
	run grep -c '"call":"socket"' "$D/t"
	assert_output 2
	run grep -c '"call":"socket","family":"AF_INET6"' "$D/t"
	assert_output 1
}

@test "a path: mode 0600 whatever the umask, O_APPEND to an existing file" {
	(umask 000 && ns_run NETSHIM_TRACE="$D/new" -- "$PY" -c "$PYSOCK" >/dev/null)
	run stat -c %a "$D/new"
	assert_output 600
	run grep -c "$SOCK_LINE" "$D/new"
	assert_output 1
	echo "existing line" >"$D/old"
	chmod 0644 "$D/old"
	ns_run NETSHIM_TRACE="$D/old" -- "$PY" -c "$PYSOCK" >/dev/null
	ns_run NETSHIM_TRACE="$D/old" -- "$PY" -c "$PYSOCK" >/dev/null
	run sed -n 1p "$D/old"
	assert_output "existing line"
	run grep -c "$SOCK_LINE" "$D/old"
	assert_output 2
	run wc -l <"$D/old"
	assert_output 5
	# An existing file keeps its mode.
	run stat -c %a "$D/old"
	assert_output 644
}

@test "a symlink at the path is refused (O_NOFOLLOW): the documented line, events on stderr" {
	echo "keep me" >"$D/target"
	ln -s "$D/target" "$D/link"
	ns_run NETSHIM_TRACE="$D/link" -- "$PY" -c "$PYSOCK" >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output ok
	run cat "$D/err"
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=$D/link: ELOOP (Too many levels of symbolic links); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --index 1 --partial "$SOCK_LINE"
	[ "${#lines[@]}" -eq 3 ]
	run cat "$D/target"
	assert_output "keep me"
}

@test "a dangling symlink is refused too, and nothing is created at its target" {
	ln -s "$D/nothing-here" "$D/link"
	ns_run NETSHIM_TRACE="$D/link" -- "$PY" -c "$PYSOCK" >"$D/out" 2>"$D/err"
	run cat "$D/err"
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=$D/link: ELOOP (Too many levels of symbolic links); tracing to stderr instead"
	[ ! -e "$D/nothing-here" ]
}

@test "a missing directory: the documented line, the program runs on with events on stderr" {
	ns_run NETSHIM_TRACE="$D/no/such/dir/t" -- "$PY" -c "$PYSOCK" \
		>"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output ok
	run cat "$D/err"
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=$D/no/such/dir/t: ENOENT (No such file or directory); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --index 1 --partial "$SOCK_LINE"
	assert_line --index 2 --partial '] close('
	[ "${#lines[@]}" -eq 3 ]
}

@test "a read-only directory: EROFS as root on a read-only mount, EACCES as nobody" {
	need_root
	mkdir "$D/ro"
	run timeout 30 unshare -m sh -c '
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		env NETSHIM_TRACE="$1/t" LD_PRELOAD="$2" "$3" events 1' \
		sh "$D/ro" "$NS_PRELOAD" "$SINK"
	assert_success
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=$D/ro/t: EROFS (Read-only file system); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --index 1 --partial 'socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = '
	assert_line --index 3 done
	[ ! -e "$D/ro/t" ]
	# As nobody: a directory of root's, mode 0555, on a tmpfs of our own
	# that nobody can reach.
	command -v setpriv >/dev/null || skip "no setpriv"
	[ -d /mnt ] || skip "no /mnt"
	run timeout 30 unshare -m sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /mnt && mkdir -m 0555 /mnt/ro &&
		cp "$2" "$3" /mnt/ &&
		chmod 0755 /mnt/libnetshim.so /mnt/proc_sink &&
		setpriv --reuid=65534 --regid=65534 --clear-groups env \
			NETSHIM_TRACE=/mnt/ro/t LD_PRELOAD=/mnt/libnetshim.so \
			/mnt/proc_sink events 1' sh "$D" "$NS_LIB" "$SINK"
	assert_success
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=/mnt/ro/t: EACCES (Permission denied); tracing to stderr instead"
	refute_line "netshim: tracing to stderr instead"
	assert_line --index 3 done
}

@test "%p: one file per process across fork and an exec chain sh -c -> python3 -> curl; pid fields match the names" {
	local port
	port=$(free_port)
	cd "$D"
	mkdir traces
	# curl to a port nobody listens on: it fails, with its events.
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$D/traces/t.%p.json" -- \
		sh -c '"$0" -c "
import os, socket, subprocess, sys
socket.socket().close()
pid = os.fork()
if pid == 0:
    socket.socket(socket.AF_INET6).close()
    os._exit(0)
os.waitpid(pid, 0)
subprocess.run([\"curl\", \"-s\", \"--noproxy\", \"*\", \"http://127.0.0.1:$1/\"], close_fds=False)
print(\"ok\")
"; echo sh-done' "$PY" "$port" >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output $'ok\nsh-done'
	[ ! -s "$D/err" ]
	"$PY" - "$D/traces" <<'PY'
import json, os, re, sys
progs = {}
for name in sorted(os.listdir(sys.argv[1])):
    m = re.fullmatch(r"t\.(\d+)\.json", name)
    assert m, "unexpected file %s" % name
    lines = open(os.path.join(sys.argv[1], name)).read().splitlines()
    for line in lines:
        e = json.loads(line)
        assert e["pid"] == int(m.group(1)), "%s holds %s" % (name, line)
    if lines:
        progs.setdefault(json.loads(lines[0])["prog"], []).append(
            [json.loads(l)["call"] for l in lines])
py = [c for p, c in progs.items() if p.startswith("python")]
assert len(py) == 1 and len(py[0]) == 2, progs  # parent and forked child
assert sorted(len(c) for c in py[0]) == [2, 2], progs
assert "curl" in progs and "connect" in progs["curl"][0], progs
PY
}

@test "%p and vfork: every event in a file carries the pid in its name" {
	# The vfork child's dup2 (before its exec) is traced; it shares its
	# parent's memory and trace file (libnetshim(7), LIMITS).
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$D/t.%p" -- \
		"$NS_TESTBIN/proc_fork" vfork >"$D/out"
	grep -q '"call":"dup2"' "$D"/t.*
	local f child
	for f in "$D"/t.*; do
		run grep -cv "\"pid\":${f##*.}," "$f"
		assert_output 0
	done
	# The dup2 is the child's, in the child's file, though it ran on
	# the parent's memory.
	child=$(sed -n 's/^vfork-child \([0-9]*\)$/\1/p' "$D/out")
	[ -n "$child" ]
	run grep -c '"call":"dup2"' "$D/t.$child"
	assert_output 1
}

@test "%% in a path is a %, %p the pid" {
	ns_run NETSHIM_TRACE="$D/a%%b.%p" -- "$SINK" events 1 >/dev/null
	run ls "$D"
	assert_output --regexp '^a%b\.[0-9]+$'
}

# closeall_case HOW LINE: a program closing every descriptor keeps its
# trace; LINE is what it says about its closing.
closeall_case() {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$D/t" -- \
		sh -c 'ulimit -n 1024 && exec "$@"' sh "$SINK" closeall "$1" "$D/t"
	assert_success
	assert_line "trace fd found: yes"
	assert_line "close(trace fd): -1 EBADF"
	[ -z "$2" ] || assert_line "$2"
	json_lines "$D/t"
	# The socket made after everything was closed is in the file.
	run tail -n 2 "$D/t"
	assert_line --index 0 --partial '"call":"socket","family":"AF_INET","type":"SOCK_DGRAM"'
	assert_line --index 1 --partial '"call":"close"'
}

@test "close() of 3..1024 in a loop: later events still in the file, close of the trace fd sees EBADF" {
	closeall_case loop "loop close of trace fd: EBADF"
	grep -Eq '"call":"close","fd":[0-9]+,"sock":\{"family":"AF_INET6"' "$D/t"
}

@test "close_range(3, ~0U, 0): later events still in the file" {
	closeall_case range "close_range: 0"
	grep -Eq '"call":"close_range","first":3,"last":4294967295,"flags":"?0"?,"ret":0,' "$D/t"
}

@test "closefrom(3): later events still in the file" {
	closeall_case from ""
	grep -q '"call":"closefrom","lowfd":3,"ret":0' "$D/t"
}

# dup_onto_case dup2onto|dup3onto
dup_onto_case() {
	run ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$D/t" -- \
		"$SINK" "$1" "$D/t" "$D/mine"
	assert_success
	assert_line "dup onto trace fd: ok"
	assert_line "close(it): 0"
	run cat "$D/mine"
	assert_output "written by the program"
	json_lines "$D/t"
	run grep -c '"call":"socket"' "$D/t"
	assert_output 2
	run grep -c 'written by' "$D/t"
	assert_output 0
}

@test "dup2 onto the trace fd: success; the program's writes and the trace land in the right files" {
	dup_onto_case dup2onto
}

@test "dup3 onto the trace fd: the same" {
	dup_onto_case dup3onto
}

@test "a full file system: exactly one warning line, exit 0, no busy loop" {
	need_root
	mkdir "$D/small"
	run timeout -s KILL 60 unshare -m sh -c '
		mount -t tmpfs -o size=16k tmpfs "$1" &&
		env NETSHIM_FORMAT=json NETSHIM_TRACE="$1/t" LD_PRELOAD="$2" \
			"$3" events 2000 2>"$1/../err" &&
		stat -c %s "$1/t"' sh "$D/small" "$NS_PRELOAD" "$SINK"
	assert_success
	assert_line --index 0 done
	# The file filled up to the tmpfs size.
	[ "${lines[1]}" -gt 8000 ]
	run cat "$D/err"
	# No strerror text here: this path may run in a signal handler.
	assert_output "netshim: writing the trace failed, events are lost: $D/small/t: ENOSPC"
}

# dead_reader SINK-SETUP: runs proc_sink events 50 under python that sets
# up fd 3 (or 2) per SINK-SETUP, with SIGPIPE at its default action.
dead_reader() {
	timeout 30 "$PY" - "$1" "$NS_PRELOAD" "$SINK" "$D/err" <<'PY'
import os, signal, socket, sys
how, lib, prog, err = sys.argv[1:5]
if how == "socket":
    a, b = socket.socketpair()
    b.close()
    w = os.dup(a.fileno())
else:
    r, w = os.pipe()
    os.close(r)
target = 2 if how == "stderr-pipe" else 3
if target == 3:
    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
os.dup2(w, target)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
env = dict(os.environ, LD_PRELOAD=lib,
           NETSHIM_TRACE="stderr" if target == 2 else "fd:3")
pid = os.fork()
if pid == 0:
    os.execve(prog, [prog, "events", "50"], env)
_, st = os.waitpid(pid, 0)
print("signal", os.WTERMSIG(st) if os.WIFSIGNALED(st) else 0,
      "exit", os.WEXITSTATUS(st) if os.WIFEXITED(st) else -1)
PY
}

@test "a trace pipe whose reader has gone: no SIGPIPE, one warning, the program finishes" {
	run dead_reader pipe
	assert_output $'done\nsignal 0 exit 0'
	run cat "$D/err"
	assert_output --regexp '^netshim: writing the trace failed, events are lost: fd:[0-9]+: EPIPE$'
}

@test "stderr a pipe whose reader has gone: no SIGPIPE, the program finishes" {
	run dead_reader stderr-pipe
	assert_output $'done\nsignal 0 exit 0'
}

@test "a trace socket whose peer has gone: no SIGPIPE, one warning, the program finishes" {
	run dead_reader socket
	assert_output $'done\nsignal 0 exit 0'
	run cat "$D/err"
	assert_output --regexp '^netshim: writing the trace failed, events are lost: fd:[0-9]+: EPIPE$'
}

@test "stderr sink: no lines go into a socket the program itself put on fd 2" {
	run ns_run -- timeout 20 "$PY" -c '
import os, socket
os.close(2)
a, b = socket.socketpair()
assert a.fileno() == 2, a.fileno()
c = socket.socket()
c.close()
b.setblocking(False)
try:
    data = b.recv(65536)
except BlockingIOError:
    data = b""
print(repr(data))'
	assert_success
	assert_output "b''"
}

@test "stderr sink: an inherited AF_UNIX stream on fd 2 (a journal) gets the lines" {
	run timeout 30 "$PY" - "$NS_PRELOAD" "$SINK" <<'PY'
import os, socket, sys
lib, prog = sys.argv[1:3]
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
    os.dup2(a.fileno(), 2)
    os.execve(prog, [prog, "events", "1"], dict(os.environ, LD_PRELOAD=lib))
a.close()
os.waitpid(pid, 0)
b.settimeout(10)
data = b""
while True:
    chunk = b.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
PY
	assert_success
	# The child's own stdout first, then what the socket carried.
	assert_line --index 0 done
	assert_line --index 1 --partial 'socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = '
	assert_line --index 2 --partial '] close('
	[ "${#lines[@]}" -eq 3 ]
}

# ---- issue 18: a hostile disk and other users ----

@test "a disk full mid-line, then space freed: every line parses, one warning, one line counting the lost events" {
	need_root
	mkdir "$D/small"
	# 4 pages of tmpfs, 3 taken: the trace fills its page mid-line, and
	# the program frees the 3 pages before its last 5 sockets.
	run timeout -s KILL 60 unshare -m sh -c '
		mount -t tmpfs -o size=16k tmpfs "$1" &&
		head -c 12288 /dev/zero >"$1/fill" &&
		env NETSHIM_FORMAT=json NETSHIM_TRACE="$1/t" LD_PRELOAD="$2" \
			"$3" -c "
import os, socket, sys
for i in range(40):
    socket.socket().close()
os.unlink(sys.argv[1] + \"/fill\")
for i in range(5):
    socket.socket(socket.AF_INET6).close()
print(\"done\")" "$1" 2>"$1/../err" && cp "$1/t" "$1/../t"' sh "$D/small" "$NS_PRELOAD" "$PY"
	assert_success
	assert_output done
	# Every line is a JSON object, and the file ends with a newline.
	run jq -c . "$D/t"
	assert_success
	[ "$(tail -c 1 "$D/t" | od -An -c | tr -d ' ')" = '\n' ]
	# The events after the gap are there, whole.
	run grep -c '"call":"socket","family":"AF_INET6"' "$D/t"
	assert_output 5
	run cat "$D/err"
	assert_line --index 0 "netshim: writing the trace failed, events are lost: $D/small/t: ENOSPC"
	assert_line --index 1 --regexp "^netshim: writing the trace works again: $D/small/t; events lost: [1-9][0-9]*\$"
	[ "${#lines[@]}" = 2 ]
}

# plant_link DIR NAME TARGET OWNER: a symbolic link DIR/NAME -> TARGET
# that OWNER owns.
plant_link() {
	ln -s "$3" "$1/$2"
	chown -h "$4" "$1/$2"
}

@test "a link another user planted in a sticky world-writable directory of the trace path is refused, as fs.protected_symlinks would" {
	need_root
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	mkdir -m 1777 "$D/pub"
	mkdir "$D/etc" "$D/mine"
	plant_link "$D/pub" d "$D/etc" nobody
	# Whatever the sysctl says (0 on this VM): our check, not the kernel's.
	cd "$D"
	ns_run NETSHIM_TRACE="$D/pub/d/x.json" -- "$PY" -c "$PYSOCK" >"$D/out" 2>"$D/err"
	run cat "$D/err"
	assert_line --index 0 "netshim: cannot open trace file NETSHIM_TRACE=$D/pub/d/x.json: EACCES (Permission denied); tracing to stderr instead"
	assert_line --partial "$SOCK_LINE"
	[ ! -e "$D/etc/x.json" ]
	# Deeper: the link as a later part of the path, reached through a
	# link of our own.
	ln -s "$D/pub" "$D/via"
	ns_run NETSHIM_TRACE="$D/via/d/y.json" -- "$PY" -c "$PYSOCK" 2>"$D/err"
	run cat "$D/err"
	assert_line --index 0 --partial "NETSHIM_TRACE=$D/via/d/y.json: EACCES"
	[ ! -e "$D/etc/y.json" ]
	# Followed: root's own link there, one that belongs to the
	# directory's owner, and another user's link in a directory that is
	# not sticky.
	plant_link "$D/pub" r "$D/mine" root
	chown nobody "$D/pub"
	plant_link "$D/pub" o "$D/mine" nobody
	mkdir -m 0777 "$D/open"
	plant_link "$D/open" n "$D/mine" nobody
	for p in pub/r/a.json pub/o/b.json open/n/c.json; do
		ns_run NETSHIM_FORMAT=json NETSHIM_TRACE="$D/$p" -- "$PY" -c "$PYSOCK" 2>"$D/err"
		run cat "$D/err"
		assert_output ""
		json_lines "$D/mine/$(basename "$p")"
	done
}

@test "a relative NETSHIM_TRACE: made absolute once, children that chdir write the same file" {
	mkdir "$D/sub"
	cd "$D"
	ns_run NETSHIM_FORMAT=json NETSHIM_TRACE=rel.json -- "$PY" -c '
import os, socket, subprocess, sys
os.chdir("sub")
subprocess.run([sys.executable, "-c", "import os, socket; socket.socket().close(); print(os.environ[\"NETSHIM_TRACE\"])"])
socket.socket().close()' >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output "$D/rel.json"
	run cat "$D/err"
	assert_output ""
	[ ! -e "$D/sub/rel.json" ]
	json_lines "$D/rel.json"
	run jq -r 'select(.call == "socket") | .pid' "$D/rel.json"
	[ "${#lines[@]}" = 2 ]
	[ "${lines[0]}" != "${lines[1]}" ]
}

# The python that looks for the trace descriptor and tries every way to
# get hold of it.
GRAB='
import errno, fcntl, os, sys
t = [int(f) for f in os.listdir("/proc/self/fd")
     if os.path.realpath("/proc/self/fd/" + f) == sys.argv[1]][0]
tries = [("F_GETFD", lambda: fcntl.fcntl(t, fcntl.F_GETFD)),
         ("F_SETFD 0", lambda: fcntl.fcntl(t, fcntl.F_SETFD, 0)),
         ("F_GETFL", lambda: fcntl.fcntl(t, fcntl.F_GETFL)),
         ("F_DUPFD", lambda: fcntl.fcntl(t, fcntl.F_DUPFD, 0)),
         ("F_DUPFD_CLOEXEC", lambda: fcntl.fcntl(t, fcntl.F_DUPFD_CLOEXEC, 0)),
         ("dup", lambda: os.dup(t)),
         ("dup2", lambda: os.dup2(t, 100)),
         ("dup3", lambda: os.dup2(t, 101, inheritable=False)),
         ("close", lambda: os.close(t))]
for name, f in tries:
    try:
        print(name, f())
    except OSError as e:
        print(name, errno.errorcode[e.errno])
'

@test "fcntl, dup, dup2, dup3 on the trace descriptor fail with EBADF as close does; no child inherits it" {
	cd "$D"
	ns_run NETSHIM_TRACE="$D/t" -- "$PY" -c "$GRAB" "$D/t" >"$D/out" 2>"$D/err"
	run cat "$D/out"
	assert_output - <<'OUT'
F_GETFD EBADF
F_SETFD 0 EBADF
F_GETFL EBADF
F_DUPFD EBADF
F_DUPFD_CLOEXEC EBADF
dup EBADF
dup2 EBADF
dup3 EBADF
close EBADF
OUT
	# A child exec'd without the library has nothing of the trace open.
	ns_run NETSHIM_TRACE="$D/t" -- "$PY" -c '
import os, subprocess, sys
subprocess.run(["env", "-u", "LD_PRELOAD", "ls", "-l", "/proc/self/fd/"], close_fds=False)' >"$D/out"
	run grep -c "$D/t" "$D/out"
	assert_output 0
}

@test "complaints go to the stderr the program started with, not into what it later put at fd 2" {
	# The trace a pipe nobody reads: the first event makes a complaint,
	# after the program put its data file at fd 2.
	prog='
import os, socket, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.dup2(fd, 2)
os.write(2, b"data\n")
socket.socket().close()
print("ok")'
	for how in file pipe; do
		timeout 30 "$PY" - "$how" "$NS_PRELOAD" "$PY" "$prog" "$D/data" "$D/err" <<'PY' >"$D/out"
import os, subprocess, sys
how, lib, py, prog, data, err = sys.argv[1:7]
r, w = os.pipe()
os.close(r)
env = dict(os.environ, LD_PRELOAD=lib, NETSHIM_TRACE="fd:%d" % w)
if how == "file":
    e = open(err, "wb")
    p = subprocess.run([py, "-c", prog, data], env=env, stderr=e, pass_fds=[w])
else:
    p = subprocess.run([py, "-c", prog, data], env=env, stderr=subprocess.PIPE, pass_fds=[w])
    open(err, "wb").write(p.stderr)
PY
		run cat "$D/out"
		assert_output ok
		run cat "$D/data"
		assert_output data
		run cat "$D/err"
		if [ $how = file ]; then
			assert_output --regexp '^netshim: writing the trace failed, events are lost: fd:[0-9]+: EPIPE$'
		else
			# A pipe is not held open (its reader would wait for
			# ever): the complaint is dropped, not put in the data.
			assert_output ""
		fi
	done
}
