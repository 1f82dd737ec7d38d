"""Reading event payloads of any schema version as today's structs.

Old payloads are raised one schema step at a time by pure functions; the
stored bytes never change, so the log stays the untouched record.
"""

from collections.abc import Callable
from typing import Any

import msgspec

from questline.domain.events import EVENT_TYPES, Event

Payload = dict[str, Any]

_decoder = msgspec.json.Decoder(Event)
_encoder = msgspec.json.Encoder()


def _score_adjusted_v1_to_v2(payload: Payload) -> Payload:
    raised = dict(payload)
    raised["points"] = raised.pop("delta")
    return raised


def _fields_added(payload: Payload) -> Payload:
    """The next schema only added fields with defaults: the old payload reads as is."""
    return payload


# (type, schema it reads) -> step to schema + 1
UPCASTERS: dict[tuple[str, int], Callable[[Payload], Payload]] = {
    ("score_adjusted", 1): _score_adjusted_v1_to_v2,
    ("team_registered", 1): _fields_added,
    ("clue_solved", 1): _fields_added,
    ("answer_wrong", 1): _fields_added,
    ("kept_going", 1): _fields_added,
    ("photo_submitted", 1): _fields_added,
    ("photo_rejected", 1): _fields_added,
}


class UnknownEventType(ValueError):
    pass


def current_schema(event_type: str) -> int:
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise UnknownEventType(f"unknown event type {event_type!r}")
    return cls.SCHEMA


def encode_event(event: Event) -> bytes:
    return _encoder.encode(event)


_SCHEMAS: dict[str, int] = {name: cls.SCHEMA for name, cls in EVENT_TYPES.items()}


def decode_event(event_type: str, schema: int, payload: bytes | str) -> Event:
    """Decode a stored payload, upcasting it first when its schema is old.

    Raises UnknownEventType or msgspec.ValidationError/DecodeError on bad input.
    """
    if _SCHEMAS.get(event_type) == schema:  # the common case, first (replay reads millions)
        decoded: Event = _decoder.decode(payload)
        return decoded
    target = current_schema(event_type)
    if schema > target:
        raise UnknownEventType(
            f"event type {event_type!r} schema {schema} is newer than this engine knows ({target})"
        )
    data: Payload = msgspec.json.decode(payload)
    for version in range(schema, target):
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise UnknownEventType(f"no upcaster for {event_type!r} from schema {version}")
        data = step(data)
    converted: Event = msgspec.convert(data, Event)
    return converted
