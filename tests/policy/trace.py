#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the JSON trace's events matching CALL and KEY=VALUE filters, briefly.
import json
import sys

args = sys.argv[1:]
# Descriptor numbers depend on what the test runner left open: shown only
# when asked for.
show_fd = args[:1] == ["--fd"]
if show_fd:
    args = args[1:]
if len(args) < 2:
    sys.exit("usage: trace.py [--fd] FILE CALL [KEY=VALUE...]")
path, call = args[0], args[1]
want = [arg.split("=", 1) for arg in args[2:]]


def show(v):
    return "null" if v is None else str(v)


for line in open(path, encoding="utf-8"):
    ev = json.loads(line)
    if ev.get("call") != call:
        continue
    if any(show(ev.get(k)) != v for k, v in want):
        continue
    ret = ev["ret"]
    if call == "socket" and ret >= 0 and not show_fd:
        ret = "FD"
    out = [f"ret={ret}", f"errno={show(ev.get('errno'))}"]
    if "fd" in ev and show_fd:
        out.append(f"fd={show(ev['fd'])}")
    sock = ev.get("sock")
    if sock:
        out.append(f"proto={sock['protocol']}")
    if ev.get("hints"):
        out.append(f"hints={ev['hints']['family']}")
    for k in ("family", "protocol", "option", "value", "addr", "flags",
              "node", "error"):
        if k in ev and k not in dict(want):
            out.append(f"{k}={show(ev[k])}")
    if "results" in ev:
        out.append("results=" + ",".join(
            f"{r['family']}:{r['addr']}" for r in ev["results"]))
    out.append(f"policy={show(ev.get('policy'))}")
    # Only fault injection's events have the key (NETSHIM_FAIL).
    if "injected" in ev:
        out.append(f"injected={show(ev['injected'])}")
    print(" ".join(out))
