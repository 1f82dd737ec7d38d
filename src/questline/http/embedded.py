"""The embedded node: one process, one SQLite file, the API and the engine."""

import os
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from questline.adapters.clocks import SystemClock
from questline.adapters.photo_store import PhotoStore
from questline.adapters.sqlite.connection import Durability
from questline.adapters.sqlite.store import SqliteStore
from questline.engine.group_commit import GroupCommitter
from questline.engine.hunt_engine import HuntEngine, Progress
from questline.http.app import build_app
from questline.http.live_stream import LiveStream
from questline.http.services import Services
from questline.http.tokens import token_hash
from questline.ports import Clock

ORGANIZER_TOKEN_ENV = "QUESTLINE_ORGANIZER_TOKEN"


@dataclass
class EmbeddedNode:
    app: Starlette
    services: Services
    store: SqliteStore
    engine: HuntEngine


def embedded_readiness(store: SqliteStore) -> list[str]:
    """Reasons the node cannot serve: the store unreadable, or read models behind the log
    (they commit with it, so any lag means trouble)."""
    try:
        behind = store.events.head() - store.read_models.checkpoint()
    except Exception as error:
        return [f"the store cannot be read: {error}"]
    return [f"read models are {behind} events behind the log"] if behind > 0 else []


def build_embedded_node(
    db: Path,
    *,
    durability: Durability = "normal",
    clock: Clock | None = None,
    organizer_token: str | None = None,
    progress: Progress | None = None,
    max_batch: int = 1000,
    max_queue: int = 20_000,
) -> EmbeddedNode:
    store = SqliteStore(db, durability)
    clock = clock or SystemClock()
    engine = HuntEngine(store, clock)
    engine.recover(progress)
    token = organizer_token if organizer_token is not None else os.environ.get(ORGANIZER_TOKEN_ENV)
    services = Services(
        store=store,
        committer=GroupCommitter(engine, max_batch=max_batch, max_queue=max_queue),
        clock=clock,
        photos=PhotoStore(db.parent / f"{db.name}.photos"),
        live=LiveStream(),
        organizer_token_hash=token_hash(token) if token else None,
        readiness=lambda: embedded_readiness(store),
    )
    return EmbeddedNode(build_app(services), services, store, engine)
