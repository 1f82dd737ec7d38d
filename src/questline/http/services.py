"""What request handlers use: the store to read, the engine to write, and friends."""

from dataclasses import dataclass

from questline.adapters.photo_store import PhotoStore
from questline.engine.command_bus import CommandBus
from questline.http.live_stream import LiveStream
from questline.ports import Clock, Store

JSON_LIMIT = 1024 * 1024
PHOTO_LIMIT = 10_000_000
MULTIPART_LIMIT = PHOTO_LIMIT + 64 * 1024


@dataclass(slots=True)
class Services:
    store: Store
    committer: CommandBus
    clock: Clock
    photos: PhotoStore
    live: LiveStream
    organizer_token_hash: str | None = None
    command_timeout: float = 10.0
