"""docs/events.md against the event types: a section for every type listing every field,
an example of each that the schema accepts and Questline imports, and every older
schema version in the upcasting table. A new event type, field or upcaster fails here
until the document says what it is."""

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from jsonschema import Draft202012Validator

from questline.adapters.event_lines import EventLine
from questline.adapters.log_file import decode_entry
from questline.domain.events import EVENT_TYPES
from questline.domain.upcasting import UPCASTERS
from questline.event_schema import OLDER_SHAPES, events_schema, schema_rooted_at

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
TEXT = DOC.read_text(encoding="utf-8")
LINE = Draft202012Validator(events_schema())
EXPORT_LINE = Draft202012Validator(schema_rooted_at("ExportLine"))
TOPIC_MESSAGE = Draft202012Validator(schema_rooted_at("EventsTopicMessage"))

_JSON_BLOCK = re.compile(r"^```json\n(.*?)^```", re.M | re.S)
_FIELD_ROW = re.compile(r"^\| `([a-z_]+)` \|", re.M)
_UPCAST_ROW = re.compile(r"^\| `([a-z_]+)` \| (\d+) \|", re.M)


def section(heading: str, text: str = TEXT, level: int = 2) -> str:
    """The text under `heading` up to the next heading of the same level or higher."""
    marks = "#" * level
    match = re.search(
        rf"^{marks} {re.escape(heading)}\n(.*?)(?=^#{{1,{level}}} |\Z)", text, re.M | re.S
    )
    assert match is not None, f"docs/events.md has no '{marks} {heading}' section"
    return match.group(1)


def examples(text: str = TEXT) -> list[dict[str, Any]]:
    return [json.loads(block) for block in _JSON_BLOCK.findall(text)]


TYPES = section("Event types")


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_type_has_a_section_listing_its_fields(event_type: str) -> None:
    fields = [field.name for field in msgspec.structs.fields(EVENT_TYPES[event_type])]
    listed = _FIELD_ROW.findall(section(f"`{event_type}`", TYPES, level=3))
    assert listed == fields


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_type_has_an_example_at_its_current_version(event_type: str) -> None:
    current = EVENT_TYPES[event_type].SCHEMA
    found = examples(section(f"`{event_type}`", TYPES, level=3))
    assert any(e["type"] == event_type and e["schema"] == current for e in found)


def test_the_event_line_table_lists_every_field_of_a_line() -> None:
    listed = set(_FIELD_ROW.findall(section("The event line")))
    assert {field.name for field in msgspec.structs.fields(EventLine)} <= listed


def test_the_upcasting_table_names_every_older_version() -> None:
    rows = {(name, int(version)) for name, version in _UPCAST_ROW.findall(TEXT)}
    assert rows == set(UPCASTERS)


def test_every_older_shape_has_an_example() -> None:
    found = {(e.get("type"), e.get("schema")) for e in examples()}
    assert set(OLDER_SHAPES) <= found


def test_every_example_is_valid_and_imports() -> None:
    checked = 0
    for example in examples():
        if "headers" in example:
            assert list(TOPIC_MESSAGE.iter_errors(example)) == []
        line = example.get("value", example)
        validator = EXPORT_LINE if "record" in line else LINE
        assert list(validator.iter_errors(line)) == [], line
        decode_entry(json.dumps(line).encode(), 1)  # raises BadEventLine if not
        checked += 1
    assert checked >= len(EVENT_TYPES) + len(OLDER_SHAPES)
