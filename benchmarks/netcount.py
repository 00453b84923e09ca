"""Count the requests a command makes, from outside it: a forward proxy on
loopback that every request goes through (urllib reads `http_proxy` and
`https_proxy`), counting each CONNECT (one per HTTPS request: urllib opens a
connection per request) and each plain HTTP request, and passing them on.

    python benchmarks/netcount.py COMMAND [ARG...]

prints the command's exit status and every request (method and host, or
the whole URL for plain HTTP) on stderr; fleet.py uses `Counter` to report
how many requests a warm run makes.
"""

from __future__ import annotations

import os
import select
import socket
import socketserver
import subprocess
import sys
import threading


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.connection.recv(65536)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target = line.split(" ")[:2]
        self.server.counter.note(f"{method} {target}")
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=10)
            except OSError:
                self.connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            self.connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
            if rest:
                upstream.sendall(rest)
        else:  # GET http://host:port/path HTTP/1.1: pass it on as is, one request per connection
            from urllib.parse import urlsplit

            url = urlsplit(target)
            try:
                upstream = socket.create_connection((url.hostname, url.port or 80), timeout=10)
            except OSError:
                self.connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            upstream.sendall(head.replace(target.encode("latin-1"), path.encode("latin-1"), 1))
        _pipe(self.connection, upstream)
        upstream.close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    while True:
        ready, _, _ = select.select(sockets, [], [], 30)
        if not ready:
            return
        for sock in ready:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            (b if sock is a else a).sendall(data)


class Counter:
    """A proxy on 127.0.0.1 for as long as the `with` lasts; `requests`
    lists what went through it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.counter = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def note(self, request: str) -> None:
        with self._lock:
            self.requests.append(request)

    def environ(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """`base` (default os.environ) with every request sent through the proxy."""
        env = dict(os.environ if base is None else base)
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env[name] = self.url
        for name in ("no_proxy", "NO_PROXY"):
            env.pop(name, None)
        return env

    def __enter__(self) -> Counter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with Counter() as counter:
        status = subprocess.run(sys.argv[1:], env=counter.environ()).returncode
    for request in counter.requests:
        print(request, file=sys.stderr)
    print(f"exit {status}; {len(counter.requests)} request(s)", file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
