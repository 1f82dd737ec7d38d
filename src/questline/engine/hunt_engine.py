"""The embedded engine: decide a batch of commands against in-memory hunt
state, then commit events, command records and read-model rows in ONE
SQLite transaction.

Only after the commit are outcomes handed back, so an acknowledged command is
durable. The engine is the only writer of its store: every write (a batch, a
heal, a snapshot) happens under `lock`, so maintenance never races a batch.

Recovery starts from each hunt's snapshot (when a snapshot store is given and
the snapshot checks out) and replays only the events after it.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from questline.domain.events import ReadModelHealed, RecordedEvent
from questline.domain.hash_chain import with_hash
from questline.domain.hunt_state import HuntState
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import TABLES, Changes
from questline.domain.rejections import unwritable_command, version_conflict
from questline.domain.timestamps import MICROS_PER_SECOND, Micros
from questline.engine import snapshots
from questline.engine.batch_decider import BatchDecider, idempotency_mismatch, with_events
from questline.engine.verification import Difference, hunt_differences
from questline.observability import metrics
from questline.observability.commands import observe_unwritable
from questline.ports import (
    UNWRITABLE_ERRORS,
    Clock,
    CommandEnvelope,
    CommandRecord,
    Outcome,
    SnapshotStore,
    Store,
    VersionConflict,
    reason_of,
)

DAY = 86_400 * MICROS_PER_SECOND
Progress = Callable[[int, int], None]  # (events done, events in all)

__all__ = ["DAY", "HuntEngine", "Progress", "RecoveryReport", "idempotency_mismatch"]

log = logging.getLogger(__name__)


class _Trial(Exception):
    """Ends a trial transaction: nothing of it is committed."""


@dataclass
class RecoveryReport:
    events_replayed: int = 0
    snapshots_used: int = 0
    snapshots_discarded: list[str] = field(default_factory=list)  # "hunt: why"
    seconds: float = 0.0


class HuntEngine:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        retention: Micros = DAY,
        recent_capacity: int = 100_000,
        snapshots: SnapshotStore | None = None,
        snapshot_every: int = 10_000,
    ) -> None:
        self.store = store
        self.clock = clock
        self.retention = retention
        self.decider = BatchDecider(recent_capacity)
        self.projector = Projector()
        self.snapshots = snapshots
        # A hunt is snapshotted again once it has this many events past its last one.
        self.snapshot_every = snapshot_every
        # Held by every write: batches, heals, snapshots (re-entrant: a conflict recovers).
        self.lock = threading.RLock()
        self._last_prune: Micros = 0
        # The read-model rows the last committed batch changed, for live updates.
        self.last_changes: Changes = {}
        # Each hunt's last event position, and the version of its last snapshot.
        self.positions: dict[str, int] = {}
        self.snapshot_versions: dict[str, int] = {}
        self.last_recovery = RecoveryReport()
        self._unsnapshottable: set[str] = set()  # hunts already reported as such

    @property
    def states(self) -> dict[str, HuntState]:
        return self.decider.states

    # -- recovery -------------------------------------------------------

    def recover(self, progress: Progress | None = None) -> int:
        """Rebuild state and projections from the snapshots and the log; write any
        read-model rows the store is missing (after an import, say). Returns the
        number of events replayed."""
        with self.lock:
            return self._recover(progress)

    def _recover(self, progress: Progress | None) -> int:
        started = time.perf_counter()
        report = RecoveryReport()
        self.decider.forget()
        self.projector = Projector()
        self.positions = {}
        self.snapshot_versions = {}
        log_ = self.store.events
        total = log_.head()
        checkpoint = self.store.read_models.checkpoint()
        covered = self._restore_snapshots(checkpoint, total, report)
        start = 0
        if covered:
            hunts = log_.hunt_ids()
            if all(hunt_id in covered for hunt_id in hunts):
                start = min(covered.values())
        done = 0
        seen = 0
        for recorded in log_.read(after=start):
            seen += 1
            upto = covered.get(recorded.hunt_id)
            if upto is not None and recorded.position <= upto:
                continue
            self.decider.fold(recorded)
            self.projector.apply(recorded)
            self.positions[recorded.hunt_id] = recorded.position
            done += 1
            if done % 10_000 == 0:
                if recorded.position <= checkpoint:
                    # Rows up to the checkpoint are stored already: drop them to bound memory.
                    self.projector.take_changes()
                if progress is not None:
                    progress(start + seen, total)
        changes = self.projector.take_changes()
        if total > checkpoint:
            with self.store.transaction() as uow:
                uow.read_models.apply_changes(changes, total)
        if progress is not None:
            progress(total, total)
        report.events_replayed = done
        report.seconds = time.perf_counter() - started
        self.last_recovery = report
        if self.snapshots is not None and done >= self.snapshot_every:
            self.take_snapshots()
        return done

    def _restore_snapshots(
        self, checkpoint: int, head: int, report: RecoveryReport
    ) -> dict[str, int]:
        """Load every usable snapshot into memory; return hunt -> position it covers."""
        if self.snapshots is None:
            return {}
        covered: dict[str, int] = {}
        discarded: list[str] = []
        for record in self.snapshots.load_all():
            try:
                self._check_against_log(record.hunt_id, record.version, record.position, head)
                if record.position > checkpoint:
                    raise snapshots.SnapshotError(
                        f"it is past the read models' checkpoint ({checkpoint})"
                    )
                body = snapshots.open_snapshot(record)
                state = snapshots.decider_from(body.decider)
            except snapshots.SnapshotError as error:
                log.warning(
                    "snapshot of hunt %s (version %d) discarded: %s; replaying its log instead",
                    record.hunt_id,
                    record.version,
                    error,
                )
                report.snapshots_discarded.append(f"{record.hunt_id}: {error}")
                metrics.SNAPSHOTS_DISCARDED.inc()
                discarded.append(record.hunt_id)
                continue
            snapshots.projections_into(self.projector, record.hunt_id, body.projections, state)
            self.decider.states[record.hunt_id] = state
            self.positions[record.hunt_id] = record.position
            self.snapshot_versions[record.hunt_id] = record.version
            covered[record.hunt_id] = record.position
        if discarded:
            self.snapshots.delete(discarded)
        report.snapshots_used = len(covered)
        return covered

    def _check_against_log(self, hunt_id: str, version: int, position: int, head: int) -> None:
        if position > head:
            raise snapshots.SnapshotError(f"it is past the end of the log ({head})")
        at = next(iter(self.store.events.read(after=position - 1, limit=1)), None)
        if at is None or at.position != position or (at.hunt_id, at.version) != (hunt_id, version):
            raise snapshots.SnapshotError(
                f"the log holds another event at position {position}"
                " (a snapshot of another database?)"
            )

    # -- snapshots ----------------------------------------------------------

    def take_snapshots(self, *, every: int | None = None) -> int:
        """Snapshot each hunt with at least `every` (default: any) events since its last
        snapshot. Returns how many were written."""
        if self.snapshots is None:
            return 0
        least = 1 if every is None else max(every, 1)
        with self.lock:
            now = self.clock.now()
            records = []
            for hunt_id, state in self.states.items():
                if (
                    state.version - self.snapshot_versions.get(hunt_id, 0) < least
                    or hunt_id not in self.positions
                ):
                    continue
                try:
                    records.append(
                        snapshots.take(state, self.projector, self.positions[hunt_id], now)
                    )
                except UNWRITABLE_ERRORS as error:
                    # A value MessagePack cannot hold (a definition from before the
                    # limits, say): this hunt recovers from its log instead.
                    if hunt_id not in self._unsnapshottable:
                        self._unsnapshottable.add(hunt_id)
                        log.warning("hunt %s cannot be snapshotted: %s", hunt_id, reason_of(error))
            self.snapshots.save(records)
            for record in records:
                self.snapshot_versions[record.hunt_id] = record.version
        if records:
            log.info("wrote snapshots of %d hunt(s)", len(records))
        return len(records)

    # -- reconciliation -----------------------------------------------------

    def reconcile_hunt(self, hunt_id: str) -> list[Difference]:
        """Compare one hunt's stored read models with a replay of its log; when they
        differ, replace them with the replayed rows in one write transaction (under
        the writer lock) and record a ReadModelHealed event per differing table.

        The replay runs outside the lock; the lock is taken only when a difference
        shows, to catch up with events committed meanwhile and compare again."""
        log_ = self.store.events
        projector = Projector()
        expected: Changes = {}
        last = 0
        for recorded in log_.read(hunt_id=hunt_id):
            projector.apply(recorded)
            last = recorded.position
        expected.update(projector.take_changes())
        if not hunt_differences(self.store.read_models, hunt_id, expected):
            return []
        with self.lock:
            for recorded in log_.read(after=last, hunt_id=hunt_id):
                projector.apply(recorded)
            expected.update(projector.take_changes())
            differences = hunt_differences(self.store.read_models, hunt_id, expected)
            if differences:
                self._heal(hunt_id, expected, differences)
            return differences

    def _heal(self, hunt_id: str, rows: Changes, differences: list[Difference]) -> None:
        state = self.states.get(hunt_id)
        pending: list[RecordedEvent] = []
        if state is not None:
            per_table: dict[str, set[str]] = {}
            for d in differences:
                per_table.setdefault(d.table, set()).add(d.key)
            version = state.version
            decided_at = max(self.clock.now(), state.last_time)
            command_id = f"reconcile-{uuid.uuid4().hex}"
            previous = state.last_hash
            for table in TABLES:
                if table in per_table:
                    version += 1
                    healed = with_hash(
                        previous,
                        RecordedEvent(
                            hunt_id=hunt_id,
                            version=version,
                            time=decided_at,
                            command_id=command_id,
                            event=ReadModelHealed(table, len(per_table[table])),
                        ),
                    )
                    pending.append(healed)
                    previous = healed.hash
        try:
            with self.store.transaction() as uow:
                uow.read_models.replace_hunt(hunt_id, rows)
                placed = uow.events.append(pending)
                for recorded in placed:
                    self.projector.apply(recorded)
                changes = self.projector.take_changes()
                if placed:
                    uow.read_models.apply_changes(changes, placed[-1].position)
        except BaseException:
            self._recover(None)  # memory may have run ahead of the store
            raise
        for recorded in placed:
            self.decider.fold(recorded)
            self.positions[hunt_id] = recorded.position

    # -- commands ---------------------------------------------------------

    def execute(self, batch: Sequence[CommandEnvelope]) -> list[Outcome]:
        """Decide and commit a batch; on a version conflict, reload and retry once. A
        command that cannot be written is refused alone and the rest committed."""
        with self.lock:
            self.last_changes = {}
            return self._isolating(batch)

    def _isolating(self, batch: Sequence[CommandEnvelope]) -> list[Outcome]:
        """When a batch fails for a reason in its data (`UNWRITABLE_ERRORS`, ports.py), find the
        command at fault with a trial run (`_first_unwritable`), refuse it with
        `unwritable_command`, and run the others again: they are committed and
        answered in order. Each failed run rebuilds memory from the log, so one bad
        command costs two rebuilds (the failed batch, the trial), not one per split."""
        try:
            return self._execute_retrying(batch)
        except UNWRITABLE_ERRORS as error:
            if len(batch) == 1:
                index, fault = 0, error
            else:
                found = self._first_unwritable(batch)
                if found is None:  # no one command fails: not the data's fault after all
                    raise
                index, fault = found
        envelope = batch[index]
        observe_unwritable(envelope, fault)
        refusal = Outcome(envelope.command_id, rejection=unwritable_command(reason_of(fault)))
        outcomes = self._isolating([*batch[:index], *batch[index + 1 :]]) if len(batch) > 1 else []
        outcomes.insert(index, refusal)
        return outcomes

    def _first_unwritable(self, batch: Sequence[CommandEnvelope]) -> tuple[int, Exception] | None:
        """Decide and write the batch command by command in one transaction that is
        never committed: the first command whose decision or write fails, with its
        error. Memory is rebuilt from the log afterwards (it ran ahead)."""
        now = self.clock.now()
        lookup = self.store.commands.find
        found: tuple[int, Exception] | None = None
        try:
            with self.store.transaction() as uow:
                for index, envelope in enumerate(batch):
                    try:
                        decided = self.decider.decide_batch([envelope], now, lookup)
                        placed = uow.events.append(decided.events)
                        self.projector.apply_all(placed)
                        changes = self.projector.take_changes()
                        if placed:
                            uow.read_models.apply_changes(changes, placed[-1].position)
                        uow.commands.remember(decided.records)
                    except UNWRITABLE_ERRORS as error:
                        found = (index, error)
                        break
                raise _Trial  # roll the trial back, whatever it found
        except _Trial:
            pass
        finally:
            self._recover(None)
        return found

    def _execute_retrying(self, batch: Sequence[CommandEnvelope]) -> list[Outcome]:
        try:
            return self._execute(batch)
        except VersionConflict:
            self._recover(None)
        try:
            return self._execute(batch)
        except VersionConflict as conflict:
            self._recover(None)
            refusal = version_conflict(conflict.hunt_id, conflict.actual, conflict.expected)
            return [Outcome(e.command_id, rejection=refusal) for e in batch]

    def _execute(self, batch: Sequence[CommandEnvelope]) -> list[Outcome]:
        now = self.clock.now()
        try:
            decided = self.decider.decide_batch(batch, now, self.store.commands.find)
        except UNWRITABLE_ERRORS:
            # A command made the decider raise: the commands before it have evolved
            # memory with events that will not be written.
            self._recover(None)
            raise
        try:
            placed = self._commit(decided.events, decided.records, now)
        except BaseException:
            self._recover(None)  # memory ran ahead of the store; the log is the truth
            raise
        self.decider.committed(decided.records)
        return with_events(decided.outcomes, placed)

    def _commit(
        self, pending: list[RecordedEvent], records: list[CommandRecord], now: Micros
    ) -> list[RecordedEvent]:
        if not pending and not records:
            return []
        with self.store.transaction() as uow:
            placed = uow.events.append(pending)
            self.projector.apply_all(placed)
            changes = self.projector.take_changes()
            if placed:
                uow.read_models.apply_changes(changes, placed[-1].position)
            uow.commands.remember(records)
            if now - self._last_prune > 60 * MICROS_PER_SECOND:
                uow.commands.forget_before(now - self.retention)
                self._last_prune = now
        # Only committed rows: a batch split to set a command aside commits in parts.
        if self.last_changes:
            self.last_changes.update(changes)
        else:
            self.last_changes = changes
        positions = self.positions
        for recorded in placed:
            positions[recorded.hunt_id] = recorded.position
        return placed
