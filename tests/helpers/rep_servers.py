# SPDX-License-Identifier: LGPL-2.1-or-later
"""The report suite's servers, each writing its port to READY once it is
listening, and giving up after 20 s without a client:

  rep_servers.py tarpit READY N   a tarpit on [::1]: listen backlog 0 and
                                  one connection never accepted, so the
                                  accept queue is full and the next SYN is
                                  dropped (connect hangs); and an HTTP
                                  server on 127.0.0.1 at the same port
                                  answering "four", N requests at most
  rep_servers.py socks5 READY N   a SOCKS5 server (RFC 1928, no
                                  authentication, CONNECT) on 127.0.0.1
                                  for N clients
  rep_servers.py http READY N [HOST]
                                  an HTTP server on HOST (127.0.0.1; ::1
                                  for IPv6) answering "ok", N requests at
                                  most
"""
import http.server
import socket
import struct
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    body = b"ok\n"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def serve_http(srv, ready, port, n):
    srv.timeout = 20
    with open(ready, "w") as f:
        f.write("%d\n" % port)
    for _ in range(n):
        srv.handle_request()


def tarpit(ready, n):
    for _ in range(20):
        t = socket.socket(socket.AF_INET6)
        t.bind(("::1", 0))
        port = t.getsockname()[1]
        t.listen(0)
        # The queue's one place taken: with backlog 0 the kernel holds
        # one connection, and drops the SYNs after it.
        held = socket.socket(socket.AF_INET6)
        held.connect(("::1", port))
        Handler.body = b"four\n"
        try:
            srv = http.server.HTTPServer(("127.0.0.1", port), Handler)
        except OSError:
            t.close()
            held.close()
            continue
        serve_http(srv, ready, port, n)
        return
    sys.exit("no port free on both ::1 and 127.0.0.1")


def relay(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def socks_client(c):
    try:
        c.recv(262)
        c.sendall(b"\x05\x00")
        _, cmd, _, atyp = c.recv(4)
        if atyp == 1:
            host = socket.inet_ntoa(c.recv(4))
        elif atyp == 3:
            host = c.recv(c.recv(1)[0]).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET6, c.recv(16))
        port = struct.unpack(">H", c.recv(2))[0]
        u = socket.create_connection((host, port), timeout=5)
        c.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") +
                  struct.pack(">H", 0))
        threading.Thread(target=relay, args=(u, c), daemon=True).start()
        relay(c, u)
    except OSError:
        pass


def socks5(ready, n):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    s.settimeout(20)
    with open(ready, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    threads = []
    for _ in range(n):
        try:
            c, _ = s.accept()
        except OSError:
            break
        t = threading.Thread(target=socks_client, args=(c,), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(10)


def main():
    what, ready, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if what == "tarpit":
        tarpit(ready, n)
    elif what == "socks5":
        socks5(ready, n)
    else:
        host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"

        class Server(http.server.HTTPServer):
            address_family = socket.AF_INET6 if ":" in host else \
                socket.AF_INET

        srv = Server((host, 0), Handler)
        serve_http(srv, ready, srv.server_address[1], n)


main()
