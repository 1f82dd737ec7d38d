"""The engine on a real SQLite store: retries change nothing, equal inputs give
equal logs, and what it stores equals a replay (design ideas 2-4)."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from questline.adapters.clocks import ManualClock
from questline.adapters.event_lines import encode_line
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.commands import Announce, Command, ReviseHunt
from questline.domain.events import RecordedEvent
from questline.domain.projections.rows import TABLES, AuditRow, Changes, LeaderboardRow, TeamRow
from questline.domain.timestamps import Micros
from questline.engine.hunt_engine import HuntEngine
from questline.engine.verification import fold_rows, heal_hunt, replay, verify
from questline.ports import Board, CommandEnvelope, Outcome
from tests.properties.budget import ENGINE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import (
    create_envelope,
    dump_state,
    envelope,
    fingerprint,
    fold_state,
    open_engine,
    play_pure,
    set_clock,
    spec_ranking,
)


@contextmanager
def engine_on_new_file(scenario: Scenario, name: str = "hunt.db") -> Iterator[HuntEngine]:
    with tempfile.TemporaryDirectory() as directory:
        engine = open_engine(Path(directory) / name, scenario.definition)
        try:
            yield engine
        finally:
            engine.store.close()


def everything_stored(engine: HuntEngine) -> dict[str, Any]:
    store = engine.store
    return {
        "log": [encode_line(recorded) for recorded in store.events.read()],
        "checkpoint": store.read_models.checkpoint(),
        "rows": {
            table: [msgspec.to_builtins(row) for row in store.read_models.rows(table)]
            for table in TABLES
        },
    }


def hunt_state_dump(engine: HuntEngine, hunt_id: str) -> dict[str, Any]:
    return dump_state(engine.states[hunt_id])


def batches(data: st.DataObject, scenario: Scenario) -> list[list[int]]:
    """Consecutive step indexes (0-based) cut into batches."""
    count = len(scenario.commands)
    cuts = (
        sorted(data.draw(st.sets(st.integers(1, count - 1), max_size=count), label="cuts"))
        if count > 1
        else []
    )
    return [list(range(a, b)) for a, b in pairwise([0, *cuts, count])]


def run_batch(engine: HuntEngine, scenario: Scenario, indexes: list[int]) -> list[Outcome]:
    set_clock(engine, scenario.times[indexes[-1]])
    return engine.execute([envelope(i + 1, scenario.commands[i]) for i in indexes])


@ENGINE
@given(scenarios(max_steps=25), st.data())
def test_a_retried_command_changes_nothing_and_gets_the_first_reply(
    scenario: Scenario, data: st.DataObject
) -> None:
    hunt_id = scenario.definition.id
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "hunt.db"
        engine = open_engine(path, scenario.definition)
        try:
            accepted: list[tuple[CommandEnvelope, Outcome]] = []
            for index, (now, command) in enumerate(
                zip(scenario.times, scenario.commands, strict=True), start=1
            ):
                set_clock(engine, now)
                sent = envelope(index, command)
                twice = data.draw(st.integers(0, 3), label="twice in one batch") == 0
                outcomes = engine.execute([sent, sent] if twice else [sent])
                first = outcomes[0]
                # A dry run writes nothing, not even its answer: a retry is decided again.
                kept = not (isinstance(command, ReviseHunt) and command.dry_run)
                if twice and first.accepted and kept:
                    second = outcomes[1]
                    assert second.replayed and second.reply == first.reply and second.events == ()
                    assert [r.command_id for r in engine.store.events.read()].count(
                        sent.command_id
                    ) == len(first.events)
                if first.accepted and kept:
                    accepted.append((sent, first))
                retry = data.draw(st.booleans(), label="retry an earlier one")
                if accepted and retry:
                    old, answer = data.draw(st.sampled_from(accepted), label="retried")
                    before, state = everything_stored(engine), hunt_state_dump(engine, hunt_id)
                    set_clock(engine, now + data.draw(st.integers(0, 10**9), label="later"))
                    [again] = engine.execute([old])
                    assert again.replayed
                    assert again.reply == answer.reply
                    assert again.events == ()
                    # The same id with another request is refused, and changes nothing either.
                    other: Command = Announce(hunt_id, f"not {old.command_id}")
                    [misuse] = engine.execute([CommandEnvelope(old.command_id, other, "other")])
                    assert misuse.rejection is not None and misuse.rejection.code == "invalid_input"
                    assert everything_stored(engine) == before
                    assert hunt_state_dump(engine, hunt_id) == state
                    set_clock(engine, now)
        finally:  # also when Hypothesis stops an example midway
            engine.store.close()

        # After a restart the records come from the store, not from memory.
        restarted = HuntEngine(SqliteStore(path), ManualClock(scenario.times[-1]))
        try:
            restarted.recover()
            before = everything_stored(restarted)
            retried = restarted.execute([sent for sent, _ in accepted])
            assert [o.reply for o in retried] == [o.reply for _, o in accepted]
            assert all(o.replayed for o in retried)
            assert everything_stored(restarted) == before
        finally:
            restarted.store.close()


@ENGINE
@given(scenarios(max_steps=30))
def test_the_engine_writes_the_log_the_pure_core_decides(scenario: Scenario) -> None:
    hunt, answers, _ = play_pure(scenario)
    with engine_on_new_file(scenario) as engine:
        for index, (now, command) in enumerate(
            zip(scenario.times, scenario.commands, strict=True), start=1
        ):
            set_clock(engine, now)
            [outcome] = engine.execute([envelope(index, command)])
            assert (outcome.reply or outcome.rejection) == answers[index - 1]
        stored = [msgspec.structs.replace(r, correlation_id="") for r in engine.store.events.read()]
        assert stored == hunt.log
        assert hunt_state_dump(engine, hunt.hunt_id) == dump_state(hunt.state)


@ENGINE
@given(scenarios(max_steps=30), st.data())
def test_two_engines_fed_the_same_batches_write_identical_logs(
    scenario: Scenario, data: st.DataObject
) -> None:
    cut = batches(data, scenario)
    with (
        engine_on_new_file(scenario, "one.db") as one,
        engine_on_new_file(scenario, "two.db") as two,
    ):
        for indexes in cut:
            assert run_batch(one, scenario, indexes) == run_batch(two, scenario, indexes)
        lines_one = [encode_line(r) for r in one.store.events.read()]
        lines_two = [encode_line(r) for r in two.store.events.read()]
        assert lines_one == lines_two
        assert everything_stored(one) == everything_stored(two)


@ENGINE
@given(scenarios(max_steps=30), st.data())
def test_what_the_engine_stores_equals_a_replay_of_its_log(
    scenario: Scenario, data: st.DataObject
) -> None:
    definition = scenario.definition
    with engine_on_new_file(scenario) as engine:
        for indexes in batches(data, scenario):
            run_batch(engine, scenario, indexes)
        store = engine.store
        log = list(store.events.read())
        assert [r.version for r in log] == list(range(1, len(log) + 1))
        assert verify(store) == []
        assert store.read_models.checkpoint() == store.events.head()
        live = dump_state(engine.states[definition.id])
        assert dump_state(fold_state(log)) == live
        engine.recover()
        assert dump_state(engine.states[definition.id]) == live
        assert verify(store) == []
        # The stored boards list and rank teams in the spec's order.
        boards: list[tuple[Board, Micros | None]] = [("live", None)]
        if definition.freeze_at is not None:
            boards.append(("frozen", definition.freeze_at))
        for board, before in boards:
            expected = spec_ranking(definition, log, before)
            rows = store.read_models.leaderboard(definition.id, board, len(expected) + 5, 0)
            assert [(r.team_id, r.score) for r in rows] == expected
            for rank, (team_id, _) in enumerate(expected, start=1):
                assert store.read_models.rank(definition.id, board, team_id) == rank


@ENGINE
@given(
    scenarios(max_steps=20, hunt_id="north"), scenarios(max_steps=20, hunt_id="south"), st.data()
)
def test_hunts_sharing_a_store_do_not_touch_each_other(
    north: Scenario, south: Scenario, data: st.DataObject
) -> None:
    steps = [(t, "north", i) for i, t in enumerate(north.times)]
    steps += [(t, "south", i) for i, t in enumerate(south.times)]
    steps.sort(key=lambda step: step[0])  # each hunt keeps its own times and order
    scenario_of = {"north": north, "south": south}
    with tempfile.TemporaryDirectory() as directory:
        engine = open_engine(Path(directory) / "both.db", north.definition)
        try:
            set_clock(engine, south.times[0])
            [created] = engine.execute([create_envelope(south.definition, "create-south")])
            assert created.accepted
            for now, hunt_id, i in steps:
                set_clock(engine, now)
                command = scenario_of[hunt_id].commands[i]
                sent = CommandEnvelope(f"{hunt_id}-{i}", command, fingerprint(command))
                engine.execute([sent])
            store = engine.store
            assert verify(store) == []
            assert sorted(store.events.hunt_ids()) == ["north", "south"]
            for hunt_id, scenario in scenario_of.items():
                hunt, _, _ = play_pure(scenario)
                mine = list(store.events.read(hunt_id=hunt_id))

                def bare(r: RecordedEvent) -> RecordedEvent:
                    return msgspec.structs.replace(r, position=0, command_id="", hash="")

                # South is created when its first step runs; North at BEFORE_START, as PureHunt
                # (so their chains differ from the first hash on: verify checks them).
                assert [bare(r) for r in mine[1:]] == [bare(r) for r in hunt.log[1:]]
                assert dump_state(engine.states[hunt_id]) == dump_state(fold_state(mine))
                assert verify(store, hunt_id) == []
        finally:
            engine.store.close()


def drift(rows: Changes, data: st.DataObject) -> Changes:
    """Lose some rows, and give some leaderboard and team rows wrong numbers."""
    drifted: Changes = {}
    for key, row in sorted(rows.items()):
        fate = data.draw(st.sampled_from(["keep", "keep", "lose", "skew"]), label=str(key))
        if fate == "lose":
            continue
        kept = row
        if fate == "skew" and isinstance(row, LeaderboardRow):
            kept = msgspec.structs.replace(row, score=row.score + 1)
        elif fate == "skew" and isinstance(row, TeamRow):
            kept = msgspec.structs.replace(row, adjustments=row.adjustments - 3)
        drifted[key] = kept
    drifted[("audit", key[1], "bogus")] = AuditRow(0, 0, "bogus", None, "not from the log")
    return drifted


@ENGINE
@given(scenarios(max_steps=25), st.data())
def test_verify_finds_drift_and_healing_removes_it(scenario: Scenario, data: st.DataObject) -> None:
    hunt_id = scenario.definition.id
    with engine_on_new_file(scenario) as engine:
        for indexes in batches(data, scenario):
            run_batch(engine, scenario, indexes)
        store = engine.store
        good, _ = fold_rows(store.events.read())
        head, checkpoint = store.events.head(), store.read_models.checkpoint()
        bad = drift(good, data)
        with store.transaction() as uow:
            uow.read_models.replace_hunt(hunt_id, bad)
        differences = verify(store)
        wrong = {(d.table, d.hunt_id, d.key) for d in differences}
        assert wrong == {k for k in good.keys() | bad.keys() if good.get(k) != bad.get(k)}
        assert all(d.describe() for d in differences)
        if data.draw(st.booleans(), label="heal one hunt"):
            heal_hunt(store, hunt_id)
            assert store.read_models.checkpoint() == checkpoint
        else:
            replay(store)
            assert store.read_models.checkpoint() == head
        assert verify(store) == []
        assert store.events.head() == head


def test_a_dry_run_keeps_no_reply_for_its_key(tmp_path: Path) -> None:
    from questline.domain.commands import ReviseHunt
    from tests.hunt_builders import spec_hunt

    definition = spec_hunt()
    engine = open_engine(tmp_path / "dry.db", definition)
    try:
        dry = ReviseHunt(definition.id, definition, dry_run=True)
        real = ReviseHunt(definition.id, definition)
        [first] = engine.execute([CommandEnvelope("same-key", dry, "same")])
        [second] = engine.execute([CommandEnvelope("same-key", real, "same")])
        assert first.accepted and not first.events
        assert second.accepted and not second.replayed and second.events
    finally:
        engine.store.close()
