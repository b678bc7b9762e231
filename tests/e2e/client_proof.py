#!/usr/bin/python3
"""Proof both ways for client testing: a conformant client passes every case,
each violation of wsspec-badclient fails the cases it targets, and real
clients (node's ws, python3-websockets) get no FAILED on the Autobahn
families. usage: client_proof.py BUILD_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peers import free_port, overall  # noqa: E402

BUILD = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "..", "peers")
WSSPEC = os.path.join(BUILD, "wsspec")
BADCLIENT = os.path.join(BUILD, "wsspec-badclient")

# violation, cases to run, cases that must come out FAILED (others: not OK is allowed only here)
ROWS = [
    ("no-echo", "1.1.1,1.2.3,5.3,6.2.1,10.1.1", "1.1.1,1.2.3,5.3,6.2.1,10.1.1"),
    ("corrupt-echo", "1.1.2,1.2.2,9.1.1", "1.1.2,1.2.2,9.1.1"),
    ("no-mask", "1.1.1,2.1", "1.1.1,2.1"),
    ("accept-bad-accept", "22.2.1,22.2.2", "22.2.1,22.2.2"),
    ("accept-no-upgrade", "22.2.3,22.2.4,22.2.5", "22.2.3,22.2.4,22.2.5"),
    ("accept-any-extension", "22.2.8", "22.2.8"),
    ("accept-any-protocol", "22.2.9", "22.2.9"),
    ("accept-non-101", "22.2.6,22.2.7", "22.2.6,22.2.7"),
    ("accept-masked-frames", "21.1.1,21.1.2,21.1.3", "21.1.1,21.1.2,21.1.3"),
    ("no-utf8-check", "6.3.1,6.6.1,6.20.1", "6.3.1,6.6.1,6.20.1"),
    ("accept-rsv", "3.1,3.5", "3.1,3.5"),
    ("accept-reserved-opcode", "4.1.1,4.2.1", "4.1.1,4.2.1"),
    ("no-pong", "2.1,2.2", "2.1,2.2"),
    ("no-close-reply", "7.1.1,7.3.3", "7.1.1,7.3.3"),
    ("wrong-close-code", "7.3.3,7.7.1", "7.3.3,7.7.1"),
]
NON_STRICT_ROWS = [("utf8-fail-late", "6.4.1,6.4.2", "6.4.1,6.4.2")]
# With --deflate (the client offers permessage-deflate): violation, cases, must be FAILED.
PMD_ROWS = [
    ("pmd-keep-context", "23.3.1,23.1.6", "23.3.1"),
    ("accept-any-extension", "22.3.*", "22.3.1,22.3.2,22.3.3"),
]
CONTROL_ROWS = [("zero-mask", "1.*,2.*,5.*")]


def run(agent, exec_cmd, cases, out):
    port = free_port()
    cmd = [WSSPEC, "test-client", "--listen", f"127.0.0.1:{port}", "-o", out, "-q",
           "--agent", agent, "--exec", exec_cmd]
    if cases:
        cmd += ["-c", cases]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    index_path = os.path.join(out, "index.json")
    if not os.path.exists(index_path):
        return proc.returncode, {}, proc.stderr
    index = json.load(open(index_path))
    return proc.returncode, index.get(agent, {}), proc.stderr


def reason(out, agent, results, case):
    path = os.path.join(out, results[case]["reportfile"])
    d = json.load(open(path))
    return f'{d["result"]} / {d["resultClose"]}'


def main():
    failures = 0
    tmp = tempfile.mkdtemp()
    try:
        def check(label, agent, exec_cmd, cases, expect):
            nonlocal failures
            out = os.path.join(tmp, label)
            rc, results, err = run(agent, exec_cmd, cases, out)
            bad = []
            for case, want in expect.items():
                got = overall(results[case]) if case in results else "MISSING"
                if got != want and not (want == "OK" and got == "INFORMATIONAL"):
                    bad.append(f"{case}: want {want}, got {got}"
                               + (f" ({reason(out, agent, results, case)})" if case in results else ""))
            print(f"{label:28} {len(results):4} cases  {'ok' if not bad else 'MISMATCH'}")
            for b in bad:
                print("    " + b)
            if bad:
                failures += 1
                print(err[-2000:])
            return results

        # A conformant client passes everything (9.x left out for time), and
        # every case it ran has a result.
        selection = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*,21.*,22.*"
        good = check("conformant", "good", f"{BADCLIENT} --url {{url}} --agent {{agent}}",
                     selection, {})
        not_ok = [c for c, v in good.items() if overall(v) not in ("OK", "INFORMATIONAL")]
        if not good or not_ok:
            print("    conformant client not OK on:", not_ok or "no results")
            failures += 1
        listed = subprocess.run([WSSPEC, "list", selection], capture_output=True, text=True)
        want = len(listed.stdout.splitlines())
        if len(good) != want:
            print(f"    conformant client: {len(good)} results for {want} cases")
            failures += 1
        # The same with permessage-deflate: a sample of 12.x/13.x and the
        # compression checks, every one OK (none UNIMPLEMENTED).
        good = check("conformant +pmd", "good",
                     f"{BADCLIENT} --url {{url}} --agent {{agent}} --deflate",
                     "12.*.1,13.*.1,22.3.*,23.*", {})
        not_ok = [c for c, v in good.items() if overall(v) not in ("OK", "INFORMATIONAL")]
        if not good or not_ok:
            print("    conformant client not OK on:", not_ok or "no results")
            failures += 1
        ROWS.append(("accept-any-extension", "22.3.*", "22.3.1,22.3.2,22.3.3"))
        ROWS.append(("accept-non-101", "22.2.10", "22.2.10"))
        for name, cases, must_fail in ROWS:
            check(name, "bad", f"{BADCLIENT} --url {{url}} --agent {{agent}} --violate {name}",
                  cases, {c: "FAILED" for c in must_fail.split(",")})
        for name, cases, must_fail in PMD_ROWS:
            # The cases named one by one and not in must_fail stay OK.
            expect = {c: "OK" for c in cases.split(",") if "*" not in c}
            expect.update({c: "FAILED" for c in must_fail.split(",")})
            check(name + " +pmd", "bad",
                  f"{BADCLIENT} --url {{url}} --agent {{agent}} --deflate --violate {name}",
                  cases, expect)
        for name, cases, ns in NON_STRICT_ROWS:
            check(name, "bad", f"{BADCLIENT} --url {{url}} --agent {{agent}} --violate {name}",
                  cases, {c: "NON-STRICT" for c in ns.split(",")})
        for name, cases in CONTROL_ROWS:
            res = check(name, "ctl", f"{BADCLIENT} --url {{url}} --agent {{agent}} --violate {name}",
                        cases, {})
            if any(overall(v) not in ("OK", "INFORMATIONAL") for v in res.values()):
                print("    control switch broke a case")
                failures += 1

        # Real clients: no FAILED on the Autobahn families.
        real = []
        if shutil.which("node") and os.path.isdir("/usr/share/nodejs/ws"):
            real.append(("node-ws", f"node {PEERS}/real/node_ws_client.js {{url}} {{agent}}"))
        if subprocess.run(["/usr/bin/python3", "-c", "import websockets"]).returncode == 0:
            real.append(("python-websockets",
                         f"/usr/bin/python3 {PEERS}/real/python_websockets_client.py {{url}} {{agent}}"))
        # The same clients with permessage-deflate on: a sample of 12.x/13.x
        # and the compression checks; nothing FAILED, nothing UNIMPLEMENTED.
        real += [(agent + "-pmd", cmd + " --deflate") for agent, cmd in list(real)]
        for agent, cmd in real:
            out = os.path.join(tmp, agent)
            cases = ("12.*.1,12.*.11,13.*.1,13.*.11,23.*,22.3.*" if agent.endswith("-pmd")
                     else "1.*,2.*,3.*,4.*,5.*,6.*,7.*,9.*,10.*,22.*")
            rc, results, err = run(agent, cmd, cases, out)
            failed = [c for c, v in results.items()
                      if overall(v) == "FAILED" or
                      (agent.endswith("-pmd") and overall(v) == "UNIMPLEMENTED")]
            ns = sorted(c for c, v in results.items() if overall(v) == "NON-STRICT")
            print(f"{agent:28} {len(results):4} cases  {'ok' if results and not failed else 'FAILED'}"
                  f"  NON-STRICT: {', '.join(ns) or 'none'}")
            if not results or failed:
                failures += 1
                for c in failed:
                    print(f"    {c}: {reason(out, agent, results, c)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
