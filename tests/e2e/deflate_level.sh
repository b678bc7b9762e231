#!/usr/bin/env bash
# --level: a bad value is a one-line usage error (exit 2) on serve,
# test-server and test-client; a given level is honoured by both sides.
# Case 12.1.5 (1000 JSON messages of 4096 octets) against `wsspec serve`:
# at the default level both directions compress to under half, at level 0
# (stored blocks) both directions are larger than the messages themselves.
set -u
build=${1:?usage: deflate_level.sh BUILD_DIR}
wsspec=$build/wsspec
out=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
fail=0

bad_usage() { # description, command...
  local what=$1; shift
  "$@" >"$out/stdout" 2>"$out/stderr"
  local status=$?
  local lines
  lines=$(wc -l <"$out/stderr")
  if [ "$status" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "--level" "$out/stderr"; then
    echo "FAIL $what: exit $status, stderr ($lines lines): $(cat "$out/stderr")"
    fail=1
  else
    echo "ok   $what: $(cat "$out/stderr")"
  fi
}

bad_usage "serve --level 10" "$wsspec" serve --listen 127.0.0.1:0 --level 10
bad_usage "serve --level -1" "$wsspec" serve --listen 127.0.0.1:0 --level -1
bad_usage "serve --level=" "$wsspec" serve --listen 127.0.0.1:0 --level=
bad_usage "test-server --level 10" "$wsspec" test-server ws://127.0.0.1:1 --level 10
bad_usage "test-server --level fast" "$wsspec" test-server ws://127.0.0.1:1 --level fast
bad_usage "test-client --level 1.5" "$wsspec" test-client --listen 127.0.0.1:0 --level 1.5

# Ratios (wire octets / message octets) of one run of 12.1.5;
# $1 = serve's level, $2 = test-server's level ("" = default).
run_ratios() {
  local serve_opts=() opts=()
  [ -n "$1" ] && serve_opts=(--level "$1")
  [ -n "$2" ] && opts=(--level "$2")
  "$wsspec" serve --listen 127.0.0.1:0 --quiet --threads 2 "${serve_opts[@]}" >"$out/serve.out" 2>&1 &
  server_pid=$!
  local port=
  for _ in $(seq 50); do
    port=$(sed -n 's/^wsspec serve: listening on ws:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$out/serve.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "FAIL serve did not start: $(cat "$out/serve.out")"; fail=1; return; }
  rm -rf "$out/r"
  "$wsspec" test-server "ws://127.0.0.1:$port" -c 12.1.5 -o "$out/r" -q "${opts[@]}" \
    >"$out/run.log" 2>&1 || { echo "FAIL levels '$1' '$2': test-server exit $?"; tail -5 "$out/run.log"; fail=1; }
  kill "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
  /usr/bin/python3 - "$out/r" <<'PY'
import glob, json, sys
case = json.load(open(glob.glob(sys.argv[1] + "/*_case_12_1_5.json")[0]))
t = case["trafficStats"]
print(t["outgoingCompressionRatio"], t["incomingCompressionRatio"], case["behavior"])
PY
}

read -r out_default in_default verdict_default < <(run_ratios "" "")
read -r out_0 in_0 verdict_0 < <(run_ratios 0 0)
read -r out_9 in_9 verdict_9 < <(run_ratios 9 9)
read -r out_s0 in_s0 verdict_s0 < <(run_ratios 0 "")
read -r out_d0 in_d0 verdict_d0 < <(run_ratios "" 0)
echo "default:            sent ratio $out_default, echoed ratio $in_default, $verdict_default"
echo "level 0 both:       sent ratio $out_0, echoed ratio $in_0, $verdict_0"
echo "level 9 both:       sent ratio $out_9, echoed ratio $in_9, $verdict_9"
echo "level 0 serve only: sent ratio $out_s0, echoed ratio $in_s0, $verdict_s0"
echo "level 0 test only:  sent ratio $out_d0, echoed ratio $in_d0, $verdict_d0"
/usr/bin/python3 - "$out_default" "$in_default" "$out_0" "$in_0" "$out_9" "$in_9" \
  "$out_s0" "$in_s0" "$out_d0" "$in_d0" \
  "$verdict_default" "$verdict_0" "$verdict_9" "$verdict_s0" "$verdict_d0" <<'PY' || fail=1
import sys
o1, i1, o0, i0, o9, i9, os0, is0, od0, id0 = map(float, sys.argv[1:11])
verdicts = sys.argv[11:]
ok = all(v == "OK" for v in verdicts)
ok &= o1 < 0.5 and i1 < 0.5          # level 1 compresses JSON well
ok &= o0 > 1.0 and i0 > 1.0          # level 0: stored blocks, larger than the text
ok &= o9 <= o1 and i9 <= i1          # level 9 is never larger than level 1
ok &= os0 < 0.5 and is0 > 1.0        # each side follows its own --level
ok &= od0 > 1.0 and id0 < 0.5
print("ok   levels honoured" if ok else "FAIL levels not honoured")
sys.exit(0 if ok else 1)
PY
# The spec file's options.compressionLevel is test-server's --level.
"$wsspec" serve --listen 127.0.0.1:0 --quiet >"$out/serve.out" 2>&1 &
server_pid=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/^wsspec serve: listening on ws:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$out/serve.out")
  [ -n "$port" ] && break
  sleep 0.1
done
cat >"$out/spec.json" <<JSON
{"outdir": "$out/rs", "options": {"compressionLevel": 0},
 "servers": [{"url": "ws://127.0.0.1:$port"}], "cases": ["12.1.5"]}
JSON
"$wsspec" test-server --spec "$out/spec.json" -q >"$out/spec.log" 2>&1 || { echo "FAIL spec run: exit $?"; fail=1; }
kill "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
/usr/bin/python3 - "$out/rs" <<'PY' || fail=1
import glob, json, sys
case = json.load(open(glob.glob(sys.argv[1] + "/*_case_12_1_5.json")[0]))
ratio = case["trafficStats"]["outgoingCompressionRatio"]
ok = case["behavior"] == "OK" and ratio > 1.0
print(("ok  " if ok else "FAIL") + f" spec compressionLevel 0: sent ratio {ratio}")
sys.exit(0 if ok else 1)
PY
exit $fail
