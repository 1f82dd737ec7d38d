"""The photos a cluster's committed events refer to, for the photo sweeper on an API node.

API nodes share the photo folder (`photos_dir`), so each runs the sweeper of
engine/photo_sweep.py over it (removing a file twice is harmless). The
references are Cassandra's review rows: the projectors' fold of the log, behind
it by the projection lag. A photo is stored only after its event committed, and
the sweeper lists the folder before it asks here; so this reads the events
topic's high watermarks now (every event committed before the listing lies
below them), waits up to `wait_s` until every partition's projection has read
past them, and only then reads the review rows. When the projectors do not get
there in time, or Kafka or Cassandra cannot answer, it says None and the sweep
is skipped: a photo is never removed on a partial view.
"""

import threading
import time

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.log_ends import LogEnds
from questline.cluster.config import ClusterConfig
from questline.engine.photo_sweep import referenced_photos
from questline.observability.logs import get_logger

log = get_logger("questline.photos")


class ClusterPhotoReferences:
    def __init__(
        self,
        config: ClusterConfig,
        store: CassandraStore,
        *,
        wait_s: float = 60.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.config = config
        self.store = store
        self.wait_s = wait_s
        self.timeout_s = timeout_s
        self._stop = threading.Event()
        self._ends = LogEnds(config.kafka, timeout_s=timeout_s, purpose="photos")

    def __call__(self) -> set[str] | None:
        try:
            highs = self._ends.events()
            deadline = time.monotonic() + self.wait_s
            while behind := self._behind(highs):
                if time.monotonic() > deadline or self._stop.wait(0.5):
                    log.info(
                        "photo sweep waits: projections are behind the log",
                        **{"questline.partitions": behind},
                    )
                    return None
            return referenced_photos(self.store.read_models)
        except Exception as error:  # Kafka or Cassandra not answering: the next sweep asks
            log.warning(f"photo references cannot be read now: {error!r}")
            return None

    def interrupt(self) -> None:
        """End a wait for the projections now (the node is closing)."""
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        self._ends.close()

    def _behind(self, highs: dict[int, int]) -> list[int]:
        read_models = self.store.read_models
        return [
            partition
            for partition, high in sorted(highs.items())
            if max(read_models.read_to(partition), read_models.checkpoint(partition)) < high
        ]
