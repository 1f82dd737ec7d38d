"""The embedded node: one process, one SQLite file, the API and the engine."""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from questline.adapters.clocks import SystemClock
from questline.adapters.image_store import ImageStore
from questline.adapters.photo_store import PhotoStore
from questline.adapters.sqlite.connection import Durability
from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.engine.group_commit import GroupCommitter
from questline.engine.hunt_engine import HuntEngine, Progress
from questline.engine.observed_verify import verify_and_record
from questline.engine.photo_sweep import PhotoSweeper, referenced_photos
from questline.engine.reconciler import Reconciler
from questline.http.abuse_limits import AbuseSettings
from questline.http.admission import AdmissionSettings
from questline.http.app import build_app
from questline.http.live_stream import LiveStream
from questline.http.read_cache import EMBEDDED_MAX_AGE_S
from questline.http.services import Services
from questline.http.tokens import organizer_token_digest
from questline.observability.commands import TimedStore
from questline.ports import Clock, CommandBus

ORGANIZER_TOKEN_ENV = "QUESTLINE_ORGANIZER_TOKEN"


@dataclass
class EmbeddedNode:
    app: Starlette
    services: Services
    store: SqliteStore
    engine: HuntEngine
    snapshots: SqliteSnapshotStore
    # Checks hunts against a replay of the log and heals drift, in the background
    # while the app runs (None: switched off).
    reconciler: Reconciler | None
    # Keeps the photo folder to what committed events refer to (the reconciler runs it).
    photo_sweeper: PhotoSweeper

    def close(self) -> None:
        self.store.close()
        self.snapshots.close()


def embedded_readiness(store: SqliteStore) -> list[str]:
    """Reasons the node cannot serve: the store unreadable, or read models behind the log
    (they commit with it, so any lag means trouble)."""
    try:
        behind = store.events.head() - store.read_models.checkpoint()
    except Exception as error:
        return [f"the store cannot be read: {error}"]
    return [f"read models are {behind} events behind the log"] if behind > 0 else []


def embedded_lag(store: SqliteStore) -> dict[int, int]:
    """Events the read models have not applied (one partition: the whole log)."""
    return {0: max(store.events.head() - store.read_models.checkpoint(), 0)}


def embedded_services(
    store: SqliteStore,
    committer: CommandBus,
    clock: Clock,
    photos: PhotoStore,
    organizer_digest: str | None,
    abuse: AbuseSettings | None,
    admission: AdmissionSettings | None,
) -> Services:
    """What the app of a node on a SQLite file uses (in the writer's process, or in an
    HTTP process of `serve --workers`): reads from the file, commands to `committer`."""
    return Services(
        store=store,
        committer=committer,
        clock=clock,
        photos=photos,
        images=ImageStore.beside_photos(photos),
        live=LiveStream(),
        organizer_token_hash=organizer_digest,
        readiness=lambda: embedded_readiness(store),
        lag=lambda: embedded_lag(store),
        verify=lambda: len(verify_and_record(store)),
        abuse_settings=abuse or AbuseSettings(),
        admission_settings=admission or AdmissionSettings(),
        cache_max_age_s=EMBEDDED_MAX_AGE_S,
    )


def build_embedded_node(
    db: Path,
    *,
    durability: Durability = "normal",
    clock: Clock | None = None,
    organizer_token: str | None = None,
    progress: Progress | None = None,
    max_batch: int = 1000,
    max_queue: int = 20_000,
    reconcile_interval: float | None = 5.0,
    hunts_per_round: int = 4,
    snapshot_every: int = 10_000,
    snapshot_interval: float = 60.0,
    photo_sweep_interval: float = 60.0,
    abuse: AbuseSettings | None = None,
    admission: AdmissionSettings | None = None,
) -> EmbeddedNode:
    """An embedded node on `db`, recovered (from snapshots, then the log).

    While its app runs, a reconciler checks `hunts_per_round` hunts every
    `reconcile_interval` seconds, snapshots hunts that moved `snapshot_every`
    events, at most every `snapshot_interval` seconds, and sweeps the photo folder
    every `photo_sweep_interval` seconds; on shutdown, after the writer drained,
    every hunt that moved is snapshotted so the restart is quick.
    `abuse`: what one client address may do (registrations, bad tokens) per minute;
    `admission`: what the node admits before refusing with 503 (http/admission.py)."""
    # First: a weak organizer token stops the start before any recovery work.
    organizer_digest = organizer_token_digest(
        organizer_token if organizer_token is not None else os.environ.get(ORGANIZER_TOKEN_ENV)
    )
    writer = build_writer(
        db,
        durability=durability,
        clock=clock,
        progress=progress,
        max_batch=max_batch,
        max_queue=max_queue,
        reconcile_interval=reconcile_interval,
        hunts_per_round=hunts_per_round,
        snapshot_every=snapshot_every,
        snapshot_interval=snapshot_interval,
        photo_sweep_interval=photo_sweep_interval,
    )
    services = embedded_services(
        writer.store,
        writer.committer,
        writer.clock,
        writer.photos,
        organizer_digest,
        abuse,
        admission,
    )
    app = build_app(services)
    services.committer.listeners.append(services.cache.listener())
    _add_maintenance(app, writer.engine, writer.reconciler)
    return EmbeddedNode(
        app,
        services,
        writer.store,
        writer.engine,
        writer.snapshots,
        writer.reconciler,
        writer.sweeper,
    )


@dataclass
class Writer:
    """The one writer of a database and what keeps it: the engine behind its group
    committer, the reconciler and the photo sweeper (`serve --workers` runs it alone,
    in the process its HTTP processes send their commands to)."""

    store: SqliteStore
    snapshots: SqliteSnapshotStore
    engine: HuntEngine
    committer: GroupCommitter
    clock: Clock
    photos: PhotoStore
    reconciler: Reconciler | None
    sweeper: PhotoSweeper

    def close(self) -> None:
        self.store.close()
        self.snapshots.close()


def build_writer(
    db: Path,
    *,
    durability: Durability = "normal",
    clock: Clock | None = None,
    progress: Progress | None = None,
    max_batch: int = 1000,
    max_queue: int = 20_000,
    reconcile_interval: float | None = 5.0,
    hunts_per_round: int = 4,
    snapshot_every: int = 10_000,
    snapshot_interval: float = 60.0,
    photo_sweep_interval: float = 60.0,
) -> Writer:
    """The writer of `db`, recovered (from snapshots, then the log); see
    `build_embedded_node` for the settings."""
    store = SqliteStore(db, durability)
    snapshots = SqliteSnapshotStore(db, durability)
    clock = clock or SystemClock()
    # TimedStore: commit time and version conflicts become metrics.
    engine = HuntEngine(
        TimedStore(store), clock, snapshots=snapshots, snapshot_every=snapshot_every
    )
    engine.recover(progress)
    photos = PhotoStore(db.parent / f"{db.name}.photos")
    # The read models commit with the events: they refer to every committed photo.
    sweeper = PhotoSweeper(
        photos, lambda: referenced_photos(store.read_models), interval=photo_sweep_interval
    )
    reconciler = (
        Reconciler(
            engine,
            interval=reconcile_interval,
            hunts_per_round=hunts_per_round,
            snapshot_interval=snapshot_interval,
            photo_sweeper=sweeper,
        )
        if reconcile_interval is not None
        else None
    )
    committer = GroupCommitter(engine, max_batch=max_batch, max_queue=max_queue)
    return Writer(store, snapshots, engine, committer, clock, photos, reconciler, sweeper)


def _add_maintenance(app: Starlette, engine: HuntEngine, reconciler: Reconciler | None) -> None:
    """Run the reconciler inside the app's lifespan; snapshot after the writer drained."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with inner(app):
            if reconciler is not None:
                reconciler.start()
            try:
                yield
            finally:
                if reconciler is not None:
                    await asyncio.to_thread(reconciler.stop)
        await asyncio.to_thread(engine.take_snapshots)

    app.router.lifespan_context = lifespan
