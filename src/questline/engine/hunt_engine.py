"""The engine: decide a batch of commands against in-memory hunt state, then
commit events, command records and read-model rows in ONE transaction.

Only after the commit are outcomes handed back, so an acknowledged command is
durable. The engine is the only writer of its store.
"""

from collections.abc import Callable, Iterable, Sequence

from questline.domain.decide import decide
from questline.domain.events import RecordedEvent
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes
from questline.domain.rejections import Rejection, invalid_input, version_conflict
from questline.domain.timestamps import MICROS_PER_SECOND, Micros
from questline.engine.envelopes import CommandEnvelope, Outcome
from questline.engine.recent_commands import RecentCommands
from questline.ports import Clock, CommandRecord, Store, VersionConflict

DAY = 86_400 * MICROS_PER_SECOND
Progress = Callable[[int, int], None]  # (events done, events in all)


def idempotency_mismatch(command_id: str) -> Rejection:
    return invalid_input(
        "this Idempotency-Key was already used for a different request; "
        "use a new key for a new request",
        command_id=command_id,
    )


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
        self.states: dict[str, HuntState] = {}
        self.projector = Projector()
        self._recent = RecentCommands(recent_capacity)
        self._last_prune: Micros = 0
        # The read-model rows the last committed batch changed, for live updates.
        self.last_changes: Changes = {}

    # -- recovery -------------------------------------------------------

    def recover(self, progress: Progress | None = None) -> int:
        """Rebuild state and projections from the log; write any read-model rows
        the store is missing (after an import, say). Returns events replayed."""
        self.states = {}
        self.projector = Projector()
        self._recent.clear()
        log = self.store.events
        total = log.head()
        checkpoint = self.store.read_models.checkpoint()
        done = 0
        for recorded in log.read():
            self._fold(recorded)
            done += 1
            if recorded.position <= checkpoint:
                self._discard_changes_every(done)
            if progress is not None and done % 10_000 == 0:
                progress(done, total)
        changes = self.projector.take_changes()
        if total > checkpoint:
            with self.store.transaction() as uow:
                uow.read_models.apply_changes(changes, total)
        if progress is not None:
            progress(done, total)
        return done

    def _discard_changes_every(self, done: int) -> None:
        # Rows up to the checkpoint are stored already; drop them as we go to bound memory.
        if done % 10_000 == 0:
            self.projector.take_changes()

    def _fold(self, recorded: RecordedEvent) -> None:
        self.states[recorded.hunt_id] = evolve(self.states.get(recorded.hunt_id), recorded)
        self.projector.apply(recorded)

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
        known = self._known_records(batch)
        outcomes: list[Outcome] = []
        pending: list[RecordedEvent] = []
        records: list[CommandRecord] = []
        for envelope in batch:
            prior = known.get(envelope.command_id)
            if prior is not None:
                outcomes.append(self._replay(envelope, prior))
                continue
            outcome, events, record = self._decide_one(envelope, now)
            outcomes.append(outcome)
            pending.extend(events)
            if record is not None and envelope.remember:
                records.append(record)
                known[envelope.command_id] = record
        try:
            placed = self._commit(pending, records, now)
        except BaseException:
            self.recover()  # memory ran ahead of the store; the log is the truth
            raise
        self._recent.add(records)
        return self._with_positions(outcomes, placed)

    def _decide_one(
        self, envelope: CommandEnvelope, now: Micros
    ) -> tuple[Outcome, list[RecordedEvent], CommandRecord | None]:
        command = envelope.command
        hunt_id = command.hunt_id
        state = self.states.get(hunt_id)
        decided_at = max(now, state.last_time) if state is not None else now
        decision = decide(state, command, decided_at)
        if isinstance(decision, Rejection):
            return Outcome(envelope.command_id, rejection=decision), [], None
        events: list[RecordedEvent] = []
        for event in decision.events:
            recorded = RecordedEvent(
                hunt_id=hunt_id,
                version=(state.version if state is not None else 0) + 1,
                time=decided_at,
                command_id=envelope.command_id,
                event=event,
                correlation_id=envelope.correlation_id,
            )
            state = evolve(state, recorded)
            events.append(recorded)
        if state is not None:
            self.states[hunt_id] = state
        record = CommandRecord(
            envelope.command_id, hunt_id, envelope.fingerprint, decision.reply, decided_at
        )
        return Outcome(envelope.command_id, reply=decision.reply), events, record

    def _known_records(self, batch: Sequence[CommandEnvelope]) -> dict[str, CommandRecord]:
        known: dict[str, CommandRecord] = {}
        missing: list[str] = []
        for envelope in batch:
            if not envelope.remember:
                continue
            record = self._recent.get(envelope.command_id)
            if record is not None:
                known[envelope.command_id] = record
            else:
                missing.append(envelope.command_id)
        if missing:
            known.update(self.store.commands.find(missing))
        return known

    @staticmethod
    def _replay(envelope: CommandEnvelope, prior: CommandRecord) -> Outcome:
        if prior.fingerprint != envelope.fingerprint:
            return Outcome(envelope.command_id, rejection=idempotency_mismatch(envelope.command_id))
        return Outcome(envelope.command_id, reply=prior.reply, replayed=True)

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

    @staticmethod
    def _with_positions(outcomes: list[Outcome], placed: Iterable[RecordedEvent]) -> list[Outcome]:
        by_command: dict[str, list[RecordedEvent]] = {}
        for recorded in placed:
            by_command.setdefault(recorded.command_id, []).append(recorded)
        if not by_command:
            return outcomes
        return [
            Outcome(o.command_id, o.reply, o.rejection, o.replayed, tuple(by_command[o.command_id]))
            if o.command_id in by_command and not o.replayed and o.reply is not None
            else o
            for o in outcomes
        ]
