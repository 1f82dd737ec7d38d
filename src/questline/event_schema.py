"""The published JSON Schema of the events Questline writes, for systems downstream.

Kafka Connect, a warehouse or an analytics job reads the export lines and the events
topic; they get this schema rather than a reading of the source. It is generated at
run time from the msgspec types (the one source), for every event type at every
schema version the engine still reads: the current shape, and older shapes that
`upcasting` raises on read. `questline schema events` prints it; docs/events.md
explains it with an example of each type.
"""

import inspect
from collections.abc import Callable
from typing import Any

import msgspec

from questline import __version__
from questline.adapters.event_lines import EventLine
from questline.adapters.kafka.messages import KIND, KIND_COMMAND, KIND_EVENT
from questline.adapters.log_file import RecordLine
from questline.domain.events import EVENT_TYPES
from questline.domain.upcasting import UPCASTERS, Payload
from questline.ports import CommandRecord

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REF = "#/$defs/{name}"


class ScoreAdjustedV1(msgspec.Struct, frozen=True, tag="score_adjusted"):
    """score_adjusted at schema 1: the amount was called `delta` (schema 2: `points`)."""

    team_id: str
    delta: int
    reason: str


# The older payloads whose shape differs from the next version's. Every other older
# version only lacks fields added later with defaults, which the newer shape already
# leaves optional, so the newer shape describes it too.
OLDER_SHAPES: dict[tuple[str, int], type[msgspec.Struct]] = {
    ("score_adjusted", 1): ScoreAdjustedV1,
}


class MissingShape(LookupError):
    """An older schema version the engine reads but this module cannot describe."""


def readable_versions() -> dict[str, list[int]]:
    """Each event type and the schema versions a consumer may meet (oldest first)."""
    return {name: list(range(1, cls.SCHEMA + 1)) for name, cls in EVENT_TYPES.items()}


def _reads_as_is(step: Callable[[Payload], Payload]) -> bool:
    """True for an upcasting step that hands its payload back untouched: the step of a
    version that only added fields."""
    probe: Payload = {}
    try:
        return step(probe) is probe and not probe
    except Exception:  # a step that needs the old fields changes the shape
        return False


def payload_shape(event_type: str, version: int) -> type[msgspec.Struct]:
    """The struct whose JSON Schema describes `event_type`'s payload at `version`."""
    current = EVENT_TYPES[event_type]
    if version == current.SCHEMA:
        return current
    older = OLDER_SHAPES.get((event_type, version))
    if older is not None:
        return older
    step = UPCASTERS.get((event_type, version))
    if step is not None and _reads_as_is(step):
        return payload_shape(event_type, version + 1)
    raise MissingShape(
        f"{event_type} schema {version} is read by upcasting, but its shape is not "
        "described: add the old struct to event_schema.OLDER_SHAPES"
    )


def _line_rules(refs: dict[tuple[str, int], str]) -> list[dict[str, Any]]:
    """One if/then per event type: the schema versions it may carry, and the payload
    shape at each (so an error names the type and version that failed)."""
    rules: list[dict[str, Any]] = []
    for event_type, versions in readable_versions().items():
        by_version = [
            {
                "if": {"properties": {"schema": {"const": version}}, "required": ["schema"]},
                "then": {"properties": {"payload": {"$ref": refs[(event_type, version)]}}},
            }
            for version in versions
        ]
        rules.append(
            {
                "if": {"properties": {"type": {"const": event_type}}, "required": ["type"]},
                "then": {"properties": {"schema": {"enum": versions}}, "allOf": by_version},
            }
        )
    return rules


def _event_line(generated: dict[str, Any], refs: dict[tuple[str, int], str]) -> dict[str, Any]:
    line = dict(generated)
    line["description"] = (
        "One event as `questline export` writes it, `questline import` reads it and the "
        "events topic carries it (header kind=event). `payload` is the event at schema "
        "version `schema`; a consumer raises older versions as docs/events.md says."
    )
    properties = dict(line["properties"])
    notes = {
        "position": "Place in the whole log, from 1 (on the events topic: offset + 1).",
        "hunt_id": "The hunt: the partition key of the events topic.",
        "version": "The hunt's own sequence: 1, 2, 3... without gaps.",
        "type": "The event type; `payload.type` repeats it.",
        "schema": "The payload's schema version.",
        "time": "When the engine decided it: RFC 3339, UTC, to the microsecond.",
        "time_us": "The same time, exactly: microseconds since the Unix epoch.",
        "command_id": "The command that caused it.",
        "correlation_id": "The request that caused it (as in the logs); may be empty.",
        "payload": "The event's fields at `schema`; its shape is chosen by type and schema.",
        "hash": "The hunt's hash chain up to this event, hex; empty in older exports.",
    }
    for name, note in notes.items():
        if name in properties:
            properties[name] = {**properties[name], "description": note}
    properties["type"] = {**properties["type"], "enum": sorted(EVENT_TYPES)}
    properties["version"] = {**properties["version"], "minimum": 1}
    properties["schema"] = {**properties["schema"], "minimum": 1}
    properties["time"] = {**properties["time"], "format": "date-time"}
    line["properties"] = properties
    line["allOf"] = _line_rules(refs)
    return line


def _topic_message() -> dict[str, Any]:
    event, command = KIND_EVENT.decode(), KIND_COMMAND.decode()
    return {
        "title": "EventsTopicMessage",
        "description": (
            "A message of the events topic (kept forever: it is the cluster's log), shown "
            "as JSON: `key` and header values are UTF-8 text, `value` is the JSON the "
            f"message carries. Header {KIND}={event}: an event line; {KIND}={command}: "
            "the first answer to a command id, kept so a partition's new owner remembers "
            "it. Consumers of events skip the command records."
        ),
        "type": "object",
        "properties": {
            "key": {"type": "string", "description": "The hunt id (the partition key)."},
            "headers": {
                "type": "object",
                "properties": {KIND: {"enum": [event, command]}},
                "required": [KIND],
            },
            "value": {"$ref": _REF.format(name="EventsTopicValue")},
        },
        "required": ["key", "headers", "value"],
        "allOf": [
            {
                "if": {"properties": {"headers": {"properties": {KIND: {"const": kind}}}}},
                "then": {"properties": {"value": {"$ref": _REF.format(name=name)}}},
            }
            for kind, name in ((event, "EventLine"), (command, "CommandRecord"))
        ],
    }


def events_schema() -> dict[str, Any]:
    """The whole document: its root is an event line; `$defs` holds the export file's
    lines (`ExportLine`), the events topic's messages (`EventsTopicMessage`) and
    every payload shape."""
    shapes = {
        (event_type, version): payload_shape(event_type, version)
        for event_type, versions in readable_versions().items()
        for version in versions
    }
    structs: list[Any] = [EventLine, RecordLine, CommandRecord, *dict.fromkeys(shapes.values())]
    roots, components = msgspec.json.schema_components(structs, ref_template=_REF)
    ref_of = {struct: root["$ref"] for struct, root in zip(structs, roots, strict=True)}
    refs = {key: ref_of[shape] for key, shape in shapes.items()}
    for component in components.values():  # docstrings, without their source indent
        if "description" in component:
            component["description"] = inspect.cleandoc(component["description"])
    components["EventLine"] = _event_line(components["EventLine"], refs)
    components["ExportLine"] = {
        "title": "ExportLine",
        "description": "A line of an export file: an event line, or a command record line.",
        "anyOf": [{"$ref": ref_of[EventLine]}, {"$ref": ref_of[RecordLine]}],
    }
    components["EventsTopicValue"] = {
        "title": "EventsTopicValue",
        "description": "The value of an events topic message: its `kind` header says which.",
        "anyOf": [{"$ref": ref_of[EventLine]}, {"$ref": ref_of[CommandRecord]}],
    }
    components["EventsTopicMessage"] = _topic_message()
    document = {
        "$schema": DIALECT,
        "title": "Questline events",
        "description": (
            "The events Questline writes: export/import lines and the events topic. The "
            "root validates one event line; see $defs/ExportLine and "
            "$defs/EventsTopicMessage for the rest. Unknown fields are ignored on read."
        ),
        "$comment": f"Generated by questline {__version__} from its event types.",
        "$ref": ref_of[EventLine],
        "x-questline-schema-versions": readable_versions(),
        "$defs": dict(sorted(components.items())),
    }
    plain: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(document))  # tuples: lists
    return plain


def schema_rooted_at(definition: str) -> dict[str, Any]:
    """The document with one of its `$defs` as the root, e.g. `EventsTopicMessage`."""
    document = events_schema()
    if definition not in document["$defs"]:
        raise KeyError(f"no definition {definition!r}; known: {', '.join(document['$defs'])}")
    return {**document, "$ref": _REF.format(name=definition)}
