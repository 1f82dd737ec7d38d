"""The published event schema against what Questline really writes: every event of a
scripted hunt day (every event type, decided as the engine decides), of random command
sequences run through the real engine on SQLite (Hypothesis), of every event type with
awkward values, as export lines and as events topic messages; and the older shapes a
consumer may meet."""

import json
import tempfile
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from jsonschema import Draft202012Validator

from questline.adapters.event_lines import decode_line, encode_line
from questline.adapters.kafka.messages import KIND_COMMAND, KIND_EVENT, encode, encode_event
from questline.adapters.log_file import encode_record_line
from questline.domain.commands import (
    AdjustScore,
    Announce,
    Command,
    IssueToken,
    MessageTeam,
    PartGiven,
    PauseHunt,
    PhotoGiven,
    RecordHeal,
    RegisterTeam,
    ResumeHunt,
    ReviewPhoto,
    ReviseHunt,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.definition import (
    Clue,
    Division,
    HuntDefinition,
    Part,
    PartsAnswer,
    TextAnswer,
)
from questline.domain.events import EVENT_TYPES, RecordedEvent, ScoreAdjusted
from questline.domain.upcasting import UPCASTERS
from questline.event_schema import (
    OLDER_SHAPES,
    MissingShape,
    events_schema,
    payload_shape,
    readable_versions,
    schema_rooted_at,
)
from tests.conformance.samples import command_record, every_event, every_reply, recorded
from tests.hunt_builders import MINUTE, STARTS, PureHunt, spec_hunt
from tests.properties.budget import ENGINE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import envelope, open_engine, set_clock

LINE = Draft202012Validator(events_schema())
EXPORT_LINE = Draft202012Validator(schema_rooted_at("ExportLine"))
TOPIC_MESSAGE = Draft202012Validator(schema_rooted_at("EventsTopicMessage"))


def problems(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def line_of(event: RecordedEvent) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(encode_line(event))
    return parsed


def hunt_day_definition() -> HuntDefinition:
    """The spec's hunt with divisions, a wrong-answer penalty and a clue in parts."""
    riddle = Clue(
        id="riddle",
        title="Two halves",
        text="Name the keeper, then the ship.",
        points=0,
        answer=PartsAnswer(
            (Part("keeper", "The keeper", 40, ("Ada",)), Part("ship", "The ship", 60, ("Vega",)))
        ),
    )
    base = spec_hunt()
    return msgspec.structs.replace(
        base,
        clues=(*base.clues, riddle),
        wrong_answer_penalty=5,
        divisions=(Division("open", "Open"), Division("family", "Family")),
    )


def hunt_day_commands(definition: HuntDefinition) -> list[Command]:
    """One hunt day that makes every type of event."""
    hunt = definition.id
    lighthouse = definition.clue("lighthouse")
    assert lighthouse is not None and isinstance(lighthouse.answer, TextAnswer)
    answer = msgspec.structs.replace(lighthouse.answer, accept=("keeper", "ada lovelace"))
    erratum = msgspec.structs.replace(
        definition,
        clues=tuple(
            msgspec.structs.replace(clue, answer=answer) if clue.id == "lighthouse" else clue
            for clue in definition.clues
        ),
    )
    return [
        RegisterTeam(hunt, "Otters", "sha256:" + "1" * 64, "open"),
        RegisterTeam(hunt, "Owls", "sha256:" + "2" * 64, "family"),
        IssueToken(hunt, "t-1", "sha256:" + "3" * 64, revoke_others=True),
        Submit(hunt, "t-1", "lighthouse", TextGiven("light"), client_time=STARTS),
        Submit(hunt, "t-1", "lighthouse", TextGiven("Ada Lovelace")),
        Submit(hunt, "t-2", "lighthouse", TextGiven("Keeper!")),
        UnlockHint(hunt, "t-1", "lighthouse", "look-up"),
        Submit(hunt, "t-1", "riddle", PartGiven("keeper", "ada")),
        Submit(hunt, "t-1", "riddle", PartGiven("ship", "nope")),
        Submit(hunt, "t-1", "selfie", PhotoGiven("photo-1", "sha256:ab", "image/jpeg", 2048)),
        ReviewPhoto(hunt, "p-1", approve=False, reason="blurry"),
        Submit(hunt, "t-1", "selfie", PhotoGiven("photo-2", "sha256:cd", "image/png", 4096)),
        ReviewPhoto(hunt, "p-2", approve=True),
        AdjustScore(hunt, "t-2", -10, "fair play"),
        PauseHunt(hunt),
        ResumeHunt(hunt),
        Announce(hunt, "Half time!"),
        MessageTeam(hunt, "t-2", "Come to the desk"),
        ReviseHunt(hunt, erratum, rejudge=True),
        RecordHeal(hunt, "leaderboard", 2),
    ]


@pytest.fixture(scope="module")
def hunt_day_log() -> list[RecordedEvent]:
    """Through the decider the engine runs (`decide`, `evolve`): the engine's read
    models do not fold every new event type yet, and the lines are the same."""
    hunt = PureHunt(hunt_day_definition())
    for command in hunt_day_commands(hunt.definition):
        hunt.advance(MINUTE).accepted(command)
    return hunt.log


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(events_schema())


def test_the_hunt_day_makes_every_event_type(hunt_day_log: list[RecordedEvent]) -> None:
    assert {event.type for event in hunt_day_log} == set(EVENT_TYPES)


def test_every_event_line_the_engine_writes_is_valid(hunt_day_log: list[RecordedEvent]) -> None:
    for event in hunt_day_log:
        assert problems(LINE, line_of(event)) == [], event


def test_every_event_type_with_awkward_values_is_valid() -> None:
    for version, event in enumerate(every_event(), 1):
        assert problems(LINE, line_of(recorded("harbour-night", version, event))) == [], event


@given(scenarios())
@ENGINE
def test_every_event_of_random_command_sequences_is_valid(scenario: Scenario) -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = open_engine(Path(directory) / "hunt.db", scenario.definition)
        try:
            for step, (now, command) in enumerate(
                zip(scenario.times, scenario.commands, strict=True), 1
            ):
                set_clock(engine, now)
                engine.execute([envelope(step, command)])
            for event in engine.store.events.read():
                assert problems(LINE, line_of(event)) == [], event
        finally:
            engine.store.close()


def test_export_lines_are_event_lines_or_command_record_lines(
    hunt_day_log: list[RecordedEvent],
) -> None:
    records = [command_record(f"c{i}", STARTS + i, reply) for i, reply in enumerate(every_reply())]
    lines = [encode_line(event) for event in hunt_day_log]
    lines += [encode_record_line(record) for record in records]
    for line in lines:
        assert problems(EXPORT_LINE, json.loads(line)) == [], line


def test_events_topic_messages_are_valid(hunt_day_log: list[RecordedEvent]) -> None:
    """As the partition workers produce them (cluster/decided_messages.py)."""
    messages = [
        {"key": e.hunt_id, "headers": {"kind": KIND_EVENT.decode()}, "value": encode_event(e)}
        for e in hunt_day_log
    ]
    messages += [
        {"key": "harbour-night", "headers": {"kind": KIND_COMMAND.decode()}, "value": encode(r)}
        for r in (
            command_record(f"c{i}", STARTS + i, reply) for i, reply in enumerate(every_reply())
        )
    ]
    for message in messages:
        message["value"] = json.loads(message["value"])
        assert problems(TOPIC_MESSAGE, message) == [], message


def test_a_command_record_under_the_event_header_is_refused() -> None:
    record = json.loads(encode(command_record("c1", STARTS)))
    message = {"key": "harbour-night", "headers": {"kind": "event"}, "value": record}
    assert problems(TOPIC_MESSAGE, message)


def test_errors_name_the_field_that_is_wrong(hunt_day_log: list[RecordedEvent]) -> None:
    solved = next(line_of(e) for e in hunt_day_log if e.type == "clue_solved")
    solved["payload"]["points"] = "100"
    assert problems(LINE, solved) == ["payload/points: '100' is not of type 'integer'"]
    del solved["payload"]["points"]
    assert problems(LINE, solved) == ["payload: 'points' is a required property"]


def test_unknown_types_and_versions_newer_than_the_engine_reads_are_refused(
    hunt_day_log: list[RecordedEvent],
) -> None:
    line = line_of(hunt_day_log[-1])
    assert problems(LINE, {**line, "type": "hunt_exploded"})
    newest = readable_versions()[line["type"]][-1]
    assert problems(LINE, {**line, "schema": newest + 1})


def test_score_adjusted_at_schema_1_called_the_amount_delta() -> None:
    old = {**line_of(recorded("h", 2, ScoreAdjusted("t-1", -7, "late"))), "schema": 1}
    old["payload"] = {"type": "score_adjusted", "team_id": "t-1", "delta": -7, "reason": "late"}
    assert problems(LINE, old) == []
    assert problems(LINE, {**old, "schema": 2}) == ["payload: 'points' is a required property"]
    raised = decode_line(json.dumps(old), 1).event
    assert msgspec.to_builtins(raised)["points"] == -7


def test_every_version_the_engine_upcasts_has_a_shape() -> None:
    for event_type, version in UPCASTERS:
        assert version in readable_versions()[event_type]
        assert payload_shape(event_type, version) is not None


def test_older_versions_that_only_lacked_fields_read_as_the_newer_shape() -> None:
    assert payload_shape("clue_solved", 1) is EVENT_TYPES["clue_solved"]
    assert payload_shape("score_adjusted", 1) is OLDER_SHAPES[("score_adjusted", 1)]


def test_an_upcaster_that_changes_the_shape_needs_an_older_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """So a new upcasting step cannot slip past the schema unnoticed."""
    monkeypatch.delitem(OLDER_SHAPES, ("score_adjusted", 1))
    with pytest.raises(MissingShape, match="score_adjusted schema 1"):
        events_schema()
