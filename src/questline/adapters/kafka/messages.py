"""What travels on the topics, and how it is encoded.

commands:      key hunt id, value a CommandEnvelope, header `reply-to` (replies partition);
               or header `kind`: `restore` (a snapshot audit discarded the snapshots
               whose offsets the value lists: an owner whose state came from one
               restores the partition again)
events:        key hunt id, header `kind`: `event` (an event line, as `export` writes
               it: schema-versioned and upcast on read) or `command` (a
               CommandRecord: the first answer to a command id, kept in the log so a
               partition's new owner remembers it); kept forever
replies:       key command id, value an Outcome
dead letters:  value the original bytes; headers say why and where they came from
"""

import msgspec
from confluent_kafka import Message

from questline.adapters.event_lines import decode_line, encode_line
from questline.domain.events import RecordedEvent
from questline.ports import CommandEnvelope, CommandRecord, Outcome

KIND = "kind"
KIND_EVENT = b"event"
KIND_COMMAND = b"command"
KIND_RESTORE = b"restore"
REPLY_TO = "reply-to"

_encoder = msgspec.json.Encoder()
_envelope = msgspec.json.Decoder(CommandEnvelope)
_outcome = msgspec.json.Decoder(Outcome)
_record = msgspec.json.Decoder(CommandRecord)
_offsets = msgspec.json.Decoder(list[int])


def encode(value: CommandEnvelope | Outcome | CommandRecord) -> bytes:
    return _encoder.encode(value)


def encode_event(recorded: RecordedEvent) -> bytes:
    return encode_line(recorded)


def decode_envelope(data: bytes) -> CommandEnvelope:
    envelope: CommandEnvelope = _envelope.decode(data)
    return envelope


def decode_outcome(data: bytes) -> Outcome:
    outcome: Outcome = _outcome.decode(data)
    return outcome


def decode_event(data: bytes, offset: int) -> RecordedEvent:
    """The event at an offset of the events topic. Its position is the offset + 1, so
    positions start at 1 as in the embedded log and `after=0` means from the start.
    Raises BadEventLine for bytes that are not an event Questline knows."""
    return msgspec.structs.replace(decode_line(data, offset), position=offset + 1)


def decode_record(data: bytes) -> CommandRecord:
    record: CommandRecord = _record.decode(data)
    return record


def encode_restore_request(discarded: list[int]) -> bytes:
    return _encoder.encode(discarded)


def restore_request(message: Message) -> list[int] | None:
    """The discarded snapshot offsets a `kind: restore` message on the commands topic
    lists; None for any other message (a command)."""
    if header(message.headers(), KIND) != KIND_RESTORE:
        return None
    try:
        return _offsets.decode(message.value() or b"")
    except msgspec.MsgspecError:
        return []  # unreadable: nothing to act on, and not a command either


Headers = dict[str, str | bytes | None] | list[tuple[str, str | bytes | None]] | None


def header(headers: Headers, name: str) -> bytes | None:
    items = headers.items() if isinstance(headers, dict) else headers or ()
    for key, value in items:
        if key == name:
            return value.encode() if isinstance(value, str) else value
    return None


def offset_of(message: Message) -> int:
    offset = message.offset()
    if offset is None:
        raise ValueError("a consumed message without an offset")
    return offset


def partition_of_message(message: Message) -> int:
    partition = message.partition()
    if partition is None:
        raise ValueError("a consumed message without a partition")
    return partition
