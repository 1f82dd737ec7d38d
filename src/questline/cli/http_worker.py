"""The program of one HTTP process of `serve --workers N` (started by worker_pool.py,
never by hand): the app of http/worker_node.py served by uvicorn on the listening
socket the parent bound and handed down, so every process answers on the one port."""

import os
import signal
import socket
import sys
from pathlib import Path

import msgspec

from questline.http.abuse_limits import AbuseSettings
from questline.http.admission import AdmissionSettings
from questline.http.server_limits import ServerLimits

SETTINGS_ENV = "QUESTLINE_HTTP_WORKER"


class WorkerSettings(msgspec.Struct, frozen=True):
    db: str
    writer_socket: str
    fd: int  # the listening socket, inherited
    host: str
    port: int
    durability: str
    limits: ServerLimits
    abuse: AbuseSettings
    admission: AdmissionSettings
    max_pending: int


def encode(settings: WorkerSettings) -> str:
    return msgspec.json.encode(settings).decode()


def main() -> None:
    import uvicorn

    from questline.http.uvicorn_setup import uvicorn_config
    from questline.http.worker_node import build_worker_node
    from questline.observability.logs import ensure_logging

    settings = msgspec.json.decode(os.environ[SETTINGS_ENV], type=WorkerSettings)
    ensure_logging()
    node = build_worker_node(
        Path(settings.db),
        Path(settings.writer_socket),
        durability="full" if settings.durability == "full" else "normal",
        max_pending=settings.max_pending,
        abuse=settings.abuse,
        admission=settings.admission,
        # Without the writer this process can only refuse: stop it as a signal would.
        on_writer_lost=lambda: os.kill(os.getpid(), signal.SIGTERM),
    )
    listening = socket.socket(fileno=settings.fd)
    config = uvicorn_config(
        node.app, host=settings.host, port=settings.port, limits=settings.limits
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[listening])
    finally:
        node.close()
    # A writer that went away (or a start that failed) is a failure the parent sees.
    sys.exit(0 if server.started and not node.writer.lost else 1)


if __name__ == "__main__":
    main()
