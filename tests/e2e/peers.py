"""Scaffolding shared by the end-to-end scripts that run wsspec against peers
(proof_both_ways.py, real_peers.py, client_proof.py): starting a peer and
waiting for its "listening on" line, stopping every peer on exit or signal,
free ports, case ids in order, and the overall verdict of a case.
Standard library only.
"""

import re
import selectors
import signal
import socket
import subprocess
import sys
import time

# Every peer started and not yet stopped.
children = []


def cleanup(*_):
    """Kill every peer still running."""
    for p in children:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    children.clear()


def on_signal(signum, _frame):
    cleanup()
    sys.exit(128 + signum)


def stop_peers_on_signals():
    """SIGTERM, SIGINT and SIGHUP kill the peers and exit 128 + the signal."""
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def idkey(cid):
    """Sort key of a case id: "9.10.1" after "9.2.1"."""
    return tuple(int(x) for x in cid.split("."))


def start(argv, ready_rx, what, timeout=10, stderr=subprocess.DEVNULL):
    """Start a peer and wait until a line of its output matches ready_rx.
    Returns (process, match). Raises RuntimeError when the peer exits or
    says nothing matching within timeout seconds (with the end of its
    stderr if stderr is subprocess.PIPE)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
    children.append(p)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not sel.select(timeout=max(0.0, deadline - time.time())):
            break
        line = p.stdout.readline()
        if not line:
            break
        m = re.search(ready_rx, line)
        if m:
            return p, m
    err = ""
    if p.poll() is not None and p.stderr is not None:
        err = p.stderr.read()
    raise RuntimeError("%s did not start: %s" % (what, err.strip()[-500:] or "no listening line"))


def stop(p):
    if p.poll() is None:
        p.kill()
    p.wait()
    if p in children:
        children.remove(p)


def overall(v):
    """The overall verdict of a case in index.json: FAILED when its close
    behaviour is neither OK nor INFORMATIONAL, else its behaviour."""
    b, c = v["behavior"], v["behaviorClose"]
    if b == "FAILED" or c not in ("OK", "INFORMATIONAL"):
        return "FAILED"
    return b
