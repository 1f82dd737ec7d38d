"""The snapshot audit: a partition's stored snapshots checked against an independent
refold of the log.

A snapshot that opens cleanly (checksum, format, layout) can still hold wrong
state: written by a buggy version, or from a projector's memory that drifted.
Workers and projectors would restore from it for as long as it is kept. So, at
a slow cadence, each projector takes the next partition it owns and, in a
background thread (projecting goes on), reads its events partition read
committed from the start up to the newest snapshot's offset, folding it with
`evolve` and a fresh `Projector` — exactly the fold a snapshot is a pure
function of. On the way it compares every stored snapshot of the partition
with the refold at that snapshot's offset (`fold_differences`). One that
differs is deleted (no worker or projector restores from it again), counted in
`questline_snapshots_discarded_total` and
`questline_snapshot_audits_total{result="discarded"}`, and logged at WARNING
with its partition, offset and first differing hunt; one that matches counts
`result="ok"`. The projector gets the refold back and rebuilds its memory of
the partition from it when that memory came from, or wrote, a discarded one.
"""

import logging
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from questline.adapters.kafka.partition_reader import PartitionReadError, read_partition
from questline.cluster.config import ClusterConfig
from questline.domain.events import RecordedEvent
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.projections.projector import Projector
from questline.engine.command_window import CommandWindow
from questline.engine.fold_differences import Fold, FoldDifference, fold_differences
from questline.engine.partition_snapshots import (
    deciders_of,
    open_partition,
    projections_of,
    window_of,
)
from questline.engine.snapshots import SnapshotError
from questline.observability import metrics
from questline.ports import CommandRecord, PartitionSnapshotStore

log = logging.getLogger(__name__)

# Reading a whole partition is slow; the deadline only ends a read that is stuck.
READ_DEADLINE_S = 900.0
# The audit feed's rows pile up in a projector until taken: drop them this often.
TAKE_EVERY = 50_000


class AuditStopped(Exception):
    """The projector is stopping: the audit gave up mid-read."""


@dataclass
class Refold:
    """The log's fold of one partition before `offset`, made without any snapshot."""

    partition: int
    offset: int = 0
    states: dict[str, HuntState] = field(default_factory=dict)
    projector: Projector = field(default_factory=Projector)
    window: CommandWindow = field(default_factory=lambda: CommandWindow(0, 0))
    folded: int = 0

    def fold(self, recorded: RecordedEvent) -> None:
        """What a projector does with an event, with the same skips (an event the
        rules refuse changes neither state)."""
        try:
            self.states[recorded.hunt_id] = evolve(self.states.get(recorded.hunt_id), recorded)
            self.projector.apply(recorded)
        except (ValueError, msgspec.MsgspecError, KeyError):
            return
        self.folded += 1
        if self.folded % TAKE_EVERY == 0:
            self.projector.take_changes()

    def remember(self, record: CommandRecord) -> None:
        self.window.add((record,))

    def as_fold(self) -> Fold:
        self.projector.take_changes()
        return Fold(self.states, self.projector, self.window.dump())


@dataclass(frozen=True)
class Audited:
    offset: int
    differences: tuple[FoldDifference, ...]  # empty: the snapshot equals the refold


@dataclass(frozen=True)
class AuditResult:
    partition: int
    audited: tuple[Audited, ...]  # oldest first
    refold: Refold  # the log's fold at the newest offset audited

    @property
    def discarded(self) -> list[int]:
        return [a.offset for a in self.audited if a.differences]


def audit_partition(
    config: ClusterConfig,
    snapshots: PartitionSnapshotStore,
    partition: int,
    *,
    stop: threading.Event | None = None,
) -> AuditResult | None:
    """Refold the partition from the start of the log to its newest snapshot and
    compare every snapshot stored now (oldest first) with the refold at its offset;
    delete, count and log each that differs. None when it has no snapshot.
    Snapshots that do not open are left to restores (they skip and count them)."""
    offsets = sorted(snapshots.offsets(partition))
    if not offsets:
        return None
    size = config.window_size
    refold = Refold(partition, window=CommandWindow(size.capacity, size.retention))

    def fold(recorded: RecordedEvent) -> None:
        if stop is not None and stop.is_set():
            raise AuditStopped
        refold.fold(recorded)

    audited: list[Audited] = []
    for offset in offsets:
        reached = read_partition(
            config.kafka,
            partition,
            fold,
            refold.remember,
            start=refold.offset,
            end=offset,
            deadline_s=READ_DEADLINE_S,
        )
        if reached != offset:
            raise PartitionReadError(
                f"events partition {partition} ends at {reached}, before its snapshot at {offset}"
            )
        refold.offset = offset
        record = snapshots.load(partition, offset)
        if record is None:
            continue  # pruned meanwhile
        try:
            body = open_partition(record)
            projector = Projector()
            states = deciders_of(body)
            projections_of(body, projector, states)
            snapshot = Fold(states, projector, window_of(body))
        except SnapshotError as error:
            log.info(
                "snapshot audit: partition %d at offset %d does not open (%s); skipped",
                partition,
                offset,
                error,
            )
            continue
        differences = tuple(fold_differences(snapshot, refold.as_fold()))
        audited.append(Audited(offset, differences))
        if not differences:
            metrics.SNAPSHOT_AUDITS.labels("ok").inc()
            continue
        snapshots.delete(partition, offset)
        metrics.SNAPSHOTS_DISCARDED.inc()
        metrics.SNAPSHOT_AUDITS.labels("discarded").inc()
        log.warning(
            "snapshot of partition %d at offset %d discarded: it differs from a refold of the"
            " log in %d place(s), first %s",
            partition,
            offset,
            len(differences),
            differences[0].describe(),
        )
    return AuditResult(partition, tuple(audited), refold)


@dataclass
class SnapshotAuditStats:
    rounds: int = 0
    ok: int = 0
    discarded: int = 0
    errors: int = 0
    last_error: str | None = None


class SnapshotAuditor:
    """Audits the partitions a projector owns in turn, one per round, a round at most
    every `interval_s` (counted from the end of the last), each in a background
    thread. The projector starts rounds and collects their results between batches:
    `maybe_start`, then `finished`."""

    def __init__(
        self, config: ClusterConfig, snapshots: PartitionSnapshotStore, *, interval_s: float
    ) -> None:
        self.config = config
        self.snapshots = snapshots
        self.interval_s = interval_s
        self.stats = SnapshotAuditStats()
        self._next = time.monotonic() + interval_s
        self._cursor = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._done: queue.SimpleQueue[AuditResult] = queue.SimpleQueue()

    def maybe_start(self, owned: Iterable[int]) -> None:
        """Start auditing the next owned partition if a round is due and none runs."""
        if self._thread is not None and self._thread.is_alive():
            return
        if time.monotonic() < self._next or self._stop.is_set():
            return
        partitions = sorted(owned)
        if not partitions:
            return
        partition = partitions[self._cursor % len(partitions)]
        self._cursor += 1
        self._thread = threading.Thread(
            target=self._run, args=(partition,), name=f"snapshot-audit-{partition}", daemon=True
        )
        self._thread.start()

    def _run(self, partition: int) -> None:
        try:
            result = audit_partition(self.config, self.snapshots, partition, stop=self._stop)
        except AuditStopped:
            return
        except Exception as error:  # Kafka or Cassandra trouble: the next round goes on
            self.stats.errors += 1
            self.stats.last_error = f"partition {partition}: {error}"
            log.warning("snapshot audit of partition %d failed: %s", partition, error)
            return
        finally:
            self._next = time.monotonic() + self.interval_s
        self.stats.rounds += 1
        if result is None:
            return
        discarded = len(result.discarded)
        self.stats.discarded += discarded
        self.stats.ok += len(result.audited) - discarded
        self._done.put(result)

    def finished(self) -> list[AuditResult]:
        """The results of the rounds that ended since the last call."""
        results: list[AuditResult] = []
        while True:
            try:
                results.append(self._done.get_nowait())
            except queue.Empty:
                return results

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop a running round (it gives up at its next event) and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
