"""A command whose events the store cannot hold is refused alone: the others in its
batch are committed and answered, the read models still equal a replay, and the
failure is counted once. Real SQLite, real values it refuses: the definitions here
skip the parser's limits (as a hunt created before them did), so the bounds that
now stop oversized numbers at the door play no part."""

import io
import json
from pathlib import Path

import msgspec
import pytest
from prometheus_client import REGISTRY

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.commands import Command, CreateHunt, RegisterTeam, Submit, TextGiven
from questline.domain.definition import HuntDefinition
from questline.domain.replies import SubmissionReply, TeamReply
from questline.engine.hunt_engine import HuntEngine
from questline.engine.verification import verify
from questline.observability.logs import configure_logging
from questline.ports import CommandEnvelope, Outcome
from tests.hunt_builders import BEFORE_START, STARTS, spec_hunt

HUGE = 2**64  # past SQLite's INTEGER and MessagePack's integers alike


def _huge_hunt() -> HuntDefinition:
    """The spec's hunt with its first clue worth 2^64 points."""
    hunt = spec_hunt()
    clues = (msgspec.structs.replace(hunt.clues[0], points=HUGE), *hunt.clues[1:])
    return msgspec.structs.replace(hunt, id="huge", clues=clues)


def _envelope(name: str, command: Command) -> CommandEnvelope:
    return CommandEnvelope(name, command, fingerprint=name)


def _unwritable_count() -> float:
    return REGISTRY.get_sample_value("questline_unwritable_commands_total") or 0.0


@pytest.fixture
def engine(tmp_path: Path) -> HuntEngine:
    path = tmp_path / "q.db"
    engine = HuntEngine(
        SqliteStore(path), ManualClock(BEFORE_START), snapshots=SqliteSnapshotStore(path)
    )
    created = engine.execute(
        [
            _envelope("create-huge", CreateHunt("huge", _huge_hunt())),
            _envelope("create-calm", CreateHunt("harbour-night", spec_hunt())),
            _envelope("reg-1", RegisterTeam("huge", "Daredevils", "h1")),
            _envelope("reg-1b", RegisterTeam("huge", "Stuntmen", "h1b")),
            _envelope("reg-2", RegisterTeam("harbour-night", "Otters", "h2")),
            _envelope("reg-3", RegisterTeam("harbour-night", "Badgers", "h3")),
        ]
    )
    assert all(o.accepted for o in created), created
    assert isinstance(engine.clock, ManualClock)
    engine.clock.set(STARTS)
    return engine


def _answer(name: str, hunt: str, team: str, answer: str) -> CommandEnvelope:
    return _envelope(name, Submit(hunt, team, "lighthouse", TextGiven(answer)))


def _result(outcome: Outcome) -> str:
    assert isinstance(outcome.reply, SubmissionReply), outcome
    return outcome.reply.result


def test_a_command_that_cannot_be_written_is_refused_alone(engine: HuntEngine) -> None:
    before = _unwritable_count()
    batch = [
        _answer("wrong", "harbour-night", "t-1", "lamp"),
        _answer("first", "harbour-night", "t-1", "keeper"),
        _answer("huge-solve", "huge", "t-1", "keeper"),  # 2^64 points: SQLite refuses
        _answer("second", "harbour-night", "t-2", "keeper"),
        _envelope("late", RegisterTeam("harbour-night", "Gulls", "h4")),
    ]
    stream = io.StringIO()
    configure_logging(stream=stream, fmt="json", level="INFO")
    try:
        outcomes = engine.execute(batch)
    finally:
        configure_logging(fmt="json")
    assert [o.command_id for o in outcomes] == [e.command_id for e in batch]
    wrong, first, huge, second, late = outcomes
    assert _result(wrong) == "incorrect"
    assert _result(first) == "correct" and first.reply.bonus == 50  # type: ignore[union-attr]
    assert _result(second) == "correct" and second.reply.bonus == 25  # type: ignore[union-attr]
    assert isinstance(late.reply, TeamReply) and late.reply.team_id == "t-3"
    assert huge.rejection is not None
    assert (huge.rejection.code, huge.rejection.status) == ("unwritable_command", 422)
    assert "too large" in huge.rejection.message
    assert _unwritable_count() == before + 1
    # Logged once, though the batch failed, then a trial run of it, before it was found.
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    told = [line for line in lines if line.get("event", {}).get("action") == "command-unwritable"]
    assert len(told) == 1, lines
    assert told[0]["questline"]["command_id"] == "huge-solve"
    # Nothing of the refused command is in the log; everything else is, once.
    commands = [e.command_id for e in engine.store.events.read()]
    assert "huge-solve" not in commands
    assert commands.count("first") == commands.count("second") == 1
    assert verify(engine.store) == []
    # Refused again, the same way, when retried alone; the hunt goes on otherwise.
    [again] = engine.execute([_answer("huge-solve", "huge", "t-1", "keeper")])
    assert again.rejection is not None and again.rejection.code == "unwritable_command"
    [other] = engine.execute([_answer("huge-wrong", "huge", "t-1", "lamp")])
    assert _result(other) == "incorrect"
    assert _unwritable_count() == before + 2


def test_two_commands_that_cannot_be_written_are_each_refused(engine: HuntEngine) -> None:
    before = _unwritable_count()
    batch = [
        _answer("huge-1", "huge", "t-1", "keeper"),
        _answer("calm", "harbour-night", "t-1", "keeper"),
        _answer("huge-2", "huge", "t-2", "keeper"),
        _answer("huge-wrong", "huge", "t-2", "lamp"),
    ]
    outcomes = engine.execute(batch)
    codes = [o.rejection.code if o.rejection else _result(o) for o in outcomes]
    assert codes == ["unwritable_command", "correct", "unwritable_command", "incorrect"]
    assert _unwritable_count() == before + 2
    assert verify(engine.store) == []


def test_a_hunt_that_cannot_be_snapshotted_is_skipped_and_the_others_are_kept(
    engine: HuntEngine,
) -> None:
    engine.execute([_answer("first", "harbour-night", "t-1", "keeper")])
    assert engine.take_snapshots() == 1  # the calm hunt; the huge one replays its log
    assert engine.snapshot_versions == {"harbour-night": engine.states["harbour-night"].version}
    engine.recover()
    assert engine.last_recovery.snapshots_used == 1
    assert verify(engine.store) == []
