"""What request handlers use: the store to read, the engine to write, and friends."""

from collections.abc import Callable
from dataclasses import dataclass, field

from questline.adapters.image_store import ImageStore
from questline.adapters.photo_store import PhotoStore
from questline.engine.hunt_folds import HuntFolds
from questline.http.abuse_limits import AbuseLimits, AbuseSettings
from questline.http.admission import AdmissionSettings
from questline.http.live_stream import LiveStream
from questline.http.read_cache import MAX_AGE_S, ReadCache
from questline.http.read_your_writes import ReadYourWrites
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
    images: ImageStore  # the organizers' clue images, beside the photos
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
    # Reads of a hunt wait until the read side shows what this node answered (None: the
    # read models commit with the events, as on the embedded node).
    read_your_writes: ReadYourWrites | None = None
    # What one client address may make this node do (registrations, bad tokens).
    abuse_settings: AbuseSettings = field(default_factory=AbuseSettings)
    # What this node admits before refusing with 503 (http/admission.py).
    admission_settings: AdmissionSettings = field(default_factory=AdmissionSettings)
    abuse: AbuseLimits = field(init=False)
    # The ledger and fair-play folds of each hunt (time travel, receipts, certificates,
    # flags), caught up from the store's event log before each read.
    folds: HuntFolds = field(init=False)
    # How long a cached token or hunt row lives without an event about it (read_cache.py).
    cache_max_age_s: float = MAX_AGE_S
    # Tokens and hunt rows, invalidated by events once a listener feeds it (read_cache.py).
    cache: ReadCache = field(init=False)

    def __post_init__(self) -> None:
        self.abuse = AbuseLimits(self.abuse_settings, self.clock)
        self.folds = HuntFolds(self.store.events)
        self.cache = ReadCache(self.store, self.cache_max_age_s)
