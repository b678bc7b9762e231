#!/usr/bin/env bash
# The JUnit XML of a real run reads in a real consumer: Python's
# xml.etree.ElementTree via tests/e2e/junit_check.py, which checks the
# structure CI reporters rely on (suites per agent and family, counters
# equal to the testcases, failure/skipped/properties as documented in
# reports/report_junit.h), with --strict and without.
#
#   bash tests/e2e/junit_consumer.sh BUILD_DIR
#
# Skips (exit 0) while `wsspec test-server` has no --junit option.
set -euo pipefail

build_dir=${1:?usage: junit_consumer.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
wsspec="$build_dir/wsspec"
python=/usr/bin/python3
[[ -x $wsspec ]] || { echo "FAIL: $wsspec not found" >&2; exit 1; }
[[ -x $python ]] || { echo "FAIL: $python not found" >&2; exit 1; }
if ! "$wsspec" test-server --help 2>&1 | grep -q -- '--junit'; then
    echo "SKIP: wsspec test-server has no --junit option yet"
    exit 0
fi

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

cases='1.1.*,2.*,7.1.*'
for strict in "" "--strict"; do
    rc=0
    timeout 300 "$wsspec" test-server "ws://127.0.0.1:$port" -q -o "$workdir/r" $strict \
        -c "$cases" --junit "$workdir/junit.xml" >/dev/null || rc=$?
    (( rc <= 1 )) || { echo "FAIL: wsspec test-server exited with $rc" >&2; exit 1; }
    # The reference server is conformant: no failure, one suite per family.
    $python "$here/junit_check.py" "$workdir/junit.xml" --failures 0 --suites 3
done
echo "PASS: junit_consumer"
