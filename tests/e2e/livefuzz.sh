#!/usr/bin/env bash
# Live fuzzing end to end: `wsspec fuzz` finds, minimizes and saves a crash of
# tests/peers/fragile_server.py and MUST violations (the fragile server's rsv
# mode, wsspec-badpeer --violate accept-rsv); `wsspec replay` reproduces them
# ("same", exit 0) and says "different" against `wsspec serve`; fuzzing
# `wsspec serve` finds nothing.
#
#   bash tests/e2e/livefuzz.sh BUILD_DIR      (about 75 s)
set -euo pipefail

build_dir=${1:?usage: livefuzz.sh BUILD_DIR}
ws=$build_dir/wsspec
badpeer=$build_dir/wsspec-badpeer
python=/usr/bin/python3
fragile=$(cd "$(dirname "$0")/../peers" && pwd)/fragile_server.py
[[ -x $ws ]] || { echo "FAIL: $ws not found" >&2; exit 1; }
[[ -x $python ]] || { echo "SKIP: $python not found" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() {
    "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# fuzz_run NAME EXPECTED_RC ARGS...: run wsspec fuzz, keep its output in $work/NAME.out.
fuzz_run() {
    local name=$1 want=$2 rc=0
    shift 2
    timeout 80 "$ws" fuzz "$@" >"$work/$name.out" 2>&1 || rc=$?
    cat "$work/$name.out"
    [[ $rc == "$want" ]] || fail "$name: wsspec fuzz exited $rc, expected $want"
}
# check_minimized FILE: the note states sizes before and after, after <= before.
check_minimized() {
    local note
    note=$(grep '^note minimized from' "$1") || fail "$1: no minimization note"
    echo "  $note"
    read -r a0 b0 a1 b1 < <(sed -E 's|^note minimized from ([0-9]+) actions/([0-9]+) octets to ([0-9]+) actions/([0-9]+) octets.*|\1 \2 \3 \4|' <<<"$note")
    ((a1 <= a0 && b1 <= b0)) || fail "$1: minimization grew the session ($note)"
}
# replay_expect FILE WANT_RC WANT_WORD ARGS...
replay_expect() {
    local file=$1 want=$2 word=$3 rc=0 out
    shift 3
    out=$(timeout 30 "$ws" replay "$file" "$@") || rc=$?
    out=$(tail -n 1 <<<"$out") # the wire log comes first
    echo "  replay: $out"
    [[ $rc == "$want" && $out == "$word"* ]] || fail "replay $file: exit $rc, '$out' (expected $word)"
}

echo "== crash: fragile_server.py --mode crash"
port=$(free_port)
peer="$python $fragile --mode crash --port $port"
fuzz_run crash 1 "ws://127.0.0.1:$port/" --exec "$peer" --seconds 30 --seed 1 \
    --findings "$work/crash"
finding=$(ls "$work"/crash/crash-*.repro 2>/dev/null | head -1)
[[ -n $finding ]] || fail "no crash finding"
grep -q '^oracle crash$' "$finding" || fail "$finding: wrong oracle"
grep -q '^detail exit status 3' "$finding" || fail "$finding: not the exit status 3 crash"
check_minimized "$finding"
replay_expect "$finding" 0 same --exec "$peer"
sport=$(free_port)
replay_expect "$finding" 1 different "ws://127.0.0.1:$sport/" --exec "$ws serve --listen 127.0.0.1:$sport"
"$ws" replay --to-chunks "$finding" >"$work/crash.bin"
[[ -s $work/crash.bin ]] || fail "--to-chunks wrote nothing"
if [[ -x $build_dir/fuzz-replay/replay_frame ]]; then
    "$build_dir/fuzz-replay/replay_frame" "$work/crash.bin" >/dev/null || fail "replay_frame rejected the chunks"
fi

echo "== MUST: fragile_server.py --mode rsv"
port=$(free_port)
peer="$python $fragile --mode rsv --port $port"
fuzz_run rsv 1 "ws://127.0.0.1:$port/" --exec "$peer" --seconds 12 --seed 1 --hang-ms 1000 \
    --findings "$work/rsv"
finding=$(grep -l 'RSV_NOT_NEGOTIATED' "$work"/rsv/must-*.repro 2>/dev/null | head -1)
[[ -n $finding ]] || fail "no MUST finding naming RSV_NOT_NEGOTIATED"
check_minimized "$finding"
replay_expect "$finding" 0 same --exec "$peer" --hang-ms 1000
sport=$(free_port)
replay_expect "$finding" 1 different "ws://127.0.0.1:$sport/" --exec "$ws serve --listen 127.0.0.1:$sport" --hang-ms 1000

echo "== MUST: wsspec-badpeer --violate accept-rsv"
if [[ -x $badpeer ]]; then
    port=$(free_port)
    fuzz_run badpeer 1 "ws://127.0.0.1:$port/" \
        --exec "$badpeer --listen 127.0.0.1:$port --violate accept-rsv" --seconds 8 --seed 2 \
        --hang-ms 1000 --findings "$work/badpeer"
    ls "$work"/badpeer/must-*.repro >/dev/null 2>&1 || fail "no MUST finding against accept-rsv"
else
    echo "  (no $badpeer: skipped)"
fi

echo "== no false positives: wsspec serve"
port=$(free_port)
fuzz_run serve 0 "ws://127.0.0.1:$port/" --exec "$ws serve --listen 127.0.0.1:$port" \
    --seconds 10 --seed 3 --findings "$work/serve" --corpus "$work/corpus"
if ls "$work"/serve/*.repro >/dev/null 2>&1; then fail "findings against wsspec serve"; fi
ls "$work"/corpus/live-*.repro >/dev/null 2>&1 || fail "no corpus entries written"

echo "== usage errors"
rc=0; "$ws" fuzz ws://192.0.2.1:9/ --seconds 1 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "non-loopback URL without --allow-remote: exit $rc, expected 2"
rc=0; "$ws" fuzz --bogus 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "bad flag: exit $rc, expected 2"
port=$(free_port)
rc=0; "$ws" fuzz "ws://127.0.0.1:$port/" --seconds 1 --findings "$work/none" >/dev/null 2>&1 || rc=$?
[[ $rc == 3 ]] || fail "unreachable target: exit $rc, expected 3"
echo "PASS"
