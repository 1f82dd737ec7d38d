"""One HTTP process of `serve --workers N`: the same app as the embedded node, reading
the same SQLite file (WAL: readers run beside the writer) and sending its commands to
the one writer in the parent process over a local socket (writer_client.py)."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from questline.adapters.clocks import SystemClock
from questline.adapters.photo_store import PhotoStore
from questline.adapters.sqlite.connection import Durability
from questline.adapters.sqlite.store import SqliteStore
from questline.http.abuse_limits import AbuseSettings
from questline.http.admission import AdmissionSettings
from questline.http.app import build_app
from questline.http.embedded import ORGANIZER_TOKEN_ENV, embedded_services
from questline.http.services import Services
from questline.http.tokens import organizer_token_digest
from questline.http.writer_client import WriterClient


@dataclass
class WorkerNode:
    app: Starlette
    services: Services
    store: SqliteStore
    writer: WriterClient

    def close(self) -> None:
        self.store.close()


def build_worker_node(
    db: Path,
    writer_socket: Path,
    *,
    durability: Durability = "normal",
    organizer_token: str | None = None,
    max_pending: int = 20_000,
    abuse: AbuseSettings | None = None,
    admission: AdmissionSettings | None = None,
    on_writer_lost: Callable[[], None] | None = None,
) -> WorkerNode:
    """An HTTP process's node; its app connects to the writer when it starts."""
    organizer_digest = organizer_token_digest(
        organizer_token if organizer_token is not None else os.environ.get(ORGANIZER_TOKEN_ENV)
    )
    store = SqliteStore(db, durability, create=False)
    writer = WriterClient(writer_socket, max_pending=max_pending, on_lost=on_writer_lost)
    photos = PhotoStore(db.parent / f"{db.name}.photos")
    services = embedded_services(
        store, writer, SystemClock(), photos, organizer_digest, abuse, admission
    )
    app = build_app(services)
    writer.listeners.append(services.cache.listener())
    return WorkerNode(app, services, store, writer)
