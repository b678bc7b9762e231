#!/usr/bin/env node
// Autobahn test client on the `ws` package (Debian's node-ws), a real client
// peer for `wsspec test-client`. usage: node node_ws_client.js URL AGENT [--deflate]
//
// The canonical client loop: getCaseCount, then runCase?case=N&agent=AGENT for
// N = 1..count (echo every message until the connection closes), then
// updateReports?agent=AGENT. A case whose connection fails is reported and the
// loop goes on. Exit status 0 once updateReports has run, 1 otherwise.
'use strict';
module.paths.push('/usr/share/nodejs', '/usr/lib/nodejs');
const WebSocket = require('ws');

const CONNECTION_TIMEOUT_MS = 60000; // a stuck connection is terminated
const DEFLATE = process.argv.includes('--deflate');

// Open one connection; onMessage(ws, data, isBinary) sees every message.
// Resolves with {code, error} once the connection has closed.
function connect(url, onMessage) {
  return new Promise((resolve) => {
    let error = null;
    const ws = new WebSocket(url, { perMessageDeflate: DEFLATE, maxPayload: 64 * 1024 * 1024 });
    const timer = setTimeout(() => ws.terminate(), CONNECTION_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', (e) => { error = e; });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, error });
    });
  });
}

async function main() {
  if (process.argv.length !== 4 + (DEFLATE ? 1 : 0)) {
    console.error('usage: node node_ws_client.js URL AGENT [--deflate]');
    return 2;
  }
  const base = process.argv[2].replace(/\/+$/, '');
  const agent = encodeURIComponent(process.argv[3]);

  let count = null;
  const r = await connect(`${base}/getCaseCount`, (ws, data) => {
    if (count === null) count = JSON.parse(data.toString());
  });
  if (!Number.isInteger(count) || count < 0) {
    console.error(`node_ws_client: getCaseCount failed${r.error ? ': ' + r.error.message : ''}`);
    return 1;
  }
  console.log(`getCaseCount: ${count}`);

  for (let n = 1; n <= count; n++) {
    const res = await connect(`${base}/runCase?case=${n}&agent=${agent}`,
      (ws, data, isBinary) => ws.send(data, { binary: isBinary }));
    console.log(res.error ? `case ${n}: connection failed: ${res.error.message}`
      : `case ${n}: closed ${res.code}`);
  }

  const u = await connect(`${base}/updateReports?agent=${agent}`, () => {});
  if (u.error) {
    console.error(`node_ws_client: updateReports failed: ${u.error.message}`);
    return 1;
  }
  console.log('updateReports: done');
  return 0;
}

main().then((rc) => { process.exitCode = rc; },
  (e) => { console.error(`node_ws_client: ${e.message}`); process.exitCode = 1; });
