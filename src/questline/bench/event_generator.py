"""A large, realistic event log, fast: the setup every big suite needs.

Deciding a million commands through the engine takes minutes (every batch also
writes read models and command records). Here a few *template* hunts are
decided by the domain itself (the BatchDecider's decide/evolve on the
realistic workload mix) in memory, and each template's events are appended
under several hunt ids, in large transactions, straight through the SQLite
event log adapter. Every hunt's history is therefore one the domain really
decided (versions contiguous, solves, hints, dynamic points, first-solve
bonuses all consistent), and a replay folds exactly what it would fold had
the engine written it; only the histories of the copies of one template are
alike. Read models are not written: `replay` builds them (see `populate`).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from questline.adapters.sqlite.store import SqliteStore
from questline.domain.definition import Ranking
from questline.domain.events import HuntCreated, RecordedEvent, TeamRegistered
from questline.domain.hash_chain import GENESIS, with_hash
from questline.engine.batch_decider import BatchDecider
from questline.engine.verification import replay
from questline.loadgen.workload import HOUR, Workload
from questline.ports import CommandEnvelope, CommandRecord

replace = msgspec.structs.replace
DECIDE_BATCH = 10_000
APPEND_BATCH = 50_000


@dataclass(frozen=True)
class LogShape:
    """`hunts` hunts of `teams_per_hunt` teams; `templates` of them decided, the
    rest copies of those under their own hunt ids."""

    hunts: int = 20
    teams_per_hunt: int = 500
    templates: int = 4
    seed: int = 1
    ranking: Ranking = "score"
    divisions: tuple[str, ...] = ()
    clues: int = 8  # per hunt (Workload.clues)

    @property
    def copies(self) -> int:
        return -(-self.hunts // self.templates)


def template_events(shape: LogShape) -> Iterator[list[RecordedEvent]]:
    """The templates' events, batch by batch, as the domain decides them."""
    workload = Workload(
        hunts=shape.templates,
        teams=shape.templates * shape.teams_per_hunt,
        seed=shape.seed,
        ranking=shape.ranking,
        divisions=shape.divisions,
        clues=shape.clues,
    )
    decider = BatchDecider(recent_capacity=0)
    now = workload.starts_at + HOUR
    setup = [
        CommandEnvelope(f"s{i}", command, remember=False)
        for i, command in enumerate(workload.setup())
    ]
    for start in range(0, len(setup), DECIDE_BATCH):
        yield decider.decide_batch(setup[start : start + DECIDE_BATCH], now, _nothing).events
    plays = workload.play(2**62)  # as many as asked for: the caller stops
    index = 0
    while True:
        now += 1000  # a millisecond per batch: time moves, dynamic points decay
        batch = [
            CommandEnvelope(f"p{index + i}", next(plays), remember=False)
            for i in range(DECIDE_BATCH)
        ]
        index += DECIDE_BATCH
        yield decider.decide_batch(batch, now, _nothing).events


def _nothing(ids: Sequence[str]) -> dict[str, CommandRecord]:
    return {}  # every command id is new


def copy_event(recorded: RecordedEvent, hunt_id: str, copy: int) -> RecordedEvent:
    """`recorded` as it is in `hunt_id`, copy number `copy` of its template."""
    event = recorded.event
    if isinstance(event, HuntCreated):
        event = HuntCreated(replace(event.definition, id=hunt_id))
    elif isinstance(event, TeamRegistered):
        event = replace(event, token_hash=f"{event.token_hash}-{copy}")
    return replace(
        recorded, hunt_id=hunt_id, event=event, command_id=f"{copy}:{recorded.command_id}"
    )


def copies_of(shape: LogShape) -> dict[str, list[tuple[str, int]]]:
    """Template hunt id -> the (hunt id, copy number) of each of its copies."""
    out: dict[str, list[tuple[str, int]]] = {}
    for index in range(shape.hunts):
        template, copy = index % shape.templates, index // shape.templates
        out.setdefault(f"w-{template:03d}", []).append((f"w-{index:03d}", copy))
    return out


def generate(
    store: SqliteStore, events: int, shape: LogShape = LogShape(), show: bool = True
) -> int:
    """Append `events` events (all hunts, interleaved batch by batch); return the count."""
    written = 0
    pending: list[RecordedEvent] = []
    chains: dict[str, str] = {}  # each copy is a hunt of its own, with its own hash chain

    def chained(recorded: RecordedEvent) -> RecordedEvent:
        recorded = with_hash(chains.get(recorded.hunt_id, GENESIS), recorded)
        chains[recorded.hunt_id] = recorded.hash
        return recorded

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not show,
    ) as bar:
        task = bar.add_task("generating the event log", total=events)
        targets = copies_of(shape)
        for batch in template_events(shape):
            for copy in range(shape.copies):
                for recorded in batch:
                    wanted = targets[recorded.hunt_id]
                    if copy == 0:
                        pending.append(chained(recorded))
                    elif copy < len(wanted):
                        pending.append(chained(copy_event(recorded, *wanted[copy])))
            while len(pending) >= APPEND_BATCH or (pending and written + len(pending) >= events):
                chunk = pending[: min(APPEND_BATCH, events - written)]
                del pending[: len(chunk)]
                with store.transaction() as uow:
                    uow.events.append(chunk)
                written += len(chunk)
                bar.update(task, completed=written)
                if written >= events:
                    return written
    return written  # pragma: no cover - the template stream never ends


def populate(store: SqliteStore, events: int, shape: LogShape, show: bool = True) -> int:
    """`generate`, then build every read model from it with `replay`."""
    written = generate(store, events, shape, show)
    replay(store)
    return written
