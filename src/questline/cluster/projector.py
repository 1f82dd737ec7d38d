"""A projector: a member of the projectors' consumer group over the events topic.

For each partition it owns it claims a new epoch in Cassandra, restores its
memory from the newest partition snapshot no later than the checkpoint and folds
the partition from there (rows up to the checkpoint are already stored, so it
only rebuilds its memory there), then writes the rows each batch changed,
the event archive and the command records, and moves the checkpoint —
which only the holder of the current epoch can do.

It folds the decision state too (the same `evolve` the workers use), so every
`snapshot_every` events it writes a partition snapshot that both workers and
projectors restore from: a pure function of the log before its offset. Every
`snapshot_audit_interval_s` its `SnapshotAuditor` checks the snapshots of one
partition it owns against a refold of the log (in a background thread); when one
is discarded and this projector's memory came from it (or wrote it), the memory
is rebuilt from the refold and the partition's hunts reconciled once it is back
at its checkpoint.
"""

import logging
import threading
import time
from functools import partial

import msgspec

from questline.adapters.cassandra.read_model_store import Fenced
from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.consumer_offsets import ConsumerOffsets
from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.event_source import EventMessage, KafkaEventSource
from questline.cluster.config import ClusterConfig
from questline.cluster.partition_projection import PartitionProjection
from questline.cluster.reconciler import ClusterReconciler
from questline.cluster.snapshot_audit import AuditResult, Refold, SnapshotAuditor
from questline.cluster.store_retry import until_answered
from questline.domain.events import RecordedEvent
from questline.domain.hunt_state import evolve
from questline.domain.projections.rows import LeaderboardRow
from questline.engine.command_window import CommandWindow
from questline.engine.memory_rows import rows_in_memory
from questline.engine.partition_snapshots import (
    deciders_of,
    projections_of,
    take_partition,
    window_of,
)
from questline.engine.snapshot_keeper import SnapshotClock, keep, newest_usable
from questline.observability import metrics
from questline.observability.cluster import ProjectorObserver
from questline.ports import CommandRecord

log = logging.getLogger(__name__)


class ClusterProjector:
    def __init__(self, config: ClusterConfig, store: CassandraStore, name: str) -> None:
        self.config = config
        self.store = store
        self.name = name
        self.partitions: dict[int, PartitionProjection] = {}
        self.events_applied = 0
        self.dead_letters = 0
        kafka = config.kafka
        self.observer = ProjectorObserver(name, kafka.events_topic)
        self.source = KafkaEventSource(
            kafka,
            name,
            session_timeout_ms=config.session_timeout_ms,
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
        )
        self.offsets = ConsumerOffsets(self.source.consumer, kafka.events_topic)
        self._stop = threading.Event()  # run()'s, once running
        self.snapshot_clock = SnapshotClock(config.snapshot_every, config.snapshot_min_interval_s)
        self.reconciler = (
            ClusterReconciler(config, store, self.source, interval_s=config.reconcile_interval_s)
            if config.reconcile_interval_s > 0
            else None
        )
        self.auditor = (
            SnapshotAuditor(config, store.snapshots, interval_s=config.snapshot_audit_interval_s)
            if config.snapshot_audit_interval_s > 0
            else None
        )
        self.rebuilds = 0  # partitions whose memory was rebuilt after a snapshot audit
        self._to_heal: set[int] = set()  # rebuilt partitions to reconcile once caught up

    def _on_assign(self, partitions: list[int]) -> dict[int, int]:
        """Claim each partition and restore memory; the offset to read each from."""
        starts: dict[int, int] = {}
        for partition in partitions:
            claim = partial(self.store.read_models.claim, partition)
            epoch, stored_to = until_answered(claim, "claim a partition")
            checkpoint = stored_to - 1  # the last offset whose rows are stored (-1: none)
            state = PartitionProjection(partition, epoch, checkpoint, window=self._window())
            starts[partition] = self._restore(state, stored_to)
            self.partitions[partition] = state
            self.observer.assigned(
                partition, epoch=epoch, checkpoint=checkpoint, restored_from=starts[partition]
            )
        return starts

    def _window(self) -> CommandWindow:
        size = self.config.window_size
        return CommandWindow(size.capacity, size.retention)

    def _restore(self, state: PartitionProjection, stored_to: int) -> int:
        """Memory from the newest usable snapshot (none later than what is stored);
        the offset to read from next. The messages between it and the checkpoint are
        folded as they arrive, without writing (`replayed` counts them)."""
        started = time.perf_counter()
        body = until_answered(
            lambda: newest_usable(self.store.snapshots, state.partition, up_to=stored_to),
            "restore a partition's snapshot",
        )
        start = 0
        if body is not None:
            state.states = deciders_of(body)
            state.previous_ranks = projections_of(body, state.projector, state.states)
            state.window.load(window_of(body))
            state.position = body.offset - 1
            state.lineage.add(body.offset)
            start = body.offset
        self.snapshot_clock.restored(state.partition)
        self.observer.restored(
            state.partition,
            time.perf_counter() - started,
            snapshot_offset=body.offset if body is not None else None,
            replayed=stored_to - max(start, 0),
        )
        return start

    def _on_revoke(self, partitions: list[int]) -> None:
        for partition in partitions:
            self.partitions.pop(partition, None)
            self.snapshot_clock.forget(partition)
            self._to_heal.discard(partition)
            self.observer.revoked(partition)

    def run(self, stop: threading.Event) -> None:
        self._stop = stop
        self.source.start()
        try:
            while not stop.is_set():
                fetched = self.source.poll(2000, 0.01)
                if fetched.messages or fetched.ends:
                    self._project_batches(fetched.messages)
                    # After the batches: an end reached in the same poll as the partition's
                    # last messages is only "read to" once they are folded. The end is
                    # reported once; taken before them it was skipped, and the lag stayed
                    # until the next event.
                    for partition, end in fetched.ends.items():
                        self._reached_end(partition, end)
                self.observer.tick(self.offsets, self.partitions)
                self.snapshot_clock.update_ages()
                if self.reconciler is not None:
                    self.reconciler.maybe_run(self.partitions)
                if self.auditor is not None:
                    for result in self.auditor.finished():
                        try:
                            self._audited(result)
                        except Exception:  # never stop projecting; the next audit retries
                            log.exception(
                                "acting on the audit of partition %d failed", result.partition
                            )
                    self.auditor.maybe_start(self.partitions)
                if self._to_heal:
                    self._heal_rebuilt()
        finally:
            if self.auditor is not None:
                self.auditor.close()
            self.source.close()
            self.observer.release_all()

    def _project_batches(self, by_partition: dict[int, list[EventMessage]]) -> None:
        for partition, batch in by_partition.items():
            state = self.partitions.get(partition)
            if state is None:
                continue
            stored = [m for m in batch if m.offset <= state.checkpoint]
            fresh = batch[len(stored) :]
            try:
                if stored:  # still rebuilding memory up to what is stored
                    self._project(state, stored)
                if fresh:
                    self._project(state, fresh)
            except Fenced as fenced:
                log.warning("projector %s: %s", self.name, fenced)
                self.partitions.pop(partition, None)
                self.observer.revoked(partition, "fenced")

    def _project(self, state: PartitionProjection, batch: list[EventMessage]) -> None:
        fresh_events: list[RecordedEvent] = []
        records: list[CommandRecord] = []
        window_records: list[CommandRecord] = []  # every one, stored or not
        last = state.position
        for message in batch:
            offset = last = message.offset
            problem = message.problem
            if message.record is not None:
                window_records.append(message.record)
                if offset > state.checkpoint:
                    records.append(message.record)
                continue
            recorded = message.event
            if recorded is not None:
                try:
                    hunt_id = recorded.hunt_id
                    state.states[hunt_id] = evolve(state.states.get(hunt_id), recorded)
                    state.projector.apply(recorded)
                except (ValueError, msgspec.MsgspecError, KeyError) as error:
                    problem = repr(error)
            if recorded is None or problem is not None:
                reason = problem or "unreadable"
                if offset > state.checkpoint:  # dead-letter it once, not on every rebuild
                    self.source.dead_letter(message, reason, "project")
                    self.dead_letters += 1
                    self.observer.dead_letter("project", state.partition, offset, reason)
                continue
            self.events_applied += 1
            if offset > state.checkpoint:
                fresh_events.append(recorded)
        state.position = last
        state.window.add(window_records)
        changes = state.projector.take_changes()
        if last <= state.checkpoint:
            # Still rebuilding memory: remember what is stored so ranks are replaced right.
            for (table, hunt_id, key), row in changes.items():
                if isinstance(row, LeaderboardRow):
                    state.previous_ranks[(table, hunt_id, key)] = row
            return

        def store_batch() -> None:  # every write is idempotent: all of it is tried again
            self.store.events.archive(fresh_events)
            self.store.commands.remember(records)
            self.store.read_models.write(
                state.partition, state.epoch, changes, last + 1, state.previous_ranks
            )

        until_answered(store_batch, "store a projected batch", stop=self._stop)
        state.checkpoint = last
        self.observer.projected(state.partition, batch[0].offset, last, fresh_events, len(records))
        if self.snapshot_clock.count(state.partition, len(batch)):
            try:
                self.snapshot(state)
            except Exception:  # a snapshot only speeds recovery up: never stop projecting
                log.exception("snapshot of partition %d failed", state.partition)
                self.snapshot_clock.taken(state.partition)  # try again after the next interval

    def snapshot(self, state: PartitionProjection) -> None:
        """Snapshot the partition as of its checkpoint (memory holds exactly that)."""
        record = take_partition(
            state.partition,
            state.checkpoint + 1,
            state.states,
            state.projector,
            int(time.time() * 1_000_000),
            window=state.window.dump(),
        )
        keep(self.store.snapshots, record, self.config.snapshots_kept)
        state.lineage.add(record.offset)
        self.snapshot_clock.taken(state.partition)

    def _audited(self, result: AuditResult) -> None:
        """A snapshot audit ended: if it discarded a snapshot this projector's memory
        of the partition came from or wrote, that memory is wrong too: rebuild it.
        Either way the partition's worker is told what was discarded (it restores
        again if its state came from one of them)."""
        discarded = list(result.discarded)
        state = self.partitions.get(result.partition)
        bad = sorted(set(discarded) & state.lineage) if state is not None else []
        if state is not None and bad:
            log.warning(
                "projector %s: its memory of partition %d came from or wrote the discarded"
                " snapshot(s) at %s; rebuilding it from the log",
                self.name,
                result.partition,
                ", ".join(map(str, bad)),
            )
            discarded += self._rebuild(state, result.refold)
        if discarded:
            self.source.request_restore(result.partition, discarded)

    def _rebuild(self, old: PartitionProjection, refold: Refold) -> list[int]:
        """Replace the partition's memory by the refold (the log's fold before its
        offset) and read on from there, as after an assignment: the messages up to
        the checkpoint are folded without writing. Then its hunts are reconciled.
        Returns the offsets of the snapshots the wrong memory wrote, now deleted."""
        state = PartitionProjection(
            old.partition, old.epoch, old.checkpoint, read_to=old.read_to, window=self._window()
        )
        if refold.offset <= old.checkpoint + 1:
            state.states = refold.states
            state.window = refold.window
            state.projector = refold.projector
            state.projector.take_changes()
            state.previous_ranks = {
                key: row
                for hunt_id in refold.states
                for key, row in rows_in_memory(refold.projector, hunt_id).items()
                if isinstance(row, LeaderboardRow)
            }
            state.position = refold.offset - 1
            start = refold.offset
        else:  # not expected: a snapshot is never past what is stored
            start = self._restore(state, old.checkpoint + 1)
        try:
            self.source.seek(old.partition, start)
        except KafkaUnavailable as error:
            log.error(
                "projector %s: cannot rebuild partition %d (seek to %d failed: %s);"
                " the next audit tries again",
                self.name,
                old.partition,
                start,
                error,
            )
            return []
        self.partitions[old.partition] = state
        self.snapshot_clock.restored(old.partition)
        self._to_heal.add(old.partition)
        self.rebuilds += 1
        # Snapshots the wrong memory wrote after the refold's offset are wrong too.
        written = sorted(o for o in old.lineage if o > refold.offset)
        for offset in written:
            self.store.snapshots.delete(old.partition, offset)
            metrics.SNAPSHOTS_DISCARDED.inc()
            log.warning(
                "snapshot of partition %d at offset %d discarded: written from the memory"
                " rebuilt after a snapshot audit",
                old.partition,
                offset,
            )
        return written

    def _heal_rebuilt(self) -> None:
        """Reconcile every hunt of each rebuilt partition once its memory is back at
        the checkpoint: rows written from the wrong memory are replaced, the rank
        index rebuilt. Done here even when periodic reconciliation is off."""
        for partition in sorted(self._to_heal):
            state = self.partitions.get(partition)
            if state is None:
                self._to_heal.discard(partition)
                continue
            if state.position != state.checkpoint:
                continue  # still folding its way up to what is stored
            self._to_heal.discard(partition)
            healer = self.reconciler or ClusterReconciler(
                self.config, self.store, self.source, interval_s=0.0
            )
            for hunt_id in sorted(state.states):
                try:
                    healer.check(state, hunt_id)
                except Exception as error:  # the periodic reconciler, if on, retries
                    metrics.RECONCILE_ERRORS.inc()
                    log.warning("reconciling hunt %s after a rebuild failed: %s", hunt_id, error)

    def _reached_end(self, partition: int, end: int) -> None:
        state = self.partitions.get(partition)
        if state is not None and state.read_to != end and state.position >= state.checkpoint:
            until_answered(
                lambda: self.store.read_models.mark_read_to(partition, end),
                "mark how far a partition was read",
                stop=self._stop,
            )
            state.read_to = end

    def lag(self) -> dict[int, int]:
        """Events not yet projected, per owned partition."""
        lags = {}
        for partition, state in self.partitions.items():
            high = self.source.high_watermark(partition)
            lags[partition] = max(high - 1 - state.checkpoint, 0)
        return lags
