#!/usr/bin/env node
// Echo server on the `ws` package (Debian's node-ws), a real peer for
// conformance runs. usage: node node_ws_echo.js PORT [--deflate]
'use strict';
module.paths.push('/usr/share/nodejs', '/usr/lib/nodejs');
const http = require('http');
const WebSocket = require('ws');

const port = Number(process.argv[2]);
const server = http.createServer();
server.on('upgrade', () => {});
const deflate = process.argv.includes('--deflate');
const wss = new WebSocket.Server({ server, perMessageDeflate: deflate });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
server.on('request', (req, res) => { res.writeHead(426); res.end(); });
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
