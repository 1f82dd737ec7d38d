"""Deciding a batch of commands against in-memory hunt state, with idempotency.

Shared by both shapes: the embedded engine commits the result to SQLite, a
partition writer (engine/partition_writer.py) appends it to its log partition.
Nothing here does I/O except through the `lookup` the caller passes for command
ids its window does not hold and cannot rule out (engine/command_window.py).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from questline.domain.decide import decide
from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import GENESIS, event_hash
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.rejections import Rejection, invalid_input
from questline.domain.timestamps import Micros
from questline.engine.command_window import CommandWindow
from questline.ports import CommandEnvelope, CommandRecord, Outcome

Lookup = Callable[[Sequence[str]], dict[str, CommandRecord]]


def idempotency_mismatch(command_id: str) -> Rejection:
    return invalid_input(
        "this Idempotency-Key was already used for a different request; "
        "use a new key for a new request",
        command_id=command_id,
    )


@dataclass
class DecidedBatch:
    outcomes: list[Outcome]
    events: list[RecordedEvent] = field(default_factory=list)
    records: list[CommandRecord] = field(default_factory=list)


class BatchDecider:
    def __init__(
        self, recent_capacity: int = 100_000, *, window: CommandWindow | None = None
    ) -> None:
        self.states: dict[str, HuntState] = {}
        self.recent = window if window is not None else CommandWindow(recent_capacity)

    def fold(self, recorded: RecordedEvent) -> None:
        self.states[recorded.hunt_id] = evolve(self.states.get(recorded.hunt_id), recorded)

    def forget(self, hunt_ids: set[str] | None = None) -> None:
        """Drop state (all, or some hunts') so it is rebuilt from the log."""
        if hunt_ids is None:
            self.states.clear()
            self.recent.clear()
        else:
            for hunt_id in hunt_ids:
                self.states.pop(hunt_id, None)

    def decide_batch(
        self, batch: Sequence[CommandEnvelope], now: Micros, lookup: Lookup
    ) -> DecidedBatch:
        """Decide every command in order, evolving state as it goes. Nothing is
        durable yet: the caller commits `events` and `records`, then calls
        `committed(records)`; on failure it must rebuild state from the log."""
        known = self._known_records(batch, lookup)
        decided = DecidedBatch([])
        for envelope in batch:
            prior = known.get(envelope.command_id)
            if prior is not None:
                decided.outcomes.append(_replay(envelope, prior))
                continue
            outcome, events, record = self._decide_one(envelope, now)
            decided.outcomes.append(outcome)
            decided.events.extend(events)
            if record is not None and envelope.remember:
                decided.records.append(record)
                known[envelope.command_id] = record
        return decided

    def committed(self, records: Sequence[CommandRecord]) -> None:
        self.recent.add(records)

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
        command_id = envelope.command_id
        correlation_id = envelope.correlation_id
        for event in decision.events:
            version = (state.version if state is not None else 0) + 1
            previous = state.last_hash if state is not None else GENESIS
            recorded = RecordedEvent(
                hunt_id,
                version,
                decided_at,
                command_id,
                event,
                0,
                correlation_id,
                event_hash(previous, hunt_id, version, decided_at, event),
            )
            state = evolve(state, recorded)
            events.append(recorded)
        if state is not None:
            self.states[hunt_id] = state
        record = (
            CommandRecord(
                envelope.command_id, hunt_id, envelope.fingerprint, decision.reply, decided_at
            )
            if decision.kept
            else None
        )
        return Outcome(envelope.command_id, reply=decision.reply), events, record

    def _known_records(
        self, batch: Sequence[CommandEnvelope], lookup: Lookup
    ) -> dict[str, CommandRecord]:
        known: dict[str, CommandRecord] = {}
        missing: list[str] = []
        recent = self.recent.get
        must_look_up = self.recent.must_look_up
        for envelope in batch:
            if not envelope.remember:
                continue
            command_id = envelope.command_id
            record = recent(command_id)
            if record is not None:
                known[command_id] = record
            elif must_look_up(command_id):
                missing.append(command_id)
        if missing:
            known.update(lookup(missing))
        return known


def _replay(envelope: CommandEnvelope, prior: CommandRecord) -> Outcome:
    if prior.fingerprint != envelope.fingerprint:
        return Outcome(envelope.command_id, rejection=idempotency_mismatch(envelope.command_id))
    return Outcome(envelope.command_id, reply=prior.reply, replayed=True)


def with_events(outcomes: list[Outcome], placed: Sequence[RecordedEvent]) -> list[Outcome]:
    """Attach each command's placed events (with positions) to its outcome."""
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
