#!/usr/bin/env bash
# A hostile server under test must end in a verdict: never a crash, a hang
# past the timeouts, or unbounded memory. For each misbehaviour, run a few
# cases and check wsspec's exit status, wall time and peak memory.
set -u
build=${1:?usage: hostile_servers.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
wsspec=$build/wsspec
out=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$out"; }
trap cleanup EXIT

start_peer() { # MODE -> sets port
  /usr/bin/python3 "$here/../peers/hostile_server.py" "$1" >"$out/peer.$1" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$out/peer.$1")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "hostile peer $1 did not start"; return 1
}

fail=0
# mode, cases, accepted exit statuses, wall-time limit (s)
while read -r mode cases statuses limit; do
  start_peer "$mode" || { fail=1; continue; }
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$out/rss.$mode" timeout -s KILL 120 \
    "$wsspec" test-server "ws://127.0.0.1:$port" -c "$cases" -o "$out/r.$mode" -q -j 4 \
    >"$out/log.$mode" 2>&1
  status=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rss_kb=$(tail -n 1 "$out/rss.$mode")
  verdict=ok
  case " $statuses " in *" $status "*) ;; *) verdict="bad exit status $status (want $statuses)";; esac
  if [ "$ms" -gt $((limit * 1000)) ]; then verdict="took ${ms} ms (limit ${limit} s)"; fi
  if [ "${rss_kb:-999999}" -gt 200000 ]; then verdict="peak RSS ${rss_kb} KiB"; fi
  printf '%-15s exit %-3s %6s ms %7s KiB  %s\n' "$mode" "$status" "$ms" "$rss_kb" "$verdict"
  if [ "$verdict" != ok ]; then fail=1; tail -n 20 "$out/log.$mode"; fi
done <<'TABLE'
silent          1.1.1            3      15
garbage         1.1.1            3      15
endless-header  1.1.1            3      15
huge-frame      1.1.1,2.1,9.1.1  1      40
msb-frame       1.1.1,2.1        1      20
flood           1.1.1,2.1        1      30
reset           1.1.1,1.2.8      1      20
never-close     1.*,7.1.1        1      40
xss             1.1.1,7.1.1      1      20
TABLE

# Escaping: the hostile Server header and close reason must reach the
# reports only escaped (valid JSON; no raw control of the file's structure).
if [ -f "$out/r.xss/index.json" ]; then
  /usr/bin/python3 - "$out/r.xss" <<'PY' || fail=1
import glob, json, sys
d = sys.argv[1]
index = json.load(open(f"{d}/index.json"))
for f in glob.glob(f"{d}/*.json"):
    json.load(open(f, encoding="utf-8"))
agent = next(iter(index))
assert "<script>" in agent, agent  # the name is kept, as data
print("xss: reports are valid JSON with the hostile bytes as data")
PY
else
  echo "xss: no index.json written"; fail=1
fi
exit $fail
