#!/usr/bin/env bash
# The driver and the reference server under valgrind's memcheck: a sample of
# cases from every family must run without a memory error or a leak.
set -u
build=${1:?usage: valgrind.sh BUILD_DIR}
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
# Sanitizer builds cannot run under valgrind.
if nm "$build/wsspec" 2>/dev/null | grep -q __asan_init; then echo "ASan build: skipped"; exit 77; fi
out=$(mktemp -d)
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${vg[@]}" --log-file="$out/server.vg" "$build/wsspec" serve --listen "127.0.0.1:$port" --quiet &
server=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

cases="1.1.1,1.2.6,2.*,3.2,4.1.3,5.6,5.15,6.2.3,6.3.1,6.4.3,6.7.*,7.1.*,7.3.*,7.9.3,9.1.1,9.7.1,10.1.1,20.1.*,20.2.5,20.4.2,21.*"
timeout 300 "${vg[@]}" --log-file="$out/driver.vg" "$build/wsspec" test-server \
  "ws://127.0.0.1:$port" -c "$cases" -o "$out/r" -q -j 4 --timeout 3 >"$out/log" 2>&1
driver=$?
kill -INT "$server"
wait "$server"
srv=$?
fail=0
if [ "$driver" -ne 0 ]; then
  echo "driver exit status $driver (99: memcheck error, 1: a case failed)"
  cat "$out/driver.vg"; tail -30 "$out/log"; fail=1
fi
if [ "$srv" -ne 0 ]; then echo "server exit status $srv"; tail -40 "$out/server.vg"; fail=1; fi
[ "$fail" -eq 0 ] && echo "valgrind: driver and reference server clean"
exit $fail
