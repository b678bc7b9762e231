#!/usr/bin/python3
"""Echo server on python3-websockets (Debian), a real peer for conformance runs.

usage: python_websockets_echo.py PORT [--deflate]
"""
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main(port, deflate):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=2**26,
                                compression="deflate" if deflate else None,
                                ping_interval=None, server_header="python-websockets"):
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), "--deflate" in sys.argv[2:]))
