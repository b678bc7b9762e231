#!/usr/bin/python3
"""A deliberately fragile WebSocket echo server for testing `wsspec fuzz`.

Single-threaded (one selectors event loop), conformant to RFC 6455 except for
one flaw per mode:

  crash  exits with status 3 when a text frame's payload contains b"\\xde\\xad"
  hang   blocks its event loop for 10 s on a Ping with more than 100 octets
  rsv    echoes frames with RSV bits set instead of failing the connection (MUST)
  none   no flaw

usage: fragile_server.py --mode MODE --port PORT [--host 127.0.0.1]
Prints "listening on HOST:PORT" once it accepts connections. Standard library only.
"""
import argparse
import base64
import binascii
import hashlib
import os
import selectors
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEAD = 16384
MAX_MESSAGE = 1 << 20


def tokens(value):
    return [t.strip().lower() for t in value.split(b",")]


def check_request(head):
    """Return (accept_key, None) or (None, http_error_response)."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or not parts[2].startswith(b"HTTP/"):
        return None, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    try:
        major, minor = (int(x) for x in parts[2][5:].split(b"."))
    except ValueError:
        return None, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    if (major, minor) < (1, 1):
        return None, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        if b":" not in line or line[:1] in (b" ", b"\t"):
            return None, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
        name, value = line.split(b":", 1)
        if name != name.strip() or not name:
            return None, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
        headers.setdefault(name.lower(), []).append(value.strip(b" \t"))
    bad = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    if len(headers.get(b"host", [])) != 1:
        return None, bad
    if not any(b"websocket" in tokens(v) for v in headers.get(b"upgrade", [])):
        return None, bad
    if not any(b"upgrade" in tokens(v) for v in headers.get(b"connection", [])):
        return None, bad
    keys = headers.get(b"sec-websocket-key", [])
    if len(keys) != 1:
        return None, bad
    try:
        if len(base64.b64decode(keys[0], validate=True)) != 16:
            return None, bad
    except (binascii.Error, ValueError):
        return None, bad
    if headers.get(b"sec-websocket-version", []) != [b"13"]:
        return None, (b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                      b"Content-Length: 0\r\n\r\n")
    return base64.b64encode(hashlib.sha1(keys[0] + GUID).digest()), None


def frame(opcode, payload, rsv=0):
    n = len(payload)
    b0 = 0x80 | (rsv << 4) | opcode
    if n < 126:
        return struct.pack("!BB", b0, n) + payload
    if n < 65536:
        return struct.pack("!BBH", b0, 126, n) + payload
    return struct.pack("!BBQ", b0, 127, n) + payload


VALID_CODES = set(range(1000, 1004)) | set(range(1007, 1015)) | set(range(3000, 5000))


class Conn:
    def __init__(self, sock, mode):
        self.sock = sock
        self.mode = mode
        self.buf = b""
        self.open = False
        self.msg_op = None
        self.msg = b""
        self.closing = False

    def send(self, data):
        try:
            self.sock.setblocking(True)
            self.sock.sendall(data)
            self.sock.setblocking(False)
        except OSError:
            self.closing = True

    def fail(self, code):
        self.send(frame(0x8, struct.pack("!H", code)))
        self.closing = True

    def feed(self, data):
        self.buf += data
        if not self.open:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self.send(b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n")
                    self.closing = True
                return
            head, self.buf = self.buf[:end], self.buf[end + 4:]
            accept, error = check_request(head)
            if error:
                self.send(error)
                self.closing = True
                return
            self.send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            self.open = True
        while not self.closing and self.frame():
            pass

    def frame(self):
        b = self.buf
        if len(b) < 2:
            return False
        fin, rsv, op = b[0] >> 7, (b[0] >> 4) & 7, b[0] & 15
        masked, n, pos = b[1] >> 7, b[1] & 127, 2
        if n == 126:
            if len(b) < 4:
                return False
            n, pos = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return False
            n, pos = struct.unpack("!Q", b[2:10])[0], 10
            if n >> 63:
                self.fail(1002)
                return False
        if rsv and self.mode != "rsv":
            self.fail(1002)
            return False
        if op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15) or not masked:
            self.fail(1002)
            return False
        if op >= 8 and (not fin or n > 125):
            self.fail(1002)
            return False
        if n > MAX_MESSAGE:
            self.fail(1009)
            return False
        if len(b) < pos + 4 + n:
            return False
        key = b[pos:pos + 4]
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(b[pos + 4:pos + 4 + n]))
        self.buf = b[pos + 4 + n:]
        if op == 0x1 and self.mode == "crash" and b"\xde\xad" in payload:
            os._exit(3)
        if op == 0x8:
            return self.close(payload)
        if op == 0x9:
            if self.mode == "hang" and len(payload) > 100:
                time.sleep(10)
            self.send(frame(0xA, payload))
            return True
        if op == 0xA:
            return True
        if op == 0x0 and self.msg_op is None or op in (1, 2) and self.msg_op is not None:
            self.fail(1002)
            return False
        if op in (1, 2):
            self.msg_op = op
            self.msg = b""
        self.msg += payload
        if len(self.msg) > MAX_MESSAGE:
            self.fail(1009)
            return False
        if fin:
            if self.msg_op == 1:
                try:
                    self.msg.decode("utf-8")
                except UnicodeDecodeError:
                    self.fail(1007)
                    return False
            self.send(frame(self.msg_op, self.msg))
            self.msg_op = None
        return True

    def close(self, payload):
        if len(payload) == 1:
            self.fail(1002)
            return False
        if len(payload) >= 2:
            code = struct.unpack("!H", payload[:2])[0]
            if code not in VALID_CODES:
                self.fail(1002)
                return False
            try:
                payload[2:].decode("utf-8")
            except UnicodeDecodeError:
                self.fail(1007)
                return False
            self.send(frame(0x8, payload[:2]))
        else:
            self.send(frame(0x8, b""))
        self.closing = True
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["crash", "hang", "rsv", "none"], default="crash")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(128)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    print("listening on %s:%d" % (args.host, args.port), flush=True)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                try:
                    sock, _ = lsock.accept()
                except OSError:
                    continue
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(sock, selectors.EVENT_READ, Conn(sock, args.mode))
                continue
            conn = key.data
            try:
                data = conn.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                conn.feed(data)
            if not data or conn.closing:
                sel.unregister(conn.sock)
                try:
                    conn.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                conn.sock.close()


if __name__ == "__main__":
    sys.exit(main())
