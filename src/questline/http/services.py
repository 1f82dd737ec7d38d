"""What request handlers use: the store to read, the engine to write, and friends."""

from collections.abc import Callable
from dataclasses import dataclass

from questline.adapters.photo_store import PhotoStore
from questline.http.live_stream import LiveStream
from questline.ports import Clock, CommandBus, ReadSide

JSON_LIMIT = 1024 * 1024
PHOTO_LIMIT = 10_000_000
MULTIPART_LIMIT = PHOTO_LIMIT + 64 * 1024


@dataclass(slots=True)
class Services:
    store: ReadSide
    committer: CommandBus
    clock: Clock
    photos: PhotoStore
    live: LiveStream
    organizer_token_hash: str | None = None
    command_timeout: float = 10.0
    # Why this node cannot serve right now, if it cannot (None: ready).
    readiness: "Callable[[], list[str]] | None" = None
    # Events the read models have not applied yet, by partition (None: not known here).
    lag: "Callable[[], dict[int, int]] | None" = None
    # Compare the read models with a replay of the log; the number of differences
    # (None: this node cannot verify; the cluster has `questline verify --cluster`).
    verify: "Callable[[], int] | None" = None
