#!/usr/bin/env bash
# CI fuzzing of every fuzz target (fuzz/<target>.c), bounded to ~4.5 minutes
# on two cores:
#  1. builds the libFuzzer targets with ASan + UBSan in BUILD_DIR/fuzz-smoke
#     (its own tree: the caller's build may be gcc, Release or ASan-only);
#  2. replays corpus/<t>/ and corpus/<t>/regressions/ through each target;
#  3. fuzzes each target for $WSSPEC_SMOKE_SECONDS (20) seconds, two at a
#     time, with its dictionary and options;
#  4. if AFL++ is installed, builds the AFL++ frame target
#     (tools/fuzz/afl-build) and runs afl-fuzz on it for 10 seconds.
# Any crash, invariant failure, leak or timeout fails the test, and the
# command reproducing it is printed. Artifacts stay in BUILD_DIR/fuzz-smoke/smoke/.
#
#   bash tests/e2e/fuzz_smoke.sh BUILD_DIR
#
# Exits 77 (skip) when clang is missing, or from the asan preset's build dir.
set -uo pipefail

build_dir=${1:?usage: fuzz_smoke.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${WSSPEC_SMOKE_SECONDS:-20}
command -v clang >/dev/null || { echo "SKIP: clang not found"; exit 77; }
# The targets are always built with ASan + UBSan here, so running this again
# from the asan preset's build would only repeat the release run's work.
if grep -qs '^WSSPEC_ASAN:BOOL=ON' "$build_dir/CMakeCache.txt"; then
    echo "SKIP: already run from the release build (the fuzz build is ASan + UBSan anyway)"
    exit 77
fi
mkdir -p "$build_dir"
fb=$(cd "$build_dir" && pwd)/fuzz-smoke
out=$fb/smoke
rm -rf "$out" && mkdir -p "$out"
start=$SECONDS
# The sanitizers' own settings, whatever the caller's environment says.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:silence_unsigned_overflow=1

targets=()
for f in "$root"/fuzz/*.c; do
    t=$(basename "$f" .c)
    case $t in main_replay | afl_main | frame_mutator) continue ;; esac
    targets+=("$t")
done

# 1. Build (incremental after the first run).
gen=()
command -v ninja >/dev/null && [[ ! -f $fb/Makefile ]] && gen=(-G Ninja)
if ! cmake -S "$root" -B "$fb" "${gen[@]}" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWSSPEC_BUILD_FUZZERS=ON -DWSSPEC_BUILD_TESTS=OFF -DWSSPEC_BUILD_BENCH=OFF -DWSSPEC_ASAN=OFF \
    -DWSSPEC_WERROR=OFF >"$out/configure.log" 2>&1; then
    echo "FAIL: configuring $fb" >&2
    tail -20 "$out/configure.log" >&2
    exit 1
fi
# wslay_diff only exists when libwslay was found.
build_targets=()
for t in "${targets[@]}"; do
    grep -qsE "(^|[ /])fuzz_$t(:| |\$)" "$fb/build.ninja" "$fb/Makefile" "$fb/fuzz/Makefile" &&
        build_targets+=("fuzz_$t")
done
if ! cmake --build "$fb" -j"$(nproc)" --target "${build_targets[@]}" >"$out/build.log" 2>&1; then
    echo "FAIL: building the fuzz targets" >&2
    grep -E 'error|FAILED' "$out/build.log" | head -20 >&2
    exit 1
fi
echo "built ${#build_targets[@]} targets in $fb ($((SECONDS - start)) s)"

fail=0
bad() { # TARGET WHAT LOG
    echo "FAIL    $1: $2" >&2
    grep -E 'invariant failed|ERROR:|SUMMARY:|runtime error' "$3" | head -5 >&2
    fail=1
}
repro() { # TARGET ARTIFACT...
    local a
    for a in "${@:2}"; do
        echo "  reproduce: $fb/fuzz/fuzz_$1 $a" >&2
        echo "  (or, any build: build/fuzz-replay/replay_$1 $a)" >&2
    done
}

# 2. Replay every seed and regression, each input once.
runnable=()
for t in "${targets[@]}"; do
    bin=$fb/fuzz/fuzz_$t
    if [[ ! -x $bin ]]; then
        [[ $t == wslay_diff ]] && { echo "skip    $t (no libwslay)"; continue; }
        echo "FAIL    $t: not built" >&2
        fail=1
        continue
    fi
    runnable+=("$t")
    mapfile -t inputs < <(find "$root/corpus/$t" -maxdepth 2 -type f ! -name '.*' 2>/dev/null | sort)
    [[ ${#inputs[@]} -eq 0 ]] && continue
    if ! "$bin" -timeout=25 -rss_limit_mb=2560 "${inputs[@]}" >"$out/$t.replay.log" 2>&1; then
        bad "$t" "replaying corpus/$t" "$out/$t.replay.log"
        input=$(grep -oE 'Running: .*' "$out/$t.replay.log" | tail -1 | cut -d' ' -f2-)
        repro "$t" "${input:-corpus/$t}"
    fi
done
echo "replayed the corpora of ${#runnable[@]} targets ($((SECONDS - start)) s)"

# 3. Fuzz each target for $seconds, two at a time.
fuzz_one() { # TARGET
    local t=$1 opts=() key value
    local bin=$fb/fuzz/fuzz_$t
    if [[ -f $root/fuzz/$t.options ]]; then
        while IFS='=' read -r key value; do
            key=${key// /}
            value=${value// /}
            case $key in max_len | timeout | rss_limit_mb) opts+=("-$key=$value") ;; esac
        done < <(sed -n '/^\[libfuzzer\]/,/^\[/p' "$root/fuzz/$t.options")
    fi
    [[ -f $root/fuzz/$t.dict ]] && opts+=("-dict=$root/fuzz/$t.dict")
    mkdir -p "$out/$t/corpus" "$out/$t/artifacts"
    # -timeout after the options file: a CI input running 10 s is a finding.
    timeout -k 10 $((seconds + 90)) "$bin" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2560 -print_final_stats=1 "${opts[@]}" -artifact_prefix="$out/$t/artifacts/" \
        "$out/$t/corpus" "$root/corpus/$t" >"$out/$t.fuzz.log" 2>&1
    echo $? >"$out/$t.rc"
}
jobs_running=0
for t in "${runnable[@]}"; do
    if ((jobs_running >= 2)); then
        wait -n
        jobs_running=$((jobs_running - 1))
    fi
    fuzz_one "$t" &
    jobs_running=$((jobs_running + 1))
done
wait
for t in "${runnable[@]}"; do
    rc=$(cat "$out/$t.rc" 2>/dev/null || echo missing)
    mapfile -t found < <(find "$out/$t/artifacts" -type f 2>/dev/null)
    if [[ $rc == 0 && ${#found[@]} -eq 0 ]]; then
        runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$out/$t.fuzz.log")
        echo "ok      $t: $runs(s), $(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$out/$t.fuzz.log" | tail -1)"
    else
        bad "$t" "fuzzing (exit $rc)" "$out/$t.fuzz.log"
        [[ ${#found[@]} -gt 0 ]] && repro "$t" "${found[@]}"
        echo "  log: $out/$t.fuzz.log" >&2
    fi
done
echo "fuzzed ${#runnable[@]} targets for ${seconds} s each ($((SECONDS - start)) s)"

# 4. AFL++ on the frame target, when installed.
if command -v afl-fuzz >/dev/null && command -v afl-clang-fast >/dev/null; then
    export WSSPEC_AFL_BUILD=$fb/afl
    if ! "$root/tools/fuzz/afl-build" frame >"$out/afl-build.log" 2>&1; then
        echo "FAIL    afl: tools/fuzz/afl-build frame (see $out/afl-build.log)" >&2
        tail -5 "$out/afl-build.log" >&2
        fail=1
    else
        # afl-fuzz sets the sanitizer options it needs (abort_on_error=1, ...).
        unset ASAN_OPTIONS UBSAN_OPTIONS
        export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
        export AFL_NO_AFFINITY=1 AFL_FAST_CAL=1
        timeout -k 10 120 "$root/tools/fuzz/afl-run" frame 10 >"$out/afl.log" 2>&1
        rc=$?
        stats=$WSSPEC_AFL_BUILD/out/frame/default/fuzzer_stats
        mapfile -t crashes < <(find "$WSSPEC_AFL_BUILD/out/frame/default/crashes" \
            "$WSSPEC_AFL_BUILD/out/frame/default/hangs" -type f ! -name README.txt 2>/dev/null)
        if [[ $rc != 0 || ! -f $stats ]]; then
            echo "FAIL    afl: afl-fuzz exited $rc (see $out/afl.log)" >&2
            tail -15 "$out/afl.log" >&2
            fail=1
        elif [[ ${#crashes[@]} -gt 0 ]]; then
            echo "FAIL    afl: ${#crashes[@]} crash(es)/hang(s)" >&2
            for c in "${crashes[@]}"; do
                echo "  reproduce: $WSSPEC_AFL_BUILD/afl_frame < $c" >&2
                echo "  (or: $fb/fuzz/fuzz_frame $c)" >&2
            done
            fail=1
        else
            echo "ok      afl frame: $(sed -n 's/^execs_done *: //p' "$stats") execs," \
                "$(sed -n 's/^corpus_count *: //p' "$stats") in queue"
        fi
    fi
else
    echo "skip    afl (afl-fuzz / afl-clang-fast not installed)"
fi

echo "total $((SECONDS - start)) s"
[[ $fail == 0 ]] && echo "PASS: ${#runnable[@]} fuzz targets ran clean"
exit $fail
