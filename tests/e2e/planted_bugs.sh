#!/usr/bin/env bash
# The live fuzzer's acceptance test: wsspec-planted (tests/peers/planted/)
# has one planted bug per --bug switch. For each, `wsspec fuzz` starts from
# the shipped seed corpus (corpus/live, copied; no suite seeds), must find the
# bug within 60 s with the right oracle, save a minimized reproducer, and
# `wsspec replay` of it against a fresh server with the same bug must say
# "same". Fuzzing the server with --bug none finds nothing.
#
#   bash tests/e2e/planted_bugs.sh BUILD_DIR    (about 1-2 min; at most ~5)
set -euo pipefail

build_dir=${1:?usage: planted_bugs.sh BUILD_DIR}
ws=$build_dir/wsspec
planted=$build_dir/wsspec-planted
root=$(cd "$(dirname "$0")/../.." && pwd)
python=/usr/bin/python3
[[ -x $ws ]] || { echo "FAIL: $ws not found" >&2; exit 1; }
[[ -x $planted ]] || { echo "SKIP: $planted not built" >&2; exit 77; }
[[ -x $python ]] || { echo "SKIP: $python not found" >&2; exit 77; }
[[ -d $root/corpus/live ]] || { echo "FAIL: corpus/live missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() {
    "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
seed=${WSSPEC_PLANTED_SEED:-1}
# In a sanitizer build, freed memory waits in ASan's quarantine (256 MiB by
# default) and would count as the server's own growth for the rss oracle.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
# The rss limit sits between the halved flood (64 MiB) and what a conformant
# session leaves behind. Under ASan the server's peak is not its own: shadow
# memory and the allocator's caches make it creep up from session to session,
# so a finding there may be the sum of earlier sessions, which no single
# session reproduces. The memory bug is therefore hunted in builds without
# ASan only; the other three are hunted in both.
rss_limit=56
asan=false
if ldd "$planted" 2>/dev/null | grep -q libasan; then
    asan=true
fi

# hunt BUG ORACLE_REGEX [fuzz args...]: fuzz until the first finding, check it, replay it.
hunt() {
    local bug=$1 want=$2 rc=0 port finding note start end nseeds
    shift 2
    echo "== --bug $bug"
    # The seeds alone (run unmutated first) do not trigger the bug.
    port=$(free_port)
    cp -r "$root/corpus/live" "$work/seeds-$bug"
    nseeds=$(($(ls "$work/seeds-$bug"/*.repro | wc -l) + 1))
    timeout 60 "$ws" fuzz "ws://127.0.0.1:$port/" --exec "$planted --port $port --bug $bug" \
        --runs "$nseeds" --no-suite-seeds --corpus "$work/seeds-$bug" --findings "$work/s-$bug" \
        "$@" >"$work/seeds-$bug.out" 2>&1 || fail "--bug $bug: the seeds alone found something: $(cat "$work/seeds-$bug.out")"
    port=$(free_port)
    cp -r "$root/corpus/live" "$work/corpus-$bug"
    start=$(date +%s%N)
    timeout 150 "$ws" fuzz "ws://127.0.0.1:$port/" --exec "$planted --port $port --bug $bug" \
        --seconds 60 --seed "$seed" --stop-after 1 --no-suite-seeds --corpus "$work/corpus-$bug" \
        --findings "$work/f-$bug" "$@" >"$work/$bug.out" 2>&1 || rc=$?
    end=$(date +%s%N)
    cat "$work/$bug.out"
    [[ $rc == 1 ]] || fail "--bug $bug: wsspec fuzz exited $rc, expected 1 (a finding)"
    finding=$(ls "$work/f-$bug"/*.repro 2>/dev/null | head -1)
    [[ -n $finding ]] || fail "--bug $bug: no reproducer saved"
    grep -Eq "^oracle ($want)\$" "$finding" || fail "$finding: oracle is '$(grep '^oracle' "$finding")', expected $want"
    note=$(grep '^note minimized from' "$finding") || fail "$finding: not minimized ($(grep '^note' "$finding"))"
    read -r b0 b1 < <(sed -E 's|^note minimized from [0-9]+ actions/([0-9]+) octets to [0-9]+ actions/([0-9]+) octets.*|\1 \2|' <<<"$note")
    ((b1 <= b0)) || fail "$finding: minimization grew the session ($note)"
    echo "  $note"
    echo "  time to first finding: $(sed -nE 's/.*first after ([0-9.]+) s.*/\1/p' "$work/$bug.out") s (whole run $(((end - start) / 1000000)) ms, minimization included)"
    # The replay starts a fresh server with the same bug.
    port=$(free_port)
    local out rc2=0
    out=$(timeout 60 "$ws" replay --quiet "$finding" "ws://127.0.0.1:$port/" \
        --exec "$planted --port $port --bug $bug" "$@") || rc2=$?
    echo "  replay: $out"
    [[ $rc2 == 0 && $out == same* ]] || fail "replay $finding: exit $rc2, '$out' (expected same)"
    # ...and the bug is the planted one: the conformant server does not show it.
    port=$(free_port)
    out=$(timeout 60 "$ws" replay --quiet "$finding" "ws://127.0.0.1:$port/" \
        --exec "$planted --port $port --bug none" "$@") || true
    echo "  replay against --bug none: $out"
    [[ $out == different* ]] || fail "replay $finding against --bug none: '$out' (expected different)"
}

# With ASan the planted crashes may be reported as sanitizer findings.
hunt length64 'crash|sanitizer'
hunt opcode-loop 'hang|unresponsive' --hang-ms 500
if $asan; then
    echo "== --bug continuation-growth: skipped under ASan (peak RSS is not the server's own)"
else
    hunt continuation-growth 'rss' --rss-limit "$rss_limit"
fi
hunt long-header 'crash|sanitizer'

echo "== --bug none (conformant): 15 s, nothing to find"
port=$(free_port)
cp -r "$root/corpus/live" "$work/corpus-none"
rc=0
timeout 60 "$ws" fuzz "ws://127.0.0.1:$port/" --exec "$planted --port $port --bug none" \
    --seconds 15 --seed "$seed" --no-suite-seeds --corpus "$work/corpus-none" --rss-limit "$rss_limit" \
    --hang-ms 500 --findings "$work/f-none" >"$work/none.out" 2>&1 || rc=$?
cat "$work/none.out"
[[ $rc == 0 ]] || fail "--bug none: wsspec fuzz exited $rc (findings: $(ls "$work/f-none"))"
echo "planted_bugs: OK"
