#!/usr/bin/python3
"""Run the whole server suite against real WebSocket peers.

    /usr/bin/python3 tests/e2e/real_peers.py BUILD_DIR

Peers: python3-websockets (tests/peers/real/python_websockets_echo.py) and
node's ws (tests/peers/real/node_ws_echo.js), both from Debian. Each must pass
(wsspec exit 0: no case FAILED) and its NON-STRICT set must be exactly the
known one, so a regression in wsspec or a change in the peer shows.
Exit 0 pass, 1 fail, 77 skip (a peer's runtime is not installed).
Standard library only.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import peers  # noqa: E402
from peers import free_port, idkey, overall  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS_DIR = os.path.join(os.path.dirname(HERE), "peers", "real")
PYTHON = "/usr/bin/python3"
RUN_TIMEOUT = 240

# Known NON-STRICT sets (everything else must be OK or INFORMATIONAL).
# python websockets 10.4 is asynchronous: a bad frame right behind a valid
# message fails the connection before the echo goes out (3.x, 4.x, 5.15), and
# it validates UTF-8 per frame, so a bad code point inside one frame is seen
# only when the frame is complete (6.4.3, 6.4.4).
PYTHON_WEBSOCKETS_NON_STRICT = {
    "3.2", "3.3", "3.4", "4.1.3", "4.1.4", "4.1.5", "4.2.3", "4.2.4", "4.2.5", "5.15",
    "6.4.3", "6.4.4"}
# ws validates UTF-8 only once the whole message arrived (fail-late).
NODE_WS_NON_STRICT = {"6.4.1", "6.4.2", "6.4.3", "6.4.4"}

# FLAKY (python websockets): in 3.4 and 4.2.5 the three frames arrive one
# octet per TCP write, and whether the asyncio handler's echo of the valid
# message goes out before the reader task sees the bad header is a race: over
# 6 quiet runs 3.4 was NON-STRICT 2 times and OK 4 times, 4.2.5 NON-STRICT 5
# times and OK once. Both verdicts are right for such a peer, so these may be
# OK or NON-STRICT (never FAILED); the outcome is printed on every run.
PYTHON_WEBSOCKETS_RACY = {"3.4", "4.2.5"}

# The asserted run: the Autobahn-equivalent families. wsspec's own families
# (20.* handshake, 21.* masking/lengths) are run too and printed, but not
# asserted: real peers legitimately differ there and the cases are new.
ASSERTED = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,9.*,10.*"
EXTRA = "20.*,21.*"
# permessage-deflate, with compression on in both peers: a sample of 12.x and
# 13.x (every data set and offer, small and fragmented settings) and all of 23.
COMPRESSION = "12.*.1,12.*.11,13.*.1,13.*.11,23.*"

def start(argv, what):
    p, _ = peers.start(argv, r"listening on 127\.0\.0\.1:\d+", what, timeout=15,
                       stderr=subprocess.PIPE)
    return p


def run(wsspec, port, cases, outdir):
    """One test-server run: (exit status, stderr, {id: overall}, {id: report file})."""
    try:
        r = subprocess.run([wsspec, "test-server", "ws://127.0.0.1:%d" % port, "-c", cases,
                            "-o", outdir, "-j", "8", "-q"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=RUN_TIMEOUT)
        rc, err = r.returncode, r.stderr
    except subprocess.TimeoutExpired:
        rc, err = None, "timed out after %d s" % RUN_TIMEOUT
    results, files = {}, {}
    try:
        with open(os.path.join(outdir, "index.json")) as f:
            for cs in json.load(f).values():
                for cid, v in cs.items():
                    results[cid] = overall(v)
                    files[cid] = os.path.join(outdir, v.get("reportfile", ""))
    except (OSError, ValueError) as e:
        err += " (no index.json: %s)" % e
    return rc, err, results, files


def have_node_ws():
    if not shutil.which("node"):
        return False
    probe = ("module.paths.push('/usr/share/nodejs','/usr/lib/nodejs');"
             "require('ws');")
    return subprocess.run(["node", "-e", probe], capture_output=True, timeout=30).returncode == 0


def have_python_websockets():
    return subprocess.run([PYTHON, "-c", "import websockets"], capture_output=True,
                          timeout=30).returncode == 0


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: real_peers.py BUILD_DIR")
    wsspec = os.path.join(sys.argv[1], "wsspec")
    if not os.access(wsspec, os.X_OK):
        print("FAIL: %s not found or not executable" % wsspec)
        return 1
    peers.stop_peers_on_signals()

    missing = []
    if not have_python_websockets():
        missing.append("python3-websockets")
    if not have_node_ws():
        missing.append("node / node-ws")
    if missing:
        print("SKIP: not installed: %s" % ", ".join(missing))
        return 77

    echo_peers = [
        ("python-websockets", [PYTHON, os.path.join(PEERS_DIR, "python_websockets_echo.py")],
         PYTHON_WEBSOCKETS_NON_STRICT, PYTHON_WEBSOCKETS_RACY),
        ("node-ws", ["node", os.path.join(PEERS_DIR, "node_ws_echo.js")], NODE_WS_NON_STRICT,
         set()),
    ]
    work = tempfile.mkdtemp(prefix="wsspec-real-")
    ok = True
    try:
        for name, argv, want_ns, racy in echo_peers:
            port = free_port()
            try:
                peer = start(argv + [str(port)], name)
            except RuntimeError as e:
                print("FAIL: %s" % e)
                ok = False
                continue
            t = time.time()
            rc, err, results, files = run(wsspec, port, ASSERTED, os.path.join(work, name))
            el = time.time() - t
            _, _, extra, _ = run(wsspec, port, EXTRA, os.path.join(work, name + "-extra"))
            peers.stop(peer)
            by = {}
            for cid, res in results.items():
                by.setdefault(res, []).append(cid)
            for k in by:
                by[k].sort(key=idkey)
            bad = []
            if rc != 0:
                bad.append("wsspec exit status %s (expected 0) %s" % (rc, err.strip()))
            for cid in by.get("FAILED", []):
                try:
                    with open(files[cid]) as f:
                        d = json.load(f)
                    why = "%s/%s: %s | %s" % (d["behavior"], d["behaviorClose"],
                                              d.get("result", ""), d.get("resultClose", ""))
                except (OSError, ValueError, KeyError):
                    why = ""
                bad.append("FAILED %s %s" % (cid, why))
            got_ns = set(by.get("NON-STRICT", [])) - racy
            want_ns = want_ns - racy
            if got_ns != want_ns:
                new = sorted(got_ns - want_ns, key=idkey)
                lost = sorted(want_ns - got_ns, key=idkey)
                bad.append("NON-STRICT set changed: new %s, no longer %s" %
                           (" ".join(new) or "-", " ".join(lost) or "-"))
            print("%-18s %d cases in %.1f s: %s" % (
                name, len(results), el,
                ", ".join("%s %d" % (k, len(v)) for k, v in sorted(by.items()))))
            for k in ("NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED"):
                if by.get(k):
                    print("  %-13s %s" % (k, " ".join(by[k])))
            if racy:
                print("  racy (OK or NON-STRICT): %s" % " ".join(
                    "%s=%s" % (c, results.get(c, "MISSING")) for c in sorted(racy, key=idkey)))
            notok = sorted((c for c, r in extra.items() if r not in ("OK", "INFORMATIONAL")),
                           key=idkey)
            print("  not asserted (%s): %d cases, not OK: %s" % (
                EXTRA, len(extra), " ".join("%s=%s" % (c, extra[c]) for c in notok) or "-"))
            for b in bad:
                print("  MISMATCH: " + b)
            ok = ok and not bad
        # The same peers with permessage-deflate on: no FAILED, nothing
        # UNIMPLEMENTED (both speak the extension).
        for name, argv, _, _ in echo_peers:
            port = free_port()
            try:
                peer = start(argv + [str(port), "--deflate"], name + " --deflate")
            except RuntimeError as e:
                print("FAIL: %s" % e)
                ok = False
                continue
            t = time.time()
            rc, err, results, files = run(wsspec, port, COMPRESSION,
                                          os.path.join(work, name + "-deflate"))
            el = time.time() - t
            peers.stop(peer)
            bad = [c for c, r in results.items() if r in ("FAILED", "UNIMPLEMENTED")]
            print("%-18s %d compression cases in %.1f s: %s" % (
                name + " +pmd", len(results), el, "no FAILED" if not bad else "FAILED/UNIMPLEMENTED " + " ".join(sorted(bad, key=idkey))))
            if rc != 0 or bad or not results:
                print("  MISMATCH: exit %s %s" % (rc, err.strip()))
                ok = False
    finally:
        peers.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
