"""The embedded engine: decide a batch of commands against in-memory hunt
state, then commit events, command records and read-model rows in ONE
SQLite transaction.

Only after the commit are outcomes handed back, so an acknowledged command is
durable. The engine is the only writer of its store.
"""

from collections.abc import Callable, Sequence

from questline.domain.events import RecordedEvent
from questline.domain.hunt_state import HuntState
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes
from questline.domain.rejections import version_conflict
from questline.domain.timestamps import MICROS_PER_SECOND, Micros
from questline.engine.batch_decider import BatchDecider, idempotency_mismatch, with_events
from questline.engine.envelopes import CommandEnvelope, Outcome
from questline.ports import Clock, CommandRecord, Store, VersionConflict

DAY = 86_400 * MICROS_PER_SECOND
Progress = Callable[[int, int], None]  # (events done, events in all)

__all__ = ["DAY", "HuntEngine", "Progress", "idempotency_mismatch"]


class HuntEngine:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        retention: Micros = DAY,
        recent_capacity: int = 100_000,
    ) -> None:
        self.store = store
        self.clock = clock
        self.retention = retention
        self.decider = BatchDecider(recent_capacity)
        self.projector = Projector()
        self._last_prune: Micros = 0
        # The read-model rows the last committed batch changed, for live updates.
        self.last_changes: Changes = {}

    @property
    def states(self) -> dict[str, HuntState]:
        return self.decider.states

    # -- recovery -------------------------------------------------------

    def recover(self, progress: Progress | None = None) -> int:
        """Rebuild state and projections from the log; write any read-model rows
        the store is missing (after an import, say). Returns events replayed."""
        self.decider.forget()
        self.projector = Projector()
        log = self.store.events
        total = log.head()
        checkpoint = self.store.read_models.checkpoint()
        done = 0
        for recorded in log.read():
            self.decider.fold(recorded)
            self.projector.apply(recorded)
            done += 1
            if done % 10_000 == 0:
                if recorded.position <= checkpoint:
                    # Rows up to the checkpoint are stored already: drop them to bound memory.
                    self.projector.take_changes()
                if progress is not None:
                    progress(done, total)
        changes = self.projector.take_changes()
        if total > checkpoint:
            with self.store.transaction() as uow:
                uow.read_models.apply_changes(changes, total)
        if progress is not None:
            progress(done, total)
        return done

    # -- commands ---------------------------------------------------------

    def execute(self, batch: Sequence[CommandEnvelope]) -> list[Outcome]:
        """Decide and commit a batch; on a version conflict, reload and retry once."""
        try:
            return self._execute(batch)
        except VersionConflict:
            self.recover()
        try:
            return self._execute(batch)
        except VersionConflict as conflict:
            self.recover()
            refusal = version_conflict(conflict.hunt_id, conflict.actual, conflict.expected)
            return [Outcome(e.command_id, rejection=refusal) for e in batch]

    def _execute(self, batch: Sequence[CommandEnvelope]) -> list[Outcome]:
        now = self.clock.now()
        decided = self.decider.decide_batch(batch, now, self.store.commands.find)
        try:
            placed = self._commit(decided.events, decided.records, now)
        except BaseException:
            self.recover()  # memory ran ahead of the store; the log is the truth
            raise
        self.decider.committed(decided.records)
        return with_events(decided.outcomes, placed)

    def _commit(
        self, pending: list[RecordedEvent], records: list[CommandRecord], now: Micros
    ) -> list[RecordedEvent]:
        self.last_changes = {}
        if not pending and not records:
            return []
        with self.store.transaction() as uow:
            placed = uow.events.append(pending)
            for recorded in placed:
                self.projector.apply(recorded)
            self.last_changes = self.projector.take_changes()
            if placed:
                uow.read_models.apply_changes(self.last_changes, placed[-1].position)
            uow.commands.remember(records)
            if now - self._last_prune > 60 * MICROS_PER_SECOND:
                uow.commands.forget_before(now - self.retention)
                self._last_prune = now
        return placed
