#!/usr/bin/env bash
# Smoke test of wsspec-badpeer: the conformant peer echoes a text message,
# and the same peer with --violate no-echo does not.
#
#   bash tests/e2e/badpeer_smoke.sh BUILD_DIR
#
# Needs only bash, coreutils (timeout) and /usr/bin/python3 (standard library).
set -euo pipefail

build_dir=${1:?usage: badpeer_smoke.sh BUILD_DIR}
peer="$build_dir/wsspec-badpeer"
python=/usr/bin/python3
[[ -x $peer ]] || { echo "FAIL: $peer not found or not executable" >&2; exit 1; }
[[ -x $python ]] || { echo "FAIL: $python not found" >&2; exit 1; }

workdir=$(mktemp -d)
peer_pid=
cleanup() {
    if [[ -n $peer_pid ]]; then
        kill "$peer_pid" 2>/dev/null || true
        wait "$peer_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# The client: handshake, one masked text frame, then report what came back.
# Prints "ECHO <payload>", "NOECHO" (nothing within the timeout), or fails.
cat >"$workdir/client.py" <<'PY'
import base64, hashlib, os, socket, struct, sys

port, payload = int(sys.argv[1]), sys.argv[2].encode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n" % (port, key)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("handshake: connection closed")
    buf += chunk
head, buf = buf.split(b"\r\n\r\n", 1)
lines = head.decode("latin-1").split("\r\n")
if lines[0].split()[1] != "101":
    sys.exit("handshake: " + lines[0])
want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                     .encode()).digest()).decode()
headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
if headers.get("sec-websocket-accept") != want:
    sys.exit("handshake: wrong Sec-WebSocket-Accept")

mask = os.urandom(4)
masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
s.sendall(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)

def need(n):
    global buf
    while len(buf) < n:
        chunk = s.recv(4096)
        if not chunk:
            raise EOFError
        buf += chunk
    out, buf = buf[:n], buf[n:]
    return out

s.settimeout(2)
try:
    b0, b1 = need(2)
except (socket.timeout, EOFError):
    print("NOECHO")
    sys.exit(0)
if b1 & 0x80:
    sys.exit("server frame is masked")
n = b1 & 0x7F
if n == 126:
    n = struct.unpack("!H", need(2))[0]
elif n == 127:
    n = struct.unpack("!Q", need(8))[0]
data = need(n)
if b0 != 0x81:
    sys.exit("unexpected frame 0x%02x %r" % (b0, data))
print("ECHO " + data.decode())
PY

# Start the peer with the given arguments; sets peer_pid and port.
start_peer() {
    stop_peer
    # Create the output files here: the background job opens its redirections
    # only once it runs, and under set -e a sed on a file not yet there would
    # end the script ("sed: can't read .../peer.out").
    : >"$workdir/peer.out"
    : >"$workdir/peer.err"
    "$peer" --listen 127.0.0.1:0 "$@" >"$workdir/peer.out" 2>"$workdir/peer.err" &
    peer_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]\+\)$/\1/p' "$workdir/peer.out")
        [[ -n $port ]] && return 0
        kill -0 "$peer_pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "FAIL: peer did not report its port ($*)" >&2
    cat "$workdir/peer.err" >&2
    exit 1
}

stop_peer() {
    if [[ -n $peer_pid ]]; then
        kill "$peer_pid" 2>/dev/null || true
        wait "$peer_pid" 2>/dev/null || true
        peer_pid=
    fi
}

# expect DESCRIPTION WANTED-OUTPUT
expect() {
    local got
    got=$(timeout 20 "$python" "$workdir/client.py" "$port" "Hello, wsspec!") ||
        { echo "FAIL: $1: client failed" >&2; exit 1; }
    if [[ $got != "$2" ]]; then
        echo "FAIL: $1: expected '$2', got '$got'" >&2
        exit 1
    fi
    echo "ok: $1"
}

start_peer
expect "conformant peer echoes" "ECHO Hello, wsspec!"

start_peer --violate no-echo
expect "no-echo peer does not echo" "NOECHO"

# Usage errors exit with status 2.
rc=0
timeout 5 "$peer" --listen 127.0.0.1:0 --violate no-such-violation 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || { echo "FAIL: unknown violation gave exit $rc, not 2" >&2; exit 1; }
echo "ok: unknown violation exits 2"

echo "PASS"
