#!/usr/bin/python3
"""Proof that every conformance case can both pass and fail.

    /usr/bin/python3 tests/e2e/proof_both_ways.py BUILD_DIR

For every wsspec-badpeer violation (one row of ROWS) the peer is started with
that violation and `wsspec test-server` runs the row's cases; the overall
result of each case (the worse of behavior and behaviorClose) must be what the
row says. Then the conformant badpeer and `wsspec serve` must pass every case,
and every Autobahn-equivalent and family-23 (permessage-deflate) case must be
made FAILED or NON-STRICT by at least one row (the informational cases 7.1.6,
7.13.1, 7.13.2 are exempt: they are INFORMATIONAL by definition and can never
fail).

Standard library only. Exit 0 on success, 1 on any mismatch.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import peers  # noqa: E402
from peers import idkey  # noqa: E402

# ----------------------------------------------------------------- the table
#
# Patterns: an exact id ("5.15"), a glob ("6.4.*", matched against the whole
# id), or a range of the last number ("4.1.3-5" = 4.1.3, 4.1.4, 4.1.5).
#
# fail:       overall result must be FAILED
# nonstrict:  overall result must be NON-STRICT
# ok:         overall result must be OK (or INFORMATIONAL)
# Cases a row does not name are not run for that row.

ECHO_VALID_UTF8 = [  # cases whose only expectation is the echo of valid text/binary
    "1.*", "5.3-8", "5.19", "5.20", "6.1.*", "6.2.*", "6.5.*",
    "6.6.2", "6.6.5", "6.6.7", "6.6.9", "6.6.11", "6.7.*", "6.9.*", "6.11.1-4",
    "6.22.*", "6.23.*", "7.1.1", "10.1.1"]
INVALID_UTF8 = [  # text that is not valid UTF-8: the peer must fail with 1007
    "6.3.*", "6.4.*", "6.6.1", "6.6.3", "6.6.4", "6.6.6", "6.6.8", "6.6.10",
    "6.8.*", "6.10.*", "6.11.5", "6.12.*", "6.13.*", "6.14.*", "6.15.*", "6.16.*",
    "6.17.*", "6.18.*", "6.19.*", "6.20.*", "6.21.*"]
VALID_THEN_INVALID = ["3.2", "3.3", "3.4", "4.1.3-5", "4.2.3-5", "5.15"]
PING_ANSWERED = ["2.1-4", "2.6", "2.9-11", "5.6-8", "5.19", "5.20"]
PEER_MUST_FAIL = ["2.5", "3.1-7", "4.*", "5.1", "5.2", "5.9-18"]
CLOSE_CASES = ["7.1.1-5", "7.3.*", "7.5.1", "7.7.*", "7.9.*"]
BAD_CLOSE = ["7.3.2", "7.3.6", "7.5.1", "7.9.*"]

ROWS = [
    dict(violate="no-echo",
         fail=["1.1.1", "1.2.1", "5.3", "6.1.1", "6.2.1", "7.1.1", "10.1.1"],
         nonstrict=VALID_THEN_INVALID,  # nothing echoed before the failure
         ok=["2.1", "6.3.1"]),
    dict(violate="corrupt-echo",
         fail=ECHO_VALID_UTF8 + VALID_THEN_INVALID,
         ok=["2.1", "6.3.1", "7.1.2"]),
    dict(violate="wrong-type-echo",
         fail=["1.1.1", "1.2.1", "3.2", "5.3", "6.1.1", "6.2.1", "7.1.1", "10.1.1"],
         ok=["2.1"]),
    dict(violate="fragment-echo",  # CONTROL: a message may be echoed in any fragmentation
         ok=["1.*", "5.3-8", "5.19", "5.20", "6.1.*", "6.2.*", "6.7.*", "7.1.1",
             "9.1.*", "9.2.*", "10.1.1"]),
    dict(violate="slow-echo",  # 3 s before each echo, the case gives up after 1 s
         fail=["1.1.1", "1.2.1", "7.1.1"],
         ok=["2.1"]),
    dict(violate="small-message-limit",  # closes 1009 on messages over 64 KiB
         fail=["9.1.2-6", "9.2.2-6", "9.3.*", "9.4.*", "9.5.*", "9.6.*"],
         ok=["1.1.7", "1.2.7", "9.1.1", "9.2.1", "10.1.1"]),
    dict(violate="no-pong", fail=PING_ANSWERED, ok=["2.7", "2.8"]),
    dict(violate="bad-pong", fail=PING_ANSWERED, ok=["2.7", "2.8"]),
    # 2.11 is left out: one octet per TCP write, so whether several Pings land
    # in one read (and only the last is answered) depends on timing.
    dict(violate="latest-pong-only", nonstrict=["2.10"], ok=["2.1-9"]),
    # 3.7 (Close with RSV=7) is left out: the peer accepts the Close and answers
    # with an empty Close, which looks exactly like failing the connection
    # without a code (Autobahn's 3.7 has the same blind spot).
    dict(violate="accept-rsv", fail=["3.1-6", "23.1.3"], ok=["1.1.1"]),
    dict(violate="accept-reserved-opcode", fail=["4.*"], ok=["1.1.1"]),
    # 5.2 (fragmented Pong) is not seen with this switch alone: the orphan
    # continuation after the Pong still fails the connection; see the next row.
    dict(violate="accept-bad-control", fail=["2.5", "5.1"], ok=["2.1", "5.2"]),
    dict(violate="accept-bad-control,accept-bad-fragments", fail=["5.2"]),
    dict(violate="accept-bad-fragments", fail=["5.9-18"], ok=["5.1-8", "5.19", "5.20"]),
    dict(violate="accept-unmasked", fail=["21.1.*"], ok=["1.1.1", "21.2.*"]),
    dict(violate="accept-msb-length", fail=["21.4.1", "21.4.2"], ok=["1.1.1"]),
    dict(violate="no-utf8-check", fail=INVALID_UTF8, ok=["6.1.*", "6.2.*", "6.5.*"]),
    dict(violate="utf8-fail-late", nonstrict=["6.4.*"],
         ok=["6.3.*", "6.6.*", "6.8.*", "6.2.*"]),
    dict(violate="utf8-accept-truncated",
         fail=["6.6.1", "6.6.3", "6.6.4", "6.6.6", "6.6.8", "6.6.10", "6.14.6", "6.14.7"],
         ok=["6.3.*", "6.6.2", "6.6.5", "6.6.7", "6.6.9", "6.6.11"]),
    dict(violate="reject-noncharacters",
         fail=["6.9.3", "6.9.4", "6.11.4", "6.22.*", "6.23.6", "6.23.7"],
         ok=["6.1.*", "6.9.1", "6.9.2", "6.23.1-5"]),
    dict(violate="batch-before-echo", nonstrict=VALID_THEN_INVALID,
         ok=["1.1.1", "2.1", "3.1", "4.1.1", "5.9"]),
    # Fails every error with 1000 and answers every Close with 1002; 7.7.3
    # (Close 1002) is the one Close that 1002 answers correctly.
    dict(violate="wrong-close-code",
         fail=["1.1.1", "2.7", "2.8", "3.7", "5.2", "7.1.1-5", "7.3.*", "7.5.1",
               "7.7.1-2", "7.7.4-13", "7.9.*", "9.1.*", "9.2.*", "9.3.*", "9.4.*",
               "9.5.*", "9.6.*", "9.7.1", "9.8.1"],
         ok=["7.7.3"]),
    dict(violate="no-close-reply",
         fail=["1.1.1", "2.7", "2.8", "7.1.1-5", "7.3.1-5", "7.5.1", "7.7.*", "7.9.*"]),
    dict(violate="accept-bad-close", fail=BAD_CLOSE,
         ok=["7.1.1-5", "7.3.1", "7.3.3-5", "7.7.*"]),
    dict(violate="no-tcp-close",
         fail=["1.1.1", "2.7", "7.1.1-5", "7.3.1", "7.3.3-5", "7.7.*"],
         # failing the connection still closes TCP at once
         ok=["3.1", "7.3.2", "7.9.1"]),
    # A peer that echoes or answers a Ping after its own Close breaks RFC 6455
    # §5.5.1 ("MUST NOT send any more data frames").
    dict(violate="data-after-close", fail=["7.1.3", "7.1.4", "7.1.5"], ok=["7.1.1", "7.1.2"]),
    dict(violate="close-on-error-silently",  # CONTROL: failing by a TCP drop is valid
         ok=PEER_MUST_FAIL + INVALID_UTF8 + BAD_CLOSE + ["1.1.1", "7.1.1"]),
    dict(violate="mask-server-frames",
         fail=["1.1.1", "2.1", "6.1.1", "7.1.1", "7.7.1", "9.*",
               # wsspec's own families: the accepted handshakes and the frames
               "20.1.*", "21.2.*", "21.3.*", "21.5.*"]),
    # The opening handshake fails: wsspec stops before any case (exit 3).
    dict(violate="bad-accept", exit=3, stderr=r"Sec-WebSocket-Accept"),
    dict(violate="no-handshake", exit=3, stderr=r"404"),
    dict(violate="stall-after-handshake", fail=["1.1.1", "2.1", "3.1", "7.1.1"]),
    # Requests RFC 6455 §4.2.1 says to refuse, answered with 101 anyway.
    # (20.4.4: ignoring a malformed extension offer is NON-STRICT, not FAILED.)
    dict(violate="accept-any-request", fail=["20.2.*", "20.3.1", "20.3.3", "20.3.4", "20.4.1-3"],
         nonstrict=["20.4.4"], ok=["20.1.1"]),
    # §4.4: a refusal for an unknown version names the versions spoken.
    dict(violate="no-version-header", fail=["20.3.2", "20.3.3", "20.3.4"], ok=["20.3.1"]),
    # permessage-deflate (family 23, RFC 7692): one switch per rule. 23.1.3
    # (RSV1 without the extension) is failed by accept-rsv above.
    dict(violate="pmd-rsv1-on-control", fail=["23.1.1"], ok=["23.1.2-9"]),
    dict(violate="pmd-rsv1-on-continuation", fail=["23.1.2"], ok=["23.1.1", "23.1.3-9"]),
    dict(violate="pmd-ignore-bad-data", fail=["23.1.4"], ok=["23.1.1-3", "23.1.6-9"]),
    dict(violate="pmd-ignore-bomb", fail=["23.1.5"], ok=["23.1.4", "23.1.6-9"]),
    dict(violate="pmd-refuse-uncompressed", fail=["23.1.6", "23.1.7"], ok=["23.1.8", "23.1.9"]),
    dict(violate="pmd-inflate-per-frame", fail=["23.1.8"], ok=["23.1.6", "23.1.7", "23.1.9"]),
    dict(violate="pmd-keep-context", fail=["23.1.9"], ok=["23.1.6-8"]),
    dict(violate="pmd-accept-bad-window", fail=["23.2.1-3"], ok=["23.2.4-6", "23.1.9"]),
    dict(violate="pmd-accept-repeated", fail=["23.2.4"], ok=["23.2.1-3", "23.2.5", "23.2.6"]),
    dict(violate="pmd-accept-unknown", fail=["23.2.5"], ok=["23.2.1-4", "23.2.6"]),
    dict(violate="pmd-accept-flag-value", fail=["23.2.6"], ok=["23.2.1-5", "23.1.9"]),
]

# The Autobahn-equivalent families and permessage-deflate's family 23: every
# case here must be failed by a row.
COVERED_FAMILIES = {"1", "2", "3", "4", "5", "6", "7", "9", "10", "23"}
INFORMATIONAL = {"7.1.6", "7.13.1", "7.13.2"}
# Cases of those families for clients only: test-server does not run them;
# client_proof.py proves them.
CLIENT_ONLY = ["23.3.*"]

BADPEER_TOO_SLOW = []  # every case runs against the badpeer too

RUN_TIMEOUT = 150  # seconds for one wsspec run
JOBS = "8"

# ------------------------------------------------------------------ helpers

def expand(patterns, universe):
    out = set()
    for pat in patterns:
        m = re.fullmatch(r"((?:\d+\.)*)(\d+)-(\d+)", pat)
        if m:
            for n in range(int(m.group(2)), int(m.group(3)) + 1):
                cid = m.group(1) + str(n)
                if cid not in universe:
                    raise SystemExit("pattern %s: no case %s" % (pat, cid))
                out.add(cid)
        elif "*" in pat:
            rx = re.compile(re.escape(pat).replace(r"\*", ".*") + r"\Z")
            hits = {c for c in universe if rx.match(c)}
            if not hits:
                raise SystemExit("pattern %s matches no case" % pat)
            out |= hits
        else:
            if pat not in universe:
                raise SystemExit("pattern %s: no such case" % pat)
            out.add(pat)
    return out


def start(argv, ready_rx, what):
    """Start a server, return (process, port) once it printed its port."""
    try:
        p, m = peers.start(argv, ready_rx, what)
    except RuntimeError as e:
        raise SystemExit(str(e))
    return p, int(m.group(1))


def overall(v):
    """The overall verdict, with INFORMATIONAL counted as OK."""
    r = peers.overall(v)
    return r if r in ("FAILED", "NON-STRICT", "UNIMPLEMENTED") else "OK"


def run_suite(wsspec, port, cases, exclude, outdir):
    argv = [wsspec, "test-server", "ws://127.0.0.1:%d" % port, "-o", outdir, "-j", JOBS, "-q"]
    if cases is not None:
        argv += ["-c", ",".join(sorted(cases, key=idkey))]
    if exclude:
        argv += ["-x", ",".join(sorted(exclude, key=idkey))]
    try:
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", {}, {}
    results, details = {}, {}
    index = os.path.join(outdir, "index.json")
    if os.path.exists(index):
        with open(index) as f:
            data = json.load(f)
        for agent, cs in data.items():
            for cid, v in cs.items():
                results[cid] = overall(v)
                details[cid] = (v, os.path.join(outdir, v.get("reportfile", "")))
    return r.returncode, r.stderr, results, details


def reasons(details, cid):
    v, path = details.get(cid, ({}, ""))
    try:
        with open(path) as f:
            d = json.load(f)
        return "%s/%s: %s | %s" % (d.get("behavior"), d.get("behaviorClose"),
                                    d.get("result", ""), d.get("resultClose", ""))
    except (OSError, ValueError):
        return "%s/%s (no per-case report)" % (v.get("behavior"), v.get("behaviorClose"))


# --------------------------------------------------------------------- main

def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: proof_both_ways.py BUILD_DIR")
    build = sys.argv[1]
    wsspec = os.path.join(build, "wsspec")
    badpeer = os.path.join(build, "wsspec-badpeer")
    for exe in (wsspec, badpeer):
        if not os.access(exe, os.X_OK):
            raise SystemExit("FAIL: %s not found or not executable" % exe)
    peers.stop_peers_on_signals()

    listing = subprocess.run([wsspec, "list"], capture_output=True, text=True, timeout=30).stdout
    universe = {l.split()[0] for l in listing.splitlines() if l.strip()}
    client_only = expand(CLIENT_ONLY, universe)
    known = subprocess.run([badpeer, "--list"], capture_output=True, text=True,
                           timeout=30).stdout
    violations = [l.split()[0] for l in known.splitlines() if l.strip()]

    work = tempfile.mkdtemp(prefix="wsspec-proof-")
    t0 = time.time()
    failures = []  # (label, lines)
    table = []
    required = {}  # case id -> rows that make it FAILED/NON-STRICT
    try:
        # Every violation the badpeer knows has a row, and no row is stale.
        named = {v for row in ROWS for v in row["violate"].split(",")}
        for v in violations:
            if v not in named:
                failures.append(("table", ["badpeer violation %s has no row" % v]))
        for v in named - set(violations):
            failures.append(("table", ["row names unknown violation %s" % v]))

        for i, row in enumerate(ROWS):
            name = row["violate"]
            want = {}
            for key, verdict in (("ok", "OK"), ("nonstrict", "NON-STRICT"), ("fail", "FAILED")):
                for cid in expand(row.get(key, []), universe):
                    if cid in want and want[cid] != verdict:
                        raise SystemExit("row %s: %s is both %s and %s" %
                                         (name, cid, want[cid], verdict))
                    want[cid] = verdict
            for cid, verdict in want.items():
                if verdict != "OK":
                    required.setdefault(cid, []).append(name)
            peer, port = start([badpeer, "--listen", "127.0.0.1:0", "--violate", name],
                               r"listening on 127\.0\.0\.1:(\d+)", "badpeer " + name)
            t = time.time()
            outdir = os.path.join(work, "row%02d" % i)
            cases = set(want) or {"1.1.1"}
            rc, err, got, details = run_suite(wsspec, port, cases, [], outdir)
            peers.stop(peer)
            el = time.time() - t
            bad = []
            if rc is None:
                bad.append("wsspec did not finish within %d s" % RUN_TIMEOUT)
            elif "exit" in row:
                if rc != row["exit"]:
                    bad.append("exit status %d, expected %d" % (rc, row["exit"]))
                if not re.search(row["stderr"], err):
                    bad.append("stderr does not match %r: %s" % (row["stderr"], err.strip()))
            else:
                if rc not in (0, 1):
                    bad.append("exit status %d: %s" % (rc, err.strip()))
                expect_rc = 1 if "FAILED" in want.values() else 0
                if rc in (0, 1) and rc != expect_rc:
                    bad.append("exit status %d, expected %d" % (rc, expect_rc))
                for cid in sorted(want, key=idkey):
                    g = got.get(cid, "MISSING")
                    if g != want[cid]:
                        bad.append("%-8s expected %-10s got %-10s %s" %
                                   (cid, want[cid], g, reasons(details, cid)))
            status = "pass" if not bad else ("KNOWN BUG" if row.get("known_bug") else "FAIL")
            n = len(want) if "exit" not in row else 0
            table.append((name, n, "%.1fs" % el, status))
            if bad:
                label = name + (" (KNOWN WSSPEC BUG: %s)" % row["known_bug"]
                                if row.get("known_bug") else "")
                failures.append((label, bad))

        # The conformant peers: every case OK or INFORMATIONAL.
        info_wrong = []
        for label, argv, rx, exclude in (
                ("badpeer (conformant)", [badpeer, "--listen", "127.0.0.1:0"],
                 r"listening on 127\.0\.0\.1:(\d+)", expand(BADPEER_TOO_SLOW, universe)),
                ("wsspec serve", [wsspec, "serve", "--listen", "127.0.0.1:0", "--quiet"],
                 r"listening on ws://127\.0\.0\.1:(\d+)", set())):
            peer, port = start(argv, rx, label)
            t = time.time()
            outdir = os.path.join(work, "clean-" + label.split()[0])
            # 12.x/13.x (216 cases x 1000 compressed echoes) are proven by
            # the compression checks of real_peers, not here.
            exclude = exclude | {c for c in universe if c.split(".")[0] in ("12", "13")}
            rc, err, got, details = run_suite(wsspec, port, None, exclude, outdir)
            peers.stop(peer)
            el = time.time() - t
            bad = []
            if rc != 0:
                bad.append("exit status %s: %s" % (rc, err.strip()))
            ran = set(got)
            missing = universe - ran - exclude
            # test-server runs the server cases only; the client ones (22.*) are not listed.
            missing = {c for c in missing if c.split(".")[0] in COVERED_FAMILIES} - client_only
            for cid in sorted(missing, key=idkey):
                bad.append("%-8s not run" % cid)
            for cid in sorted(got, key=idkey):
                g = got[cid]
                v = details[cid][0]
                if cid in INFORMATIONAL:
                    if (v["behavior"], v["behaviorClose"]) != ("INFORMATIONAL", "INFORMATIONAL"):
                        info_wrong.append(cid)
                        bad.append("%-8s expected INFORMATIONAL got %s" % (cid, reasons(details, cid)))
                elif g != "OK":
                    # Only the non-Autobahn families may be NON-STRICT on a conformant peer
                    # (e.g. 20.4.4: ignoring a malformed extension offer is allowed).
                    if g == "NON-STRICT" and cid.split(".")[0] not in COVERED_FAMILIES:
                        continue
                    bad.append("%-8s expected OK         got %-10s %s" % (cid, g, reasons(details, cid)))
            table.append((label + ", all cases", len(got), "%.1fs" % el, "pass" if not bad else "FAIL"))
            if bad:
                failures.append((label, bad))
            if label == "wsspec serve":
                server_cases = ran

        # Coverage: every Autobahn-equivalent and family-23 case can fail.
        scope = {c for c in universe if c.split(".")[0] in COVERED_FAMILIES} - client_only
        uncovered = sorted(scope - set(required) - INFORMATIONAL, key=idkey)
        others = sorted((server_cases - scope) - set(required), key=idkey)
        if uncovered:
            failures.append(("coverage", ["no row makes these FAILED or NON-STRICT: " +
                                          " ".join(uncovered)]))

        # ---------------------------------------------------------- report
        print("%-42s %6s %8s  %s" % ("violation", "cases", "time", "result"))
        for name, n, el, status in table:
            print("%-42s %6s %8s  %s" % (name, n, el, status))
        print()
        print("coverage: %d of %d cases of families %s are made FAILED or NON-STRICT by a row;"
              % (len(scope & set(required)), len(scope),
                 ",".join(sorted(COVERED_FAMILIES, key=int))))
        print("  exempt: %s (INFORMATIONAL by definition: they can never fail)"
              % " ".join(sorted(INFORMATIONAL, key=idkey)))
        if others:
            print("  note: %d server case(s) outside those families no row can fail yet "
                  "(the badpeer has no switch for them): %s" % (len(others), " ".join(others)))
        print("total %.1f s" % (time.time() - t0))
        if failures:
            print()
            for label, lines in failures:
                print("MISMATCH: %s" % label)
                for l in lines:
                    print("  " + l)
            print("FAIL")
            return 1
        print("PASS")
        return 0
    finally:
        peers.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
