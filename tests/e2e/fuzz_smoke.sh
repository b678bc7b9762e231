#!/usr/bin/env bash
# Smoke test of the libFuzzer targets (fuzz/): each runs for up to 5 s (and at
# most 200000 inputs) on its seeds and dictionary, and must find nothing.
#
#   bash tests/e2e/fuzz_smoke.sh BUILD_DIR
#
# Uses $WSSPEC_FUZZ_BUILD, else <repo>/build-fuzz when it holds the targets,
# else configures and builds them in BUILD_DIR/fuzz-smoke. Exits 77 (skip)
# when clang is missing. Stays well under 90 s.
set -euo pipefail

build_dir=${1:?usage: fuzz_smoke.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || { echo "SKIP: clang not found"; exit 77; }

targets=()
for f in "$root"/fuzz/*.c; do
    t=$(basename "$f" .c)
    case $t in main_replay | afl_main | frame_mutator) continue ;; esac
    targets+=("$t")
done

fb=${WSSPEC_FUZZ_BUILD:-$root/build-fuzz}
if [[ ! -x $fb/fuzz/fuzz_frame ]]; then
    fb=$(cd "$build_dir" && pwd)/fuzz-smoke
    cmake -S "$root" -B "$fb" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DWSSPEC_BUILD_FUZZERS=ON -DWSSPEC_BUILD_TESTS=OFF -DWSSPEC_BUILD_BENCH=OFF >/dev/null
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
# Up to date, or (re)built; wslay_diff only exists when libwslay was found.
[[ -f $fb/fuzz/Makefile || -f $fb/build.ninja ]] || { echo "FAIL: no fuzz build in $fb" >&2; exit 1; }
for t in "${build_targets[@]}"; do
    cmake --build "$fb" --target "$t" -j"$(nproc)" >/dev/null 2>&1 || true
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ran=0
for t in "${targets[@]}"; do
    bin=$fb/fuzz/fuzz_$t
    if [[ ! -x $bin ]]; then
        [[ $t == wslay_diff ]] && { echo "skip    $t (no libwslay)"; continue; }
        echo "FAIL    $t: not built" >&2; fail=1; continue
    fi
    mkdir -p "$work/$t"
    dict=()
    [[ -f $root/fuzz/$t.dict ]] && dict=(-dict="$root/fuzz/$t.dict")
    if "$bin" -max_total_time=5 -runs=200000 -max_len=4096 -timeout=10 "${dict[@]}" \
        -artifact_prefix="$work/$t/" "$work/$t" "$root/corpus/$t" >"$work/$t.log" 2>&1; then
        echo "ok      $t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/$t.log")"
        ran=$((ran + 1))
    else
        echo "FAIL    $t:" >&2
        tail -30 "$work/$t.log" >&2
        fail=1
    fi
done
[[ $fail == 0 ]] && echo "PASS: $ran fuzz targets ran clean"
exit $fail
