"""Calls to Cassandra that must get through: a replica down or a timeout is tried
again with backoff, counted per operation, and logged, instead of ending the
process or dead-lettering a good command."""

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from questline.adapters.cassandra.unavailable import UNAVAILABLE
from questline.observability import metrics
from questline.ports import PartitionSnapshotRecord, PartitionSnapshotStore

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_DELAY_S = 0.1
MAX_DELAY_S = 2.0


def until_answered(
    call: Callable[[], T],
    operation: str,
    *,
    deadline_s: float = math.inf,
    stop: threading.Event | None = None,
) -> T:
    """`call()`'s result once the store answers. After `deadline_s` (or once `stop`
    is set) the last error is raised; any other error is raised at once."""
    give_up = time.monotonic() + deadline_s
    delay = FIRST_DELAY_S
    while True:
        try:
            return call()
        except UNAVAILABLE as error:
            if time.monotonic() + delay > give_up or (stop is not None and stop.is_set()):
                raise
            metrics.STORE_RETRIES.labels(operation).inc()
            log.warning("%s: the store did not answer (%r); trying again", operation, error)
        if stop is not None:
            stop.wait(delay)
        else:
            time.sleep(delay)  # backoff between tries, not synchronisation
        delay = min(delay * 2, MAX_DELAY_S)


class AnsweredSnapshots:
    """A partition snapshot store whose reads are tried until Cassandra answers: a
    writer restoring its memory (after a failed append, say) waits for the store
    instead of failing."""

    def __init__(self, inner: PartitionSnapshotStore) -> None:
        self.inner = inner

    def save(self, record: PartitionSnapshotRecord) -> None:
        until_answered(lambda: self.inner.save(record), "save a partition snapshot")

    def offsets(self, partition: int) -> list[int]:
        return until_answered(lambda: self.inner.offsets(partition), "list partition snapshots")

    def load(self, partition: int, offset: int) -> PartitionSnapshotRecord | None:
        return until_answered(
            lambda: self.inner.load(partition, offset), "restore a partition's snapshot"
        )

    def delete(self, partition: int, offset: int) -> None:
        until_answered(lambda: self.inner.delete(partition, offset), "delete a snapshot")
