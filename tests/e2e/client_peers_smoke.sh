#!/usr/bin/env bash
# Smoke test of the client-side peers (the testees of `wsspec test-client`):
# wsspec-badclient (conformant and with violations), the python3-websockets
# client and the node ws client, each run through the Autobahn client loop
# against tests/peers/fake_fuzzingserver.py, which records what it saw.
#
#   bash tests/e2e/client_peers_smoke.sh BUILD_DIR
#
# Exit 0 on success, 1 on failure, 77 (skip) when node's ws or
# python3-websockets is missing (after the wsspec-badclient checks have run).
set -euo pipefail

build_dir=${1:?usage: client_peers_smoke.sh BUILD_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
client="$build_dir/wsspec-badclient"
python=/usr/bin/python3
fake="$here/peers/fake_fuzzingserver.py"
[[ -x $client ]] || { echo "FAIL: $client not found or not executable" >&2; exit 1; }
[[ -x $python ]] || { echo "FAIL: $python not found" >&2; exit 1; }

workdir=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# start_server NAME [ARGS...]: run a fake fuzzingserver, set $port.
start_server() {
    local name=$1
    shift
    timeout 600 "$python" "$fake" --results "$workdir/$name.json" "$@" \
        >"$workdir/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        # The background job may not have created the log yet.
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$workdir/$name.log" \
            2>/dev/null || true)
        [[ -n $port ]] && return 0
        sleep 0.05
    done
    echo "FAIL: fake fuzzingserver '$name' did not start:" >&2
    cat "$workdir/$name.log" >&2
    exit 1
}

# run LABEL COMMAND...: run a client with a time limit; it must exit 0.
run() {
    local label=$1
    shift
    if ! timeout 60 "$@" >"$workdir/$label.out" 2>&1; then
        fail "$label: '$*' did not exit 0"
        sed 's/^/    /' "$workdir/$label.out" >&2
    fi
}

# expect RESULTS AGENT KEY=JSON...: the agent ran all 3 cases, updateReports
# reached the server, and every case record has each KEY equal to JSON.
expect() {
    local results=$1 agent=$2
    shift 2
    if ! "$python" - "$results" "$agent" "$@" <<'PY'; then
import json, sys
results, agent, wants = sys.argv[1], sys.argv[2], sys.argv[3:]
data = json.load(open(results))
a = data["agents"].get(agent)
problems = []
if a is None:
    problems.append("no record for the agent")
else:
    if not a["updated"]:
        problems.append("updateReports never arrived")
    if sorted(a["cases"]) != ["1", "2", "3"]:
        problems.append("cases run: %s (want 1, 2, 3)" % sorted(a["cases"]))
    for case, rec in sorted(a["cases"].items()):
        for want in wants:
            key, value = want.split("=", 1)
            if rec.get(key, "<missing>") != json.loads(value):
                problems.append("case %s: %s is %s, want %s" % (case, key,
                                json.dumps(rec.get(key, "<missing>")), value))
for p in problems:
    print("    " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
        fail "$agent: unexpected outcome in $(basename "$results")"
    fi
}

start_server good
good="ws://127.0.0.1:$port"
start_server badaccept --bad-accept
badaccept="ws://127.0.0.1:$port"

# --- wsspec-badclient: command line --------------------------------------------
"$client" --list >"$workdir/list.out" || fail "--list did not exit 0"
for v in no-echo corrupt-echo no-mask zero-mask accept-bad-accept accept-no-upgrade \
    accept-any-extension accept-any-protocol accept-non-101 accept-masked-frames \
    no-utf8-check utf8-fail-late accept-rsv accept-reserved-opcode no-pong no-close-reply \
    wrong-close-code close-tcp-first; do
    grep -q "^$v " "$workdir/list.out" || fail "--list does not show $v"
done
set +e
"$client" --url "$good" --agent x --violate no-such-thing >/dev/null 2>"$workdir/bad.err"
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "an unknown violation exited $rc, want 2"
[[ $(wc -l <"$workdir/bad.err") -eq 1 ]] || fail "an unknown violation printed more than one line"

# --- wsspec-badclient against the conformant fake server -------------------------
run bc-ok "$client" --url "$good" --agent bc-ok
expect "$workdir/good.json" bc-ok handshake_ok=true echo_ok=true masked=true close_code=1000 \
    client_closed_first=false
run bc-zero-mask "$client" --url "$good" --agent bc-zero-mask --violate zero-mask
expect "$workdir/good.json" bc-zero-mask echo_ok=true masked=true close_code=1000
run bc-no-echo "$client" --url "$good" --agent bc-no-echo --violate no-echo
expect "$workdir/good.json" bc-no-echo echo_ok=false echoes=0 close_code=1000
run bc-corrupt-echo "$client" --url "$good" --agent bc-corrupt-echo --violate corrupt-echo
expect "$workdir/good.json" bc-corrupt-echo echo_ok=false echoes=2
run bc-no-mask "$client" --url "$good" --agent bc-no-mask --violate no-mask
expect "$workdir/good.json" bc-no-mask masked=false
run bc-wrong-close-code "$client" --url "$good" --agent bc-wrong-close-code \
    --violate wrong-close-code
expect "$workdir/good.json" bc-wrong-close-code echo_ok=true close_code=1002
run bc-close-tcp-first "$client" --url "$good" --agent bc-close-tcp-first \
    --violate close-tcp-first
expect "$workdir/good.json" bc-close-tcp-first echo_ok=true close_code=1000 \
    client_closed_first=true

# --- wsspec-badclient against a wrong Sec-WebSocket-Accept ------------------------
run bc-strict "$client" --url "$badaccept" --agent bc-strict
expect "$workdir/badaccept.json" bc-strict sent_anything=false client_closed=true
run bc-lax "$client" --url "$badaccept" --agent bc-lax --violate accept-bad-accept
expect "$workdir/badaccept.json" bc-lax sent_anything=true

if [[ $failures -ne 0 ]]; then
    echo "FAIL: $failures check(s) failed" >&2
    exit 1
fi

# --- real clients ------------------------------------------------------------------
missing=
"$python" -c 'import websockets' 2>/dev/null || missing+=" python3-websockets"
if ! command -v node >/dev/null ||
    ! node -e "module.paths.push('/usr/share/nodejs', '/usr/lib/nodejs'); require('ws')" \
        2>/dev/null; then
    missing+=" node-ws"
fi
if [[ -n $missing ]]; then
    echo "SKIP: wsspec-badclient OK; missing:$missing"
    exit 77
fi

run python "$python" "$here/peers/real/python_websockets_client.py" "$good" python-websockets
expect "$workdir/good.json" python-websockets handshake_ok=true echo_ok=true masked=true \
    close_code=1000 client_closed_first=false
run python-bad "$python" "$here/peers/real/python_websockets_client.py" "$badaccept" \
    python-websockets
expect "$workdir/badaccept.json" python-websockets sent_anything=false
# No client_closed_first check: ws half-closes TCP (socket.end()) as soon as both close
# frames have been exchanged, whichever side it is on.
run node node "$here/peers/real/node_ws_client.js" "$good" node-ws
expect "$workdir/good.json" node-ws handshake_ok=true echo_ok=true masked=true close_code=1000
run node-bad node "$here/peers/real/node_ws_client.js" "$badaccept" node-ws
expect "$workdir/badaccept.json" node-ws sent_anything=false

if [[ $failures -ne 0 ]]; then
    echo "FAIL: $failures check(s) failed" >&2
    exit 1
fi
echo "OK: wsspec-badclient, python3-websockets and node ws clients behave as expected"
