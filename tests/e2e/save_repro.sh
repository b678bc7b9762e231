#!/usr/bin/env bash
# `wsspec test-server --save-repro DIR` end to end: against wsspec-badpeer
# --violate accept-rsv every FAILED case of family 3 is saved as a
# reproducer; `wsspec replay` prints its wire log and says "same" against the
# same peer and "different" against `wsspec serve`; a conformant server
# leaves DIR empty; a 16 MiB case is recorded only up to 1 MiB.
#
#   bash tests/e2e/save_repro.sh BUILD_DIR      (about 10 s)
set -euo pipefail

build_dir=${1:?usage: save_repro.sh BUILD_DIR}
ws=$build_dir/wsspec
badpeer=$build_dir/wsspec-badpeer
python=/usr/bin/python3
[[ -x $ws ]] || { echo "FAIL: $ws not found" >&2; exit 1; }
[[ -x $badpeer ]] || { echo "SKIP: $badpeer not found" >&2; exit 77; }
[[ -x $python ]] || { echo "SKIP: $python not found" >&2; exit 77; }

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() {
    "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
    for _ in $(seq 50); do
        "$python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "nothing listens on port $1"
}
start() { # start PORT CMD...: run a peer in the background
    local port=$1
    shift
    "$@" >"$work/peer-$port.log" 2>&1 &
    pids+=($!)
    wait_port "$port"
}
# replay_expect FILE WANT_RC WANT_WORD ARGS...: the last line starts with WANT_WORD.
replay_expect() {
    local file=$1 want=$2 word=$3 rc=0 out last
    shift 3
    out=$(timeout 30 "$ws" replay "$file" "$@") || rc=$?
    last=$(tail -n 1 <<<"$out")
    echo "  replay: $last"
    [[ $rc == "$want" && $last == "$word"* ]] || fail "replay $file: exit $rc, '$last' (expected $word)"
    printf '%s\n' "$out" >"$work/replay.out"
}

echo "== FAILED cases of wsspec-badpeer --violate accept-rsv are saved"
bport=$(free_port)
start "$bport" "$badpeer" --listen "127.0.0.1:$bport" --violate accept-rsv
rc=0
"$ws" test-server "ws://127.0.0.1:$bport/" -c "3.*,1.1.1" -o "$work/rep" --save-repro "$work/bad" -q \
    >"$work/bad.out" 2>&1 || rc=$?
[[ $rc == 1 ]] || { cat "$work/bad.out"; fail "test-server exited $rc, expected 1"; }
failed=$(grep -c '^  FAILED ' "$work/bad.out" || true)
saved=$(ls "$work"/bad/case-*.repro | wc -l)
echo "  $failed FAILED cases, $saved reproducers"
((failed >= 1 && saved == failed)) || fail "expected one reproducer per FAILED case"
[[ ! -e $work/bad/case-1.1.1.repro ]] || fail "a reproducer for the passing case 1.1.1"
f=$work/bad/case-3.2.repro
[[ -f $f ]] || fail "no case-3.2.repro"
grep -q '^mode server$' "$f" || fail "$f: not mode server"
grep -q '^oracle must$' "$f" || fail "$f: not oracle must"
grep -q '^detail .' "$f" || fail "$f: no detail"
grep -q '^shape hs101 ' "$f" || fail "$f: no shape"
grep -q '^send 474554' "$f" || fail "$f: the opening request is not the first write"

echo "== replay against the same peer: same, with the wire log"
replay_expect "$f" 0 same
grep -q '^ *[0-9.]* ms  ->  GET / HTTP/1.1$' "$work/replay.out" || fail "no request line in the wire log"
grep -q '<-  HTTP/1.1 101' "$work/replay.out" || fail "no response line in the wire log"
grep -q -- '->  #[0-9]* Text FIN=1 RSV=010 mask=[0-9a-f]\{8\} len=' "$work/replay.out" ||
    fail "the frame with RSV=010 is not in the wire log"
grep -q -- '<-  #[0-9]* Text FIN=1 RSV=000 mask=- len=' "$work/replay.out" ||
    fail "no echo in the wire log"
out=$("$ws" replay --quiet "$f") || fail "replay --quiet: exit $?"
[[ $(wc -l <<<"$out") == 1 && $out == same* ]] || fail "replay --quiet printed more than the verdict: $out"

echo "== replay against a conformant server: different"
sport=$(free_port)
replay_expect "$f" 1 different "ws://127.0.0.1:$sport/" --exec "$ws serve --listen 127.0.0.1:$sport"

echo "== a conformant server: nothing saved"
sport=$(free_port)
start "$sport" "$ws" serve --listen "127.0.0.1:$sport"
"$ws" test-server "ws://127.0.0.1:$sport/" -c "3.*" -o "$work/rep2" --save-repro "$work/good" -q \
    >/dev/null 2>&1 || fail "test-server against wsspec serve failed"
[[ -d $work/good && -z $(ls -A "$work/good") ]] || fail "reproducers saved for a conformant server"

echo "== a 16 MiB case is recorded up to 1 MiB"
bport=$(free_port)
start "$bport" "$badpeer" --listen "127.0.0.1:$bport" --violate small-message-limit
"$ws" test-server "ws://127.0.0.1:$bport/" -c "9.1.6" -o "$work/rep3" --save-repro "$work/big" -q \
    >/dev/null 2>&1 || true
f=$work/big/case-9.1.6.repro
[[ -f $f ]] || fail "no case-9.1.6.repro"
grep -q '^note .*truncated at 1048576 octets' "$f" || fail "$f: no truncation note"
size=$(stat -c %s "$f")
echo "  $f: $size octets"
((size < 2500000)) || fail "$f is $size octets"
"$ws" replay --quiet "$f" >/dev/null || true # runs and ends; the verdict is the peer's business
echo "PASS"
