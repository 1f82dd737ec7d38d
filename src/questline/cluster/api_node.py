"""A stateless API node: the same HTTP API, commands through Kafka, reads from Cassandra."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.cassandra.unavailable import UNAVAILABLE
from questline.adapters.clocks import SystemClock
from questline.adapters.image_store import ImageStore
from questline.adapters.kafka.command_bus import KafkaCommandBus
from questline.adapters.photo_store import PhotoStore
from questline.cluster.config import ClusterConfig
from questline.cluster.events_tail import EventsTail
from questline.cluster.hunt_history import hunt_history
from questline.cluster.live_boards import LiveBoards
from questline.cluster.photo_references import ClusterPhotoReferences
from questline.cluster.readiness import DEFAULT_INTERVAL_S, ClusterReadiness
from questline.domain.projections.rows import HuntRow
from questline.engine.photo_sweep import PhotoSweeper
from questline.http.abuse_limits import AbuseSettings
from questline.http.app import build_app
from questline.http.embedded import ORGANIZER_TOKEN_ENV
from questline.http.live_stream import LiveStream
from questline.http.read_your_writes import ReadYourWrites
from questline.http.services import Services
from questline.http.tokens import organizer_token_digest
from questline.observability import metrics
from questline.ports import Clock


@dataclass
class ApiNode:
    app: Starlette
    services: Services
    store: CassandraStore
    bus: KafkaCommandBus
    tail: EventsTail
    readiness: ClusterReadiness | None = None
    photo_sweeper: PhotoSweeper | None = None
    photo_references: ClusterPhotoReferences | None = None
    depth_gauge: Callable[[], None] | None = None

    def close(self) -> None:
        if self.depth_gauge is not None:
            metrics.remove_refresher(self.depth_gauge)
        if self.photo_sweeper is not None and self.photo_references is not None:
            self.photo_references.interrupt()
            if self.photo_sweeper.stop(timeout=10.0):  # else its consumer is still in use
                self.photo_references.close()
        if self.readiness is not None:
            self.readiness.stop()
        self.tail.stop()
        self.store.close()


def build_api_node(
    config: ClusterConfig,
    *,
    node_index: int = 0,
    organizer_token: str | None = None,
    clock: Clock | None = None,
    max_projection_lag: int | None = None,
    readiness_interval_s: float = DEFAULT_INTERVAL_S,
    abuse: AbuseSettings | None = None,
) -> ApiNode:
    """`max_projection_lag`: the most events a partition's read models may be behind
    the log with the node still ready (default: QUESTLINE_MAX_PROJECTION_LAG or 1000);
    readiness is checked every `readiness_interval_s` and cached; `abuse`: what one
    client address may do (registrations, bad tokens) per minute, on this node."""
    organizer_digest = organizer_token_digest(  # first: a weak token stops the start
        organizer_token if organizer_token is not None else os.environ.get(ORGANIZER_TOKEN_ENV)
    )
    store = CassandraStore.open(config.cassandra)

    def shown_version(hunt_id: str) -> int:
        # The projector writes a batch's hunt row last: its version says all is there.
        row = store.read_models.get("hunts", hunt_id, hunt_id)
        return row.version if isinstance(row, HuntRow) else 0

    bus = KafkaCommandBus(config.kafka, node_index, max_pending=config.max_pending_commands)
    # questline_command_queue_depth: here, commands awaiting a worker's reply.
    depth_gauge = metrics.add_refresher(lambda: metrics.QUEUE_DEPTH.set(bus.depth))
    live = LiveStream()
    readiness = ClusterReadiness(
        config,
        store,
        bus,
        max_projection_lag=max_projection_lag,
        interval_s=readiness_interval_s,
    )
    photos = PhotoStore(Path(config.photos_dir))
    services = Services(
        store=store,
        committer=bus,
        clock=clock or SystemClock(),
        photos=photos,
        images=ImageStore.beside_photos(photos),
        live=live,
        organizer_token_hash=organizer_digest,
        command_timeout=config.command_timeout_s,
        readiness=readiness.reasons,
        lag=readiness.lag,
        abuse_settings=abuse or AbuseSettings(),
        read_your_writes=ReadYourWrites(shown_version, wait_s=config.read_your_writes_wait_s),
    )
    boards = LiveBoards(hunt_history(config, store.events), live.watches)
    tail = EventsTail(config, [live.on_batch, services.cache.listener()], boards)
    app = build_app(services, store_unavailable=UNAVAILABLE)
    # The app appends live.on_batch to the bus's listeners; the tail feeds it instead.
    bus.listeners.clear()
    tail.start()
    readiness.start()
    node = ApiNode(app, services, store, bus, tail, readiness, depth_gauge=depth_gauge)
    if config.photo_sweep_interval_s > 0:
        node.photo_references = ClusterPhotoReferences(config, store)
        node.photo_sweeper = PhotoSweeper(
            photos, node.photo_references, interval=config.photo_sweep_interval_s
        )
        node.photo_sweeper.start()
    return node
