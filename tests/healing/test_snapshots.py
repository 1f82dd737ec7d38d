"""Snapshots: state -> snapshot -> state is equal, and an engine recovered from a
snapshot decides exactly what the original decides (same events, same rows)."""

import sqlite3
import tempfile
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.hunt_state import dump_state as saved_state
from questline.domain.hunt_state import load_state
from questline.domain.projections.projector import Projector
from questline.engine import snapshots
from questline.engine.hunt_engine import HuntEngine
from questline.engine.verification import verify
from tests.hunt_builders import BEFORE_START
from tests.properties.budget import ENGINE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import create_envelope, dump_state, envelope, set_clock
from tests.properties.test_engine import everything_stored


def engine_on(path: Path) -> HuntEngine:
    return HuntEngine(
        SqliteStore(path), ManualClock(BEFORE_START), snapshots=SqliteSnapshotStore(path)
    )


def close(engine: HuntEngine) -> None:
    engine.store.close()
    assert isinstance(engine.snapshots, SqliteSnapshotStore)
    engine.snapshots.close()


def play(engine: HuntEngine, scenario: Scenario, steps: range) -> list[object]:
    outcomes: list[object] = []
    for index in steps:
        set_clock(engine, scenario.times[index])
        outcomes.extend(engine.execute([envelope(index + 1, scenario.commands[index])]))
    return outcomes


@ENGINE
@given(scenarios(max_steps=30), st.data())
def test_state_survives_a_snapshot_and_decides_the_same(
    scenario: Scenario, data: st.DataObject
) -> None:
    hunt_id = scenario.definition.id
    count = len(scenario.commands)
    cut = data.draw(st.integers(0, count), label="snapshot after step")
    with tempfile.TemporaryDirectory() as directory:
        original_path, copy_path = Path(directory) / "a.db", Path(directory) / "b.db"
        original = engine_on(original_path)
        try:
            [created] = original.execute([create_envelope(scenario.definition)])
            assert created.accepted
            play(original, scenario, range(cut))
            assert original.take_snapshots() == 1
            # The pure round trip: equal state, equal bytes when encoded again.
            state = original.states[hunt_id]
            restored = load_state(saved_state(state))
            assert dump_state(restored) == dump_state(state)
            encoder = msgspec.msgpack.Encoder()
            assert encoder.encode(saved_state(restored)) == encoder.encode(saved_state(state))
            projector = Projector()
            data_ = snapshots.projections_to(original.projector, hunt_id)
            snapshots.projections_into(projector, hunt_id, data_, state)
            assert snapshots.projections_to(projector, hunt_id) == data_
            original.store.backup_to(copy_path)  # the snapshot travels with the file
            copy = engine_on(copy_path)
            try:
                set_clock(copy, scenario.times[max(cut - 1, 0)])
                assert copy.recover() == 0  # everything came from the snapshot
                assert copy.last_recovery.snapshots_used == 1
                assert dump_state(copy.states[hunt_id]) == dump_state(state)
                rest = range(cut, count)
                assert play(copy, scenario, rest) == play(original, scenario, rest)
                assert everything_stored(copy) == everything_stored(original)
                assert verify(copy.store) == []
            finally:
                close(copy)
        finally:
            close(original)


def test_a_corrupt_snapshot_is_discarded_and_the_log_replayed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from questline.domain.commands import RegisterTeam
    from questline.domain.definition_parsing import parse_definition
    from questline.ports import CommandEnvelope
    from tests.hunt_builders import spec_document
    from tests.properties.model import fingerprint

    path = tmp_path / "hunt.db"
    definition = parse_definition(spec_document())
    engine = engine_on(path)
    engine.execute([create_envelope(definition)])
    for n in range(5):
        command = RegisterTeam(definition.id, f"Team {n}", f"hash-{n}")
        engine.execute([CommandEnvelope(f"r{n}", command, fingerprint(command))])
    assert engine.take_snapshots() == 1
    before = dump_state(engine.states[definition.id])
    close(engine)

    with sqlite3.connect(path) as db:  # flip bytes in the stored body
        db.execute(
            "UPDATE snapshots SET body ="
            " CAST(substr(body, 1, 20) || x'00ff00' || substr(body, 24) AS BLOB)"
        )
    again = engine_on(path)
    try:
        with caplog.at_level("WARNING"):
            assert again.recover() == 6  # the whole log, since the snapshot was refused
        assert again.last_recovery.snapshots_used == 0
        assert "checksum" in again.last_recovery.snapshots_discarded[0]
        assert "discarded" in caplog.text
        assert dump_state(again.states[definition.id]) == before
        assert again.snapshots is not None and again.snapshots.load_all() == []
    finally:
        close(again)
