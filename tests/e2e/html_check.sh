#!/usr/bin/env bash
# The HTML report of a real run is well-formed, self-contained and safe:
# wsspec serve + wsspec test-server on a few families, then every page
# through tests/e2e/html_check.py (see there for the rules). Also runs
# `wsspec diff DIR DIR` (no regression against itself: exit 0).
#
#   bash tests/e2e/html_check.sh BUILD_DIR
#
# Skips (exit 0) while the CLI does not write index.html / know `diff`.
# Needs only bash, coreutils and /usr/bin/python3 (standard library).
set -euo pipefail

build_dir=${1:?usage: html_check.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
wsspec="$build_dir/wsspec"
python=/usr/bin/python3
[[ -x $wsspec ]] || { echo "FAIL: $wsspec not found" >&2; exit 1; }
[[ -x $python ]] || { echo "FAIL: $python not found" >&2; exit 1; }

workdir=$(mktemp -d)
srv_pid=
cleanup() {
    if [[ -n $srv_pid ]]; then
        kill "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

port=$($python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$wsspec" serve --listen "127.0.0.1:$port" --quiet &
srv_pid=$!
for _ in $(seq 50); do
    $python -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
    sleep 0.1
done

out="$workdir/reports"
rc=0
timeout 300 "$wsspec" test-server "ws://127.0.0.1:$port" -q -o "$out" \
    -c '1.1.*,2.*,5.19,6.4.*,7.1.*,7.5.1,9.7.1' >/dev/null || rc=$?
if (( rc > 1 )); then
    echo "FAIL: wsspec test-server exited with $rc" >&2
    exit 1
fi
if [[ ! -f $out/index.html ]]; then
    echo "SKIP: wsspec test-server does not write index.html yet"
    exit 0
fi
$python "$here/html_check.py" "$out"/*.html

if "$wsspec" diff --help >/dev/null 2>&1 || "$wsspec" diff "$out" "$out" >/dev/null 2>&1; then
    "$wsspec" diff "$out" "$out" >"$workdir/diff.txt" || {
        echo "FAIL: wsspec diff DIR DIR reported regressions" >&2
        cat "$workdir/diff.txt" >&2
        exit 1
    }
    grep -q '^0 regressions' "$workdir/diff.txt" || {
        echo "FAIL: unexpected diff output" >&2
        cat "$workdir/diff.txt" >&2
        exit 1
    }
fi
echo "PASS: html_check"
