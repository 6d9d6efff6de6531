#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A listener for the policy tests: HTTP or echo, options set as told.
import argparse
import fcntl
import json
import os
import select
import socket
import sys

SO_PROTOCOL = getattr(socket, "SO_PROTOCOL", 38)
TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", 18)

p = argparse.ArgumentParser()
p.add_argument("--family", type=int, default=4)
p.add_argument("--host", default=None)
p.add_argument("--port", type=int, default=0)
p.add_argument("--proto", type=int, default=0)
p.add_argument("--reuse", action="store_true", help="SO_REUSEADDR first")
p.add_argument("--nonblock", action="store_true",
               help="O_NONBLOCK before the options that follow bind")
p.add_argument("--opt", action="append", default=[],
               help="LEVEL:NAME:VALUE, an int option set before bind")
p.add_argument("--inheritable", action="store_true",
               help="clear FD_CLOEXEC after bind")
p.add_argument("--tfo", action="store_true", help="TCP_FASTOPEN after bind")
p.add_argument("--user-timeout", action="store_true",
               help="TCP_USER_TIMEOUT after bind")
p.add_argument("--late-tfo", action="store_true",
               help="TCP_FASTOPEN after listen, the listener already in an "
               "epoll set that then says when to accept (an event loop)")
p.add_argument("--serve", type=int, default=1, help="connections, 0: forever")
p.add_argument("--body", default="hello")
p.add_argument("--mode", choices=("http", "echo"), default="http")
p.add_argument("--ready", required=True, help="file written once listening")
a = p.parse_args()

fam = socket.AF_INET6 if a.family == 6 else socket.AF_INET
host = a.host or ("::1" if a.family == 6 else "127.0.0.1")
s = socket.socket(fam, socket.SOCK_STREAM, a.proto)
first_fd = s.fileno()
if a.reuse:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
opts = [tuple(int(x) for x in o.split(":")) for o in a.opt]
for level, name, value in opts:
    s.setsockopt(level, name, value)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind((host, a.port))
bound_port = s.getsockname()[1]
if a.nonblock:
    s.setblocking(False)
if a.inheritable:
    s.set_inheritable(True)
fds_before = sorted(int(x) for x in os.listdir("/proc/self/fd"))
if a.tfo:
    s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 5)
if a.user_timeout:
    s.setsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT, 1000)
report = {
    "first_fd": first_fd,
    "fd": s.fileno(),
    "proto": s.getsockopt(socket.SOL_SOCKET, SO_PROTOCOL),
    "reuseaddr": s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR),
    "bound_port": bound_port,
    "port": s.getsockname()[1],
    "nonblock": bool(fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK),
    "cloexec": bool(fcntl.fcntl(s.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC),
    "opts": " ".join(f"{level}:{name}:{s.getsockopt(level, name)}"
                     for level, name, _ in opts),
    "same_fds": fds_before == sorted(int(x) for x in os.listdir("/proc/self/fd")),
}
s.setblocking(True)
s.listen(16)
# Never wait for a client forever.
s.settimeout(20)
ep = None
if a.late_tfo:
    ep = select.epoll()
    ep.register(s.fileno(), select.EPOLLIN)
    fd_before = s.fileno()
    try:
        s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 5)
        report["late_tfo"] = "ok"
    except OSError as e:
        report["late_tfo"] = f"errno {e.errno}"
    report["late_proto"] = s.getsockopt(socket.SOL_SOCKET, SO_PROTOCOL)
    report["late_fd"] = s.fileno()
    report["late_reuseaddr"] = s.getsockopt(socket.SOL_SOCKET,
                                            socket.SO_REUSEADDR)
    report["late_reuseport"] = s.getsockopt(socket.SOL_SOCKET,
                                            socket.SO_REUSEPORT)
    report["late_port"] = s.getsockname()[1]
tmp = a.ready + ".tmp"
with open(tmp, "w") as f:
    f.write(json.dumps(report, sort_keys=True) + "\n")
os.rename(tmp, a.ready)

n = 0
while a.serve == 0 or n < a.serve:
    # An event loop learns of the connection from its epoll set.
    if ep is not None and not ep.poll(20):
        print("epoll: nothing in 20 s", flush=True)
        sys.exit(3)
    c, peer = s.accept()
    c.settimeout(20)
    n += 1
    cproto = c.getsockopt(socket.SOL_SOCKET, SO_PROTOCOL)
    data = b""
    if a.mode == "http":
        while b"\r\n\r\n" not in data:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
        body = f"{a.body} proto={cproto}\n".encode()
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: " + str(len(body)).encode() +
                  b"\r\nConnection: close\r\n\r\n" + body)
    else:
        while True:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
        print("got:" + data.decode(errors="replace"), flush=True)
        c.sendall(b"got:" + data)
    c.close()
sys.exit(0)
