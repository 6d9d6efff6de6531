# SPDX-License-Identifier: LGPL-2.1-or-later
"""The static part of netshim's benchmarks (BENCH_ONLY=static, bench/run).

Static programs, which no LD_PRELOAD reaches, under `netshim run` with
the in-process trap (--front=trap) and the out-of-process seccomp front
(--front=seccomp) side by side, each as a ratio to the bare program in
the same repetition (modes interleaved, order rotated), median and best
of the repetitions:

  loop    bench/bin/sockloop_static (workload 1 linked -static):
          JSON trace to a file; --mptcp=strip with the trace off
  http    bench/gohttp.go built static, loaded by
          wrk -t1 -c8 -H 'Connection: close': req/s, JSON trace
  exec    bench/bin/execloop: a static program exec'ing itself, the
          cost of each exec (the trap injects at every one)

A mode netshim cannot run here (no --front=trap before issue 17, a
kernel refusing the filter) is skipped with its reason.
"""

import os
import re
import shutil
import statistics
import subprocess
import time

TARGET_LOOP_JSON = 2.5  # x bare, trap, JSON trace to a file
TARGET_LOOP_STRIP = 1.4  # x bare, trap, --mptcp=strip, no trace
TARGET_HTTP = 0.75  # x bare req/s, trap, JSON trace


def front_skip(ctx, front):
    """None, or why `netshim run --front=FRONT` cannot run here."""
    if not os.access(ctx.nsbin, os.X_OK):
        return "no netshim command at %s (NS_BIN)" % ctx.nsbin
    try:
        p = subprocess.run([ctx.nsbin, "run", "--front=" + front, "-o", "off", "--",
                            os.path.join(ctx.bin, "execloop"), "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "netshim run --front=%s fails: %s" % (front, e)
    err = p.stderr.strip()
    if p.returncode != 0 or err:
        return err.splitlines()[0] if err else "netshim run --front=%s: exit %d" % (
            front, p.returncode)
    return None


def modes(ctx):
    """name -> (netshim run options or None for bare, skip reason)."""
    skip = {f: front_skip(ctx, f) for f in ("trap", "seccomp")}
    m = {"bare": (None, None)}
    for f in ("trap", "seccomp"):
        m[f + "-json"] = (["--front=" + f, "--json", "-o", "@TRACE@"], skip[f])
        m[f + "-strip"] = (["--front=" + f, "--mptcp=strip", "-o", "off"], skip[f])
    return m


def command(ctx, opts, argv, trace):
    if opts is None:
        return argv
    return [ctx.nsbin, "run"] + [o.replace("@TRACE@", trace) for o in opts] + ["--"] + argv


def clean(ctx):
    for f in os.listdir(ctx.trace_dir):
        os.unlink(os.path.join(ctx.trace_dir, f))


def timed(ctx, opts, argv):
    """ns_op of one run of a bench program (its last ns_op= line)."""
    trace = os.path.join(ctx.trace_dir, "trace.static")
    cmd = command(ctx, opts, argv, trace)
    try:
        p = subprocess.run(cmd, env=ctx.base_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        clean(ctx)
    m = re.findall(r"ns_op=([\d.]+)", p.stdout)
    if p.returncode != 0 or not m:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode,
                                                        p.stderr.strip()[-500:]))
    return float(m[-1])


def build_gohttp(ctx):
    """bench/gohttp.go built static by Go 1.23 if there, else go; or why not."""
    go = "/usr/lib/go-1.23/bin/go"
    if not os.access(go, os.X_OK):
        go = shutil.which("go")
    if not go:
        return None, "no go command (Debian package golang-go)"
    out = os.path.join(ctx.lib_dir, "gohttp")
    env = dict(ctx.base_env(), HOME=ctx.lib_dir, GOCACHE=os.path.join(ctx.lib_dir, "gocache"),
               GOPATH=os.path.join(ctx.lib_dir, "gopath"), GO111MODULE="off", GOFLAGS="",
               GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
    try:
        p = subprocess.run([go, "build", "-o", out, os.path.join(ctx.here, "gohttp.go")],
                           env=env, cwd=ctx.lib_dir, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "go build failed: %s" % e
    if p.returncode != 0:
        return None, "go build failed: %s" % p.stdout.strip()[-300:]
    return out, None


def http_once(ctx, opts, server, secs):
    """req/s wrk gets from the server run under opts."""
    port = ctx.free_port()
    trace = os.path.join(ctx.trace_dir, "trace.static")
    srv = subprocess.Popen(command(ctx, opts, [server, "127.0.0.1:%d" % port], trace),
                           env=ctx.base_env(), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    ctx.children.append(srv)
    try:
        if not ctx.wait_port(port, srv, 10.0):
            ctx.stop(srv)
            raise RuntimeError("gohttp did not start: %s" % srv.stderr.read()[-500:])
        w = subprocess.run([shutil.which("wrk"), "-t1", "-c8", "-d%ds" % secs,
                            "-H", "Connection: close", "http://127.0.0.1:%d/" % port],
                           env=ctx.base_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=secs + 30)
    finally:
        ctx.stop(srv)
        clean(ctx)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", w.stdout)
    if not rps:
        raise RuntimeError("wrk gave no Requests/sec: %s" % w.stdout[-500:])
    return float(rps.group(1))


def rows(ctx):
    """(key, label, unit, measure(opts) -> value, mode names, higher is better)."""
    loop = os.path.join(ctx.bin, "sockloop_static")
    execloop = os.path.join(ctx.bin, "execloop")
    n_loop = 5000 if ctx.quick else 20000
    n_exec = 50 if ctx.quick else 200
    out = [
        ("loop", "static socket+setsockopt+close, JSON trace", "ns/op",
         lambda o: timed(ctx, o, [loop, str(n_loop)]),
         ["bare", "trap-json", "seccomp-json"], False),
        ("strip", "static socket+setsockopt+close, --mptcp=strip, no trace", "ns/op",
         lambda o: timed(ctx, o, [loop, str(n_loop)]),
         ["bare", "trap-strip", "seccomp-strip"], False),
        ("exec", "static program exec'ing itself (%d execs)" % n_exec, "ns/exec",
         lambda o: timed(ctx, o, [execloop, str(n_exec)]),
         ["bare", "trap-json", "seccomp-json"], False),
    ]
    if not shutil.which("wrk"):
        ctx.notes.append("Go net/http row left out: no wrk (Debian package wrk)")
        return out
    server, why = build_gohttp(ctx)
    if not server:
        ctx.notes.append("Go net/http row left out: " + why)
        return out
    secs = 2 if ctx.quick else 5
    out.append(("http", "static Go net/http, wrk -t1 -c8 %d s, Connection: close" % secs,
                "req/s", lambda o: http_once(ctx, o, server, secs),
                ["bare", "trap-json", "seccomp-json"], True))
    return out


def run(ctx):
    """The section of the report (a list of lines) and its targets."""
    ctx.notes = []
    m = modes(ctx)
    rs = rows(ctx)
    res = {r[0]: {name: [] for name in r[4] if not m[name][1]} for r in rs}
    for r in rs:  # warm-up, not counted: page cache, go's first start
        for name in res[r[0]]:
            r[3](m[name][0])
    for rep in range(ctx.reps):
        t0 = time.time()
        for r in rs:
            names = list(res[r[0]])
            k = rep % len(names)
            for name in names[k:] + names[:k]:
                res[r[0]][name].append(r[3](m[name][0]))
        ctx.log("bench: static repetition %d/%d done in %.0f s" % (rep + 1, ctx.reps, time.time() - t0))
    return report(rs, m, res, ctx)


def ratios(res, key, name):
    return [x / b for x, b in zip(res[key][name], res[key]["bare"]) if b > 0]


def report(rs, m, res, ctx):
    out = []
    w = out.append
    w("### Static programs: in-process trap and seccomp front (median of %d interleaved repetitions)" % ctx.reps)
    w("")
    w("`x bare` is the median over repetitions of (mode / bare of the same repetition); "
      "`best` the best of those ratios (lowest time, highest req/s); `extra` the "
      "median difference to bare.")
    w("")
    w("| workload | mode | value | x bare | best | range | extra |")
    w("|---|---|---:|---:|---:|---|---:|")
    targets = []
    for key, label, unit, _, names, higher in rs:
        for name in names:
            first = label if name == names[0] else ""
            goal = {("loop", "trap-json"): TARGET_LOOP_JSON,
                    ("strip", "trap-strip"): TARGET_LOOP_STRIP,
                    ("http", "trap-json"): TARGET_HTTP}.get((key, name))
            sign = ">=" if higher else "<="
            if m[name][1]:
                w("| %s | %s | skipped: %s | | | | |" % (first, name, m[name][1]))
                if goal:
                    targets.append(("static %s, %s" % (key, name), "skipped",
                                    "%s %.2fx bare" % (sign, goal), "n/a"))
                continue
            v = statistics.median(res[key][name])
            rt = ratios(res, key, name)
            med = statistics.median(rt)
            best = max(rt) if higher else min(rt)
            extra = statistics.median([x - b for x, b in zip(res[key][name], res[key]["bare"])])
            w("| %s | %s | %.0f %s | %.3f | %.3f | %.3f–%.3f | %+.0f %s |" % (
                first, name, v, unit, med, best, min(rt), max(rt), extra, unit))
            if goal:
                ok = med >= goal if higher else med <= goal
                targets.append(("static %s, %s" % (key, name), "%.3f (best %.3f)" % (med, best),
                                "%s %.2fx bare" % (sign, goal), "PASS" if ok else "FAIL"))
    w("")
    for n in ctx.notes:
        w("Note: " + n)
        w("")
    return out, targets
