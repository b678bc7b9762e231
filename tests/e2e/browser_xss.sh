#!/usr/bin/env bash
# The HTML report is safe in a real browser: wsspec test-server against
# tests/peers/hostile_server.py xss (markup and invalid UTF-8 in the Server
# header, another header, text/binary/ping payloads and the close reason),
# then index.html and every case page through headless Chromium (--dump-dom
# and --screenshot), checked by browser_xss.py: no peer markup became an
# element or attribute, the payloads show as text, the pages render.
# The report's own filter script is taken from a run against `wsspec serve`.
#
#   bash tests/e2e/browser_xss.sh BUILD_DIR
#
# Exit 77 (skip) without chromium. Bounded to ~85 s. KEEP=DIR keeps the
# work directory (report, DOM dumps, screenshots) for a look.
set -u

build_dir=${1:?usage: browser_xss.sh BUILD_DIR}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z $chromium ]]; then
    echo "SKIP: chromium is not installed (apt-get install -y chromium)"
    exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
wsspec=$build_dir/wsspec
python=/usr/bin/python3
deadline=85
[[ -x $wsspec ]] || { echo "FAIL: $wsspec not found" >&2; exit 1; }

workdir=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

left() { echo $((deadline - SECONDS)); }
bounded() { # SECONDS CMD...: run with a timeout no longer than what is left
    local t=$1 l
    shift
    l=$(left)
    ((l < t)) && t=$l
    ((t > 0)) || { echo "FAIL: out of time (${deadline} s)" >&2; exit 1; }
    timeout -k 5 "$t" "$@"
}

wait_port() { # FILE: the peer prints "listening on 127.0.0.1:PORT"
    local p
    for _ in $(seq 50); do
        p=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$1")
        [[ -n $p ]] && { echo "$p"; return 0; }
        sleep 0.1
    done
    return 1
}

# 1. The reference: the index of a run against wsspec serve (benign peer).
ref_port=$($python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$wsspec" serve --listen "127.0.0.1:$ref_port" --quiet >"$workdir/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    $python -c "import socket; socket.create_connection(('127.0.0.1', $ref_port), 0.2)" 2>/dev/null && break
    sleep 0.1
done
bounded 30 "$wsspec" test-server "ws://127.0.0.1:$ref_port" -q -c 1.1.1 -o "$workdir/ref" \
    >"$workdir/ref.log" 2>&1
[[ -f $workdir/ref/index.html ]] || { echo "FAIL: no reference index.html"; cat "$workdir/ref.log"; exit 1; }

# 2. The hostile run. -j 1: the server alternates two behaviours by
# connection (every other one sends a non-UTF-8 text message), so the
# cases in order get both.
$python "$here/../peers/hostile_server.py" xss >"$workdir/peer.txt" 2>&1 &
pids+=($!)
port=$(wait_port "$workdir/peer.txt") || { echo "FAIL: hostile_server.py xss did not start"; exit 1; }
out=$workdir/xss
bounded 40 "$wsspec" test-server "ws://127.0.0.1:$port" -q -j 1 -o "$out" \
    -c "1.1.1,5.1,7.1.1,9.1.1" >"$workdir/run.log" 2>&1
rc=$?
if ((rc != 1)); then
    echo "FAIL: wsspec test-server exited $rc against the xss peer (want 1: FAILED cases)"
    tail -n 20 "$workdir/run.log"
    exit 1
fi
pages=("$out/index.html")
for f in "$out"/*.html; do [[ $f == "$out/index.html" ]] || pages+=("$f"); done
((${#pages[@]} >= 5)) || { echo "FAIL: expected index + 4 case pages, got ${#pages[@]}"; exit 1; }

# 3. Every page through Chromium: the DOM after parsing (and scripts), and
# a screenshot. Each with its own throwaway profile, no network.
mkdir -p "$workdir/dom" "$workdir/png"
chrome() { # OUTFLAG URL
    local prof
    prof=$(mktemp -d "$workdir/prof.XXXX")
    bounded 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --disable-extensions --hide-scrollbars \
        --user-data-dir="$prof" --window-size=1300,1400 "$@" 2>>"$workdir/chromium.log"
}
for f in "${pages[@]}"; do
    name=$(basename "$f")
    chrome --dump-dom "file://$f" >"$workdir/dom/$name.dom" ||
        { echo "FAIL: chromium --dump-dom failed on $name"; tail -n 5 "$workdir/chromium.log"; exit 1; }
    chrome --screenshot="$workdir/png/$name.png" "file://$f" >/dev/null ||
        { echo "FAIL: chromium --screenshot failed on $name"; tail -n 5 "$workdir/chromium.log"; exit 1; }
done

$python "$here/browser_xss.py" "$workdir/ref/index.html" "$workdir/dom" "$workdir/png" "${pages[@]}" ||
    { [[ -n ${KEEP:-} ]] && cp -a "$workdir" "$KEEP"; exit 1; }
[[ -n ${KEEP:-} ]] && cp -a "$workdir" "$KEEP"
echo "PASS: browser_xss (${SECONDS} s)"
