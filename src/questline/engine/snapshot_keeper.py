"""Finding and keeping partition snapshots: the newest usable one on restore (a bad
one is discarded, counted and logged, and the next older tried), and on save the
newest few kept, the rest deleted."""

import logging
import time

from questline.engine.partition_snapshots import PartitionSnapshotBody, open_partition
from questline.engine.snapshots import SnapshotError
from questline.observability import metrics
from questline.ports import PartitionSnapshotRecord, PartitionSnapshotStore

log = logging.getLogger(__name__)


def newest_usable(
    store: PartitionSnapshotStore, partition: int, *, up_to: int | None = None
) -> PartitionSnapshotBody | None:
    """The newest snapshot of the partition that opens cleanly, at an offset no later
    than `up_to` (when given); None when there is none (replay from the start)."""
    for offset in store.offsets(partition):
        if up_to is not None and offset > up_to:
            continue
        record = store.load(partition, offset)
        if record is None:
            continue  # deleted meanwhile
        try:
            return open_partition(record)
        except SnapshotError as error:
            metrics.SNAPSHOTS_DISCARDED.inc()
            log.warning(
                "snapshot of partition %d at offset %d discarded: %s; trying an older one",
                partition,
                offset,
                error,
            )
    return None


def keep(store: PartitionSnapshotStore, record: PartitionSnapshotRecord, kept: int) -> None:
    """Save the snapshot, then delete all but the newest `kept` of its partition."""
    store.save(record)
    metrics.SNAPSHOTS_WRITTEN.inc()
    for offset in store.offsets(record.partition)[kept:]:
        store.delete(record.partition, offset)
    log.info(
        "snapshot of partition %d at offset %d written (%d bytes)",
        record.partition,
        record.offset,
        len(record.body),
    )


class SnapshotClock:
    """When a partition is due for its next snapshot: every `every` events, and not
    more often than every `min_interval_s` seconds. Also keeps
    `questline_snapshot_age_seconds` of the partitions it knows."""

    def __init__(self, every: int, min_interval_s: float) -> None:
        self.every = every
        self.min_interval_s = min_interval_s
        self._events: dict[int, int] = {}
        self._last: dict[int, float] = {}
        self._written_at: dict[int, float] = {}  # Unix time of the newest snapshot
        self._next_age_update = 0.0

    def restored(self, partition: int) -> None:
        """A partition was just restored: count its events from here."""
        self._events[partition] = 0
        self._last[partition] = time.monotonic()

    def count(self, partition: int, events: int) -> bool:
        """Count events projected; True when a snapshot is due now."""
        total = self._events.get(partition, 0) + events
        self._events[partition] = total
        if total < self.every:
            return False
        return time.monotonic() - self._last.get(partition, 0.0) >= self.min_interval_s

    def taken(self, partition: int) -> None:
        self._events[partition] = 0
        self._last[partition] = time.monotonic()
        self._written_at[partition] = time.time()

    def forget(self, partition: int) -> None:
        self._events.pop(partition, None)
        self._last.pop(partition, None)
        if self._written_at.pop(partition, None) is not None and not metrics.multiprocess_mode():
            metrics.SNAPSHOT_AGE.remove(str(partition))  # the new owner reports it

    def update_ages(self) -> None:
        """Set the age gauges, at most once a second."""
        now = time.monotonic()
        if now < self._next_age_update:
            return
        self._next_age_update = now + 1.0
        wall = time.time()
        for partition, written_at in self._written_at.items():
            metrics.SNAPSHOT_AGE.labels(str(partition)).set(max(wall - written_at, 0.0))
