#!/usr/bin/python3
"""Autobahn test client on python3-websockets (Debian), a real client peer for
`wsspec test-client`.

usage: python_websockets_client.py URL AGENT [--deflate]

The canonical client loop: getCaseCount, then runCase?case=N&agent=AGENT for
N = 1..count (echo every message until the connection closes), then
updateReports?agent=AGENT. A case whose connection fails is reported and the
loop goes on. Exit status 0 once updateReports has run, 1 otherwise.
"""
import asyncio
import json
import sys
import urllib.parse

import websockets

OPTIONS = dict(max_size=2**26, ping_interval=None,
               compression="deflate" if "--deflate" in sys.argv[3:] else None)


async def get_case_count(base):
    async with websockets.connect(base + "/getCaseCount", **OPTIONS) as ws:
        return int(json.loads(await ws.recv()))


async def run_case(base, n, agent):
    url = "%s/runCase?case=%d&agent=%s" % (base, n, agent)
    try:
        async with websockets.connect(url, **OPTIONS) as ws:
            async for message in ws:
                await ws.send(message)
        print("case %d: closed" % n, flush=True)
    except websockets.ConnectionClosed as e:
        print("case %d: closed (%s)" % (n, e), flush=True)
    except (websockets.InvalidHandshake, OSError, asyncio.TimeoutError) as e:
        print("case %d: connection failed: %s" % (n, e or type(e).__name__), flush=True)


async def update_reports(base, agent):
    async with websockets.connect("%s/updateReports?agent=%s" % (base, agent), **OPTIONS) as ws:
        try:
            async for _ in ws:
                pass
        except websockets.ConnectionClosed:
            pass


async def main(base, agent):
    base = base.rstrip("/")
    agent = urllib.parse.quote(agent, safe="")
    count = await get_case_count(base)
    print("getCaseCount: %d" % count, flush=True)
    for n in range(1, count + 1):
        await run_case(base, n, agent)
    await update_reports(base, agent)
    print("updateReports: done", flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python_websockets_client.py URL AGENT")
    try:
        sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
    except (websockets.WebSocketException, OSError, ValueError, asyncio.TimeoutError) as e:
        sys.exit("python_websockets_client: %s" % (e or type(e).__name__))
