#!/usr/bin/env bash
# Live fuzzing of a client end to end (`wsspec fuzz --client`): against
# wsspec-badclient with a planted flaw (--violate accept-rsv, no-mask,
# crash-long-ping) it saves a "mode client" reproducer that `wsspec replay --client`
# reproduces ("same", exit 0) and that a conformant client does not
# ("different", exit 1); against the conformant wsspec-badclient and the
# python3-websockets client it finds nothing.
#
# The planted flaws stop at the first finding (--stop-after 1).
#
#   bash tests/e2e/livefuzz_client.sh BUILD_DIR      (about 30-60 s)
set -euo pipefail

build_dir=${1:?usage: livefuzz_client.sh BUILD_DIR}
ws=$build_dir/wsspec
badclient=$build_dir/wsspec-badclient
python=/usr/bin/python3
real_client=$(cd "$(dirname "$0")/../peers/real" && pwd)/python_websockets_client.py
[[ -x $ws ]] || { echo "FAIL: $ws not found" >&2; exit 1; }
[[ -x $badclient ]] || { echo "SKIP: $badclient not found" >&2; exit 77; }
[[ -x $python ]] || { echo "SKIP: $python not found" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() {
    "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# fuzz_run NAME EXPECTED_RC ARGS...
fuzz_run() {
    local name=$1 want=$2 rc=0
    shift 2
    timeout 80 "$ws" fuzz --client "$@" >"$work/$name.out" 2>&1 || rc=$?
    cat "$work/$name.out"
    [[ $rc == "$want" ]] || fail "$name: wsspec fuzz --client exited $rc, expected $want"
}
# replay_expect FILE WANT_RC WANT_WORD ARGS...: the last line starts with WANT_WORD.
replay_expect() {
    local file=$1 want=$2 word=$3 rc=0 out
    shift 3
    out=$(timeout 30 "$ws" replay "$file" "$@") || rc=$?
    printf '%s\n' "$out" >"$work/replay.out"
    out=$(tail -n 1 <<<"$out")
    echo "  replay: $out"
    [[ $rc == "$want" && $out == "$word"* ]] || fail "replay $file: exit $rc, '$out' (expected $word)"
}

echo "== MUST: wsspec-badclient --violate accept-rsv"
port=$(free_port)
bad="$badclient --url {url} --agent fuzz --violate accept-rsv"
good="$badclient --url {url} --agent fuzz"
fuzz_run rsv 1 --listen "127.0.0.1:$port" --exec "$bad" --seconds 30 --stop-after 1 --seed 1 --hang-ms 1000 \
    --findings "$work/rsv"
finding=$(grep -l 'RSV_NOT_NEGOTIATED' "$work"/rsv/must-*.repro 2>/dev/null | head -1)
[[ -n $finding ]] || fail "no MUST finding naming RSV_NOT_NEGOTIATED"
grep -q '^mode client$' "$finding" || fail "$finding: not mode client"
grep -q '^note minimized from' "$finding" || fail "$finding: no minimization note"
port=$(free_port)
replay_expect "$finding" 0 same --client --listen "127.0.0.1:$port" --exec "$bad" --hang-ms 1000
grep -q '<-  GET /s1' "$work/replay.out" || fail "the client's request is not in the wire log"
grep -q -- '->  HTTP/1.1 101' "$work/replay.out" || fail "the response is not in the wire log"
grep -qE -- '->  #[0-9]+ .*FIN=[01] RSV=(1..|.1.|..1) ' "$work/replay.out" ||
    fail "no frame with an RSV bit in the wire log"
replay_expect "$finding" 1 different --client --listen "127.0.0.1:$port" --exec "$good" --hang-ms 1000

echo "== MUST: wsspec-badclient --violate no-mask"
port=$(free_port)
fuzz_run nomask 1 --listen "127.0.0.1:$port" \
    --exec "$badclient --url {url} --agent fuzz --violate no-mask" --seconds 30 --stop-after 1 --seed 2 \
    --hang-ms 1000 --findings "$work/nomask"
grep -l 'MASK_MISSING' "$work"/nomask/must-*.repro >/dev/null 2>&1 || fail "no MASK_MISSING finding"

echo "== crash: wsspec-badclient --violate crash-long-ping"
port=$(free_port)
crash="$badclient --url {url} --agent fuzz --violate crash-long-ping"
fuzz_run crash 1 --listen "127.0.0.1:$port" --exec "$crash" --seconds 40 --stop-after 1 --seed 3 --hang-ms 1000 \
    --findings "$work/crash"
finding=$(ls "$work"/crash/crash-*.repro 2>/dev/null | head -1)
[[ -n $finding ]] || fail "no crash finding"
grep -q '^detail killed by signal 6' "$finding" || fail "$finding: not the SIGABRT crash"
[[ -f $finding.stderr ]] || fail "no stderr saved next to $finding"
port=$(free_port)
replay_expect "$finding" 0 same --client --listen "127.0.0.1:$port" --exec "$crash" --quiet
replay_expect "$finding" 1 different --client --listen "127.0.0.1:$port" --exec "$good" --quiet

echo "== no false positives: the conformant wsspec-badclient"
port=$(free_port)
fuzz_run good 0 --listen "127.0.0.1:$port" --exec "$good" --seconds 8 --seed 3 --hang-ms 1000 \
    --findings "$work/good"
if ls "$work"/good/*.repro >/dev/null 2>&1; then fail "findings against a conformant client"; fi

if "$python" -c 'import websockets' 2>/dev/null; then
    echo "== no false positives: python3-websockets"
    port=$(free_port)
    fuzz_run py 0 --listen "127.0.0.1:$port" --exec "$python $real_client {url} fuzz" \
        --seconds 8 --seed 4 --hang-ms 1000 --findings "$work/py"
    if ls "$work"/py/*.repro >/dev/null 2>&1; then fail "findings against python3-websockets"; fi
else
    echo "  (python3-websockets missing: skipped)"
fi

echo "== usage errors"
rc=0; "$ws" fuzz --client --seconds 1 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "--client without --listen: exit $rc, expected 2"
rc=0; "$ws" fuzz --client --listen 192.0.2.1:9 --seconds 1 --findings "$work/x" 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "non-loopback --listen without --allow-remote: exit $rc, expected 2"
rc=0; "$ws" replay "$finding" 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "client-mode reproducer without --listen: exit $rc, expected 2"
port=$(free_port)
rc=0; "$ws" fuzz --client --listen "127.0.0.1:$port" --exec "true {url}" --seconds 3 \
    --findings "$work/none" >/dev/null 2>&1 || rc=$?
[[ $rc == 3 ]] || fail "a client that never connects: exit $rc, expected 3"
echo "PASS"
