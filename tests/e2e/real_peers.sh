#!/usr/bin/env bash
# The whole server suite against real peers (python3-websockets and node's
# ws, from Debian): no case may fail and the NON-STRICT sets must be the known
# ones. Exits 77 (skip) if a peer's runtime is not installed.
#
#   bash tests/e2e/real_peers.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: real_peers.sh BUILD_DIR}
python=/usr/bin/python3
[[ -x $python ]] || { echo "SKIP: $python not found" >&2; exit 77; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec timeout -k 10 540 "$python" "$here/real_peers.py" "$build_dir"
