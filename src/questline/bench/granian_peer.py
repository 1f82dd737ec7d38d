"""The http suite's server peer: the same embedded node's app served by granian (a Rust
HTTP server) instead of uvicorn, so one run measures both servers on the same database
and routes (issue 18: keep the faster if it behaves the same).

Run as `python -m questline.bench.granian_peer DB PORT`; SIGTERM stops it. Only the
server differs: the app, its admission gate and its limits in the app are the same
(limited_protocol.py's head and idle limits are uvicorn's protocol and are absent here)."""

import asyncio
import signal
import sys
from pathlib import Path

import uvloop
from granian.constants import Interfaces
from granian.server.embed import Server

from questline.http.embedded import build_embedded_node
from questline.observability.logs import ensure_logging


def main() -> None:
    db, port = Path(sys.argv[1]), int(sys.argv[2])
    ensure_logging()
    node = build_embedded_node(db)
    server = Server(
        node.app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False
    )

    async def serve() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, server.stop)
        await server.serve()

    try:
        uvloop.run(serve())
    finally:
        node.store.close()


if __name__ == "__main__":
    main()
