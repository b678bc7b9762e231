#!/usr/bin/python3
"""A hostile WebSocket server: each mode misbehaves in one way that must end
in a verdict, never in a crash, a hang or unbounded memory in wsspec.

usage: hostile_server.py MODE   (prints "listening on 127.0.0.1:PORT")
"""
import base64
import hashlib
import itertools
import os
import socket
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MODES = {
    "silent": "accept TCP, never answer",
    "garbage": "answer the handshake with random bytes",
    "endless-header": "101 status line, then header lines forever",
    "huge-frame": "valid handshake, then a frame claiming 2^63-1 octets, streamed forever",
    "msb-frame": "valid handshake, then a frame whose 64-bit length has the MSB set",
    "flood": "valid handshake, then small frames as fast as possible, forever",
    "reset": "valid handshake, half a frame, then a TCP reset",
    "never-close": "valid handshake, echo nothing, ignore the close, never close TCP",
    "xss": "hostile Server/extra headers, markup and invalid UTF-8 in data frames and the close reason",
}


XSS_CONNECTIONS = itertools.count()  # next() is atomic under the GIL


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    return data


def accept_value(head):
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
            return base64.b64encode(hashlib.sha1(key + GUID).digest())
    return b""


def handshake(conn, server=b"hostile"):
    head = read_head(conn)
    if head is None:
        return False
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nServer: " + server + b"\r\n"
                 b"Sec-WebSocket-Accept: " + accept_value(head) + b"\r\n\r\n")
    return True


def serve(conn, mode):
    try:
        if mode == "silent":
            time.sleep(60)
        elif mode == "garbage":
            read_head(conn)
            conn.sendall(os.urandom(4096))
            time.sleep(2)
        elif mode == "endless-header":
            read_head(conn)
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\n")
            for i in range(10**6):
                conn.sendall(b"X-Filler-%d: %s\r\n" % (i, b"a" * 100))
        elif mode == "huge-frame":
            if handshake(conn):
                conn.sendall(b"\x82\x7f" + struct.pack(">Q", 2**63 - 1))
                block = b"\xab" * 65536
                while True:
                    conn.sendall(block)
        elif mode == "msb-frame":
            if handshake(conn):
                conn.sendall(b"\x82\x7f" + struct.pack(">Q", 2**63 + 5) + b"x" * 100)
                time.sleep(5)
        elif mode == "flood":
            if handshake(conn):
                block = b"\x81\x05hello" * 10000
                while True:
                    conn.sendall(block)
        elif mode == "reset":
            if handshake(conn):
                conn.recv(65536)
                conn.sendall(b"\x82\x7e\x10\x00" + b"y" * 100)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "never-close":
            if handshake(conn):
                while conn.recv(65536):
                    pass
                time.sleep(60)
        elif mode == "xss":
            # Markup and invalid UTF-8 everywhere the reports show peer bytes:
            # the Server header (the agent name), another header, text frame
            # previews, a binary frame's hex/ASCII dump, a ping, and the close
            # reason.  tests/e2e/browser_xss.sh looks for these strings.
            server = (b"<script>alert(1)</script>\"><img src=x onerror=alert(2)>"
                      b"\xc3\x28")
            extra = b"X-Hostile: </pre><iframe src=javascript:alert(10)></iframe>\xff"
            if handshake(conn, server + b"\r\n" + extra):
                conn.recv(65536)
                frames = [  # (first octet: FIN + opcode, payload)
                    (0x81, b"<script>alert(4)</script><img src=x onerror=alert(5)>"),
                    (0x81, b"\"><svg onload=alert(6)>"),
                    (0x82, b"\xff\xfe<object data=x></object>\xc0\xaf"),
                    (0x89, b"<b onmouseover=alert(7)>"),
                ]
                # Every other connection: a text message that is not UTF-8, in two
                # fragments (the first ends inside a code point, the second breaks
                # it). wsspec fails the connection there; the others keep the
                # close reason.
                if next(XSS_CONNECTIONS) % 2:
                    frames += [(0x01, b"</code><img src=x onerror=alert(8)>\xf0\x9f"),
                               (0x80, b"\x98\xff<script>alert(9)</script>")]
                reason = b"<script>alert(3)</script>\xff\xfe"
                out = b""
                for first, data in frames:
                    out += bytes([first, len(data)]) + data
                out += b"\x88" + bytes([2 + len(reason)]) + b"\x03\xe8" + reason
                conn.sendall(out)
                time.sleep(1)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        for name, text in MODES.items():
            print(f"{name:15} {text}")
        sys.exit(2)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    print(f"listening on 127.0.0.1:{sock.getsockname()[1]}", flush=True)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve, args=(conn, sys.argv[1]), daemon=True).start()


if __name__ == "__main__":
    main()
