#!/usr/bin/python3
"""A tiny stand-in for the Autobahn fuzzingserver, to smoke-test client peers.

usage: fake_fuzzingserver.py --results FILE [--port PORT] [--cases N] [--bad-accept]

Standard library only. Speaks the client-testing URL protocol:

  /getCaseCount               one text message with N (default 3), then close 1000
  /runCase?case=K&agent=NAME  sends one text and one binary message, waits for their
                              echoes, then closes 1000
  /updateReports?agent=NAME   marks the agent updated, then close 1000

With --bad-accept, runCase answers 101 with a wrong Sec-WebSocket-Accept, sends a text
message and a close frame anyway, and records whether the client sent anything back.

Prints "listening on 127.0.0.1:PORT" once ready. After every connection it rewrites
FILE (JSON):

  {"count_requests": 1,
   "agents": {"NAME": {"updated": true,
                       "cases": {"1": {"handshake_ok": true, "masked": true,
                                       "echo_ok": true, "close_code": 1000,
                                       "client_closed_first": false, ...}}}}}
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT = "Hello, wsspec \u2713 \u03c0".encode()
BINARY = bytes(range(256)) * 2  # 512 octets: a 16-bit length
IO_TIMEOUT = 5.0
ECHO_WAIT = 1.0
CLOSE_WAIT = 2.0


class Results:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.data = {"count_requests": 0, "agents": {}}
        self.save()

    def agent(self, name):
        return self.data["agents"].setdefault(name, {"updated": False, "cases": {}})

    def update(self, fn):
        with self.lock:
            fn(self)
            self.save()

    def save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


class Peer:
    """Buffered frame I/O on a socket (server role)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError()
        self.buf += chunk

    def need(self, n, deadline):
        while len(self.buf) < n:
            self.fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self, deadline):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 16384:
                raise ValueError("request head too large")
            self.fill(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode("latin-1")

    def read_frame(self, deadline):
        """(fin, opcode, masked, payload)"""
        b0, b1 = self.need(2, deadline)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.need(2, deadline))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.need(8, deadline))[0]
        masked = bool(b1 & 0x80)
        key = self.need(4, deadline) if masked else b"\0\0\0\0"
        payload = self.need(n, deadline)
        if masked:
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        return bool(b0 & 0x80), b0 & 0x0F, masked, payload

    def send_frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.sock.sendall(head + payload)

    def send_close(self, code):
        self.send_frame(0x8, struct.pack("!H", code))

    def read_close(self, record):
        """Read until the client's close frame (records its code and masking) or EOF."""
        deadline = time.monotonic() + CLOSE_WAIT
        try:
            while True:
                _, op, masked, payload = self.read_frame(deadline)
                record["masked"] = record.get("masked", True) and masked
                if op == 0x8:
                    record["close_code"] = struct.unpack("!H", payload[:2])[0] if len(
                        payload) >= 2 else 1005
                    return True
        except (EOFError, OSError):
            return False

    def client_closes_first(self):
        """True if the client drops TCP within 150 ms of the close handshake."""
        try:
            self.sock.settimeout(0.15)
            return self.sock.recv(1) == b""
        except socket.timeout:
            return False
        except OSError:
            return True

    def close_first(self):
        """The server closes TCP first: FIN, drain until EOF (1 s), close."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + 1.0
            while True:
                self.fill(deadline)
                self.buf = b""
        except (EOFError, OSError):
            pass


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def check_request(lines, headers):
    """True if the opening request follows RFC 6455 §4.1."""
    parts = lines[0].split()
    key = headers.get("sec-websocket-key", "")
    try:
        key_ok = len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        key_ok = False
    return (len(parts) == 3 and parts[0] == "GET" and parts[2] == "HTTP/1.1"
            and "host" in headers
            and "websocket" in headers.get("upgrade", "").lower()
            and "upgrade" in [t.strip() for t in headers.get("connection", "").lower().split(",")]
            and headers.get("sec-websocket-version") == "13" and key_ok)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        peer = Peer(self.request)
        try:
            head = peer.read_head(time.monotonic() + IO_TIMEOUT)
        except (EOFError, OSError, ValueError):
            return
        lines = head.split("\r\n")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        target = urllib.parse.urlsplit(lines[0].split()[1] if len(lines[0].split()) > 1 else "/")
        query = urllib.parse.parse_qs(target.query)
        agent = query.get("agent", [""])[0]
        key = headers.get("sec-websocket-key", "")
        record = {"handshake_ok": check_request(lines, headers)}
        path = target.path.rstrip("/") or "/"
        bad = server.bad_accept and path == "/runCase"
        accept = accept_for(key + "x") if bad else accept_for(key)
        try:
            peer.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                               "Server: fake-fuzzingserver\r\n\r\n" % accept).encode())
            if path == "/getCaseCount":
                server.results.update(lambda r: r.data.__setitem__(
                    "count_requests", r.data["count_requests"] + 1))
                peer.send_frame(0x1, str(server.cases).encode())
                self.finish_close(peer, record)
            elif path == "/runCase" and bad:
                self.run_bad_accept(peer, record)
                server.results.update(lambda r: r.agent(agent)["cases"].__setitem__(
                    query.get("case", ["?"])[0], record))
            elif path == "/runCase":
                self.run_case(peer, record)
                server.results.update(lambda r: r.agent(agent)["cases"].__setitem__(
                    query.get("case", ["?"])[0], record))
            elif path == "/updateReports":
                server.results.update(lambda r: r.agent(agent).__setitem__("updated", True))
                self.finish_close(peer, record)
            else:
                peer.send_close(1008)
                peer.close_first()
        except (EOFError, OSError) as e:
            record["error"] = repr(e)

    def finish_close(self, peer, record):
        peer.send_close(1000)
        peer.read_close(record)
        peer.close_first()

    def run_case(self, peer, record):
        peer.send_frame(0x1, TEXT)
        peer.send_frame(0x2, BINARY)
        echoes, masked = [], True
        deadline = time.monotonic() + ECHO_WAIT
        message, opcode = b"", None
        try:
            while len(echoes) < 2:
                fin, op, m, payload = peer.read_frame(deadline)
                masked = masked and m
                if op in (0x1, 0x2):
                    message, opcode = payload, op
                elif op == 0x0:
                    message += payload
                elif op == 0x8:
                    record["early_close"] = True
                    break
                else:
                    continue
                if fin:
                    echoes.append((opcode, message))
        except (socket.timeout, EOFError, OSError):
            pass
        record["echoes"] = len(echoes)
        record["echo_ok"] = echoes == [(0x1, TEXT), (0x2, BINARY)]
        record["masked"] = masked
        if record.get("early_close"):
            peer.close_first()
            return
        peer.send_close(1000)
        record["close_code"] = None
        if peer.read_close(record):
            record["client_closed_first"] = peer.client_closes_first()
        peer.close_first()

    def run_bad_accept(self, peer, record):
        sent, closed = False, False
        try:
            peer.send_frame(0x1, TEXT)
            peer.send_close(1000)
            deadline = time.monotonic() + 1.5
            while True:
                peer.fill(deadline)
                sent = True
        except (EOFError, ConnectionError):
            closed = True
        except (socket.timeout, OSError):
            pass
        record["sent_anything"] = sent or bool(peer.buf)
        record["client_closed"] = closed
        try:
            peer.sock.close()
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--results", required=True)
    ap.add_argument("--cases", type=int, default=3)
    ap.add_argument("--bad-accept", action="store_true")
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.results = Results(args.results)
    server.cases = args.cases
    server.bad_accept = args.bad_accept
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
