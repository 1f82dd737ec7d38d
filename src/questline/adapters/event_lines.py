"""Events as JSON lines, for export, import and audits.

One object per line: position, hunt_id, version, type, schema, time (RFC 3339),
time_us (exact), command_id, correlation_id, payload.
"""

from typing import Any

import msgspec

from questline.domain.events import RecordedEvent
from questline.domain.timestamps import to_rfc3339
from questline.domain.upcasting import UnknownEventType, decode_event


class EventLine(msgspec.Struct, frozen=True):
    position: int
    hunt_id: str
    version: int
    type: str
    schema: int
    time: str
    time_us: int
    command_id: str
    payload: dict[str, Any]
    correlation_id: str = ""
    hash: str = ""  # the hunt's hash chain at this event (older exports have none)


class BadEventLine(ValueError):
    def __init__(self, line_number: int, reason: str) -> None:
        self.line_number = line_number
        super().__init__(f"line {line_number}: {reason}")


_encoder = msgspec.json.Encoder()
_line_decoder = msgspec.json.Decoder(EventLine)


def encode_line(recorded: RecordedEvent) -> bytes:
    event = recorded.event
    line = EventLine(
        position=recorded.position,
        hunt_id=recorded.hunt_id,
        version=recorded.version,
        type=recorded.type,
        schema=event.SCHEMA,
        time=to_rfc3339(recorded.time),
        time_us=recorded.time,
        command_id=recorded.command_id,
        payload=msgspec.to_builtins(event),
        correlation_id=recorded.correlation_id,
        hash=recorded.hash,
    )
    return _encoder.encode(line)


def decode_line(text: bytes | str, line_number: int) -> RecordedEvent:
    try:
        line = _line_decoder.decode(text)
        payload = dict(line.payload)
        payload["type"] = line.type
        event = decode_event(line.type, line.schema, _encoder.encode(payload))
    except (msgspec.DecodeError, msgspec.ValidationError, UnknownEventType) as error:
        raise BadEventLine(line_number, str(error)) from None
    if line.version < 1:
        raise BadEventLine(line_number, f"version must be 1 or more, got {line.version}")
    return RecordedEvent(
        hunt_id=line.hunt_id,
        version=line.version,
        time=line.time_us,
        command_id=line.command_id,
        event=event,
        position=line.position,
        correlation_id=line.correlation_id,
        hash=line.hash,
    )
