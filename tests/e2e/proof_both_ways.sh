#!/usr/bin/env bash
# The proof that every conformance case can both pass and fail: each
# wsspec-badpeer violation must fail (or make NON-STRICT) exactly the cases it
# breaks, the conformant peers must pass everything, and every case must be
# failable. The work is done by proof_both_ways.py (standard library only).
#
#   bash tests/e2e/proof_both_ways.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: proof_both_ways.sh BUILD_DIR}
python=/usr/bin/python3
[[ -x $python ]] || { echo "FAIL: $python not found" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The script kills its own children; the outer timeout is a last resort.
exec timeout -k 10 540 "$python" "$here/proof_both_ways.py" "$build_dir"
