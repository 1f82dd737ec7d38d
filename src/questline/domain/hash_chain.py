"""Each hunt's events as a hash chain (log-features.md, "A tamper-evident log").

hash = sha256(prev_hash_bytes || canonical_event), prev_hash being the previous
event's hash of the same hunt (32 zero bytes for version 1). canonical_event is
the UTF-8 JSON of {"hunt", "version", "type", "time", "payload"}, keys sorted at
every level, no spaces, non-ASCII as is, with `time` and `payload` exactly as
`GET /api/hunts/{hunt}/events` serves them: what `json.dumps(..., sort_keys=True,
separators=(",", ":"), ensure_ascii=False)` gives for the served values, so anyone
can recompute it with `hashlib` and `json`.

msgspec writes that JSON ten times faster than `json` does, and byte for byte the
same but for floats in exponent form (msgspec writes 1e-7 where Python writes
1e-07), so floats are written with Python's own repr. The common events (no secret,
no float) are encoded straight from their structs: msgspec's sorted order sorts
struct fields too and leaves out defaults, as the served payload does.
"""

import hashlib
from functools import lru_cache
from typing import Any

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import EVENT_TYPES, Event, RecordedEvent, event_type
from questline.domain.timestamps import Micros, to_rfc3339

GENESIS = "0" * 64  # the "previous hash" of a hunt's first event
SECRET_FIELDS = frozenset({"token_hash"})  # never served, so never hashed

_sorted = msgspec.json.Encoder(order="sorted")
# Event types whose payload may hold a secret or a definition (with its floats).
_WALKED = frozenset(
    cls
    for cls in EVENT_TYPES.values()
    if SECRET_FIELDS & set(cls.__struct_fields__)
    or any(t is HuntDefinition for t in cls.__annotations__.values())
)


def served_payload(event: Event) -> dict[str, Any]:
    """An event's payload as the events route serves it: its fields at their
    non-default values, secrets left out."""
    payload: dict[str, Any] = msgspec.to_builtins(event)
    for name in SECRET_FIELDS.intersection(payload):
        del payload[name]
    return payload


def canonical_event(recorded: RecordedEvent) -> bytes:
    event = recorded.event
    walked = type(event) in _WALKED or getattr(event, "lat", None) is not None
    body = {
        "hunt": recorded.hunt_id,
        "version": recorded.version,
        "type": event_type(event),
        "time": _time(recorded.time),
        "payload": _python_floats(served_payload(event)) if walked else event,
    }
    return _sorted.encode(body)


@lru_cache(maxsize=4096)
def _time(time: Micros) -> str:
    return to_rfc3339(time)  # a batch's events share one time


def chain(previous: str, recorded: RecordedEvent) -> str:
    """The hash of `recorded` following `previous` (hex; GENESIS before version 1)."""
    return hashlib.sha256(bytes.fromhex(previous) + canonical_event(recorded)).hexdigest()


def with_hash(previous: str, recorded: RecordedEvent) -> RecordedEvent:
    return msgspec.structs.replace(recorded, hash=chain(previous, recorded))


def _python_floats(value: Any) -> Any:
    if isinstance(value, float):
        return msgspec.Raw(repr(value).encode())
    if isinstance(value, dict):
        return {key: _python_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_python_floats(item) for item in value]
    return value


class ChainBreak(msgspec.Struct, frozen=True):
    """The first event of a hunt whose stored hash does not follow its chain."""

    hunt_id: str
    version: int
    stored: str
    expected: str

    def describe(self) -> str:
        stored = self.stored or "no hash"
        return (
            f"hunt {self.hunt_id}: the hash of version {self.version} does not follow the "
            f"chain (stored {stored}, the chain gives {self.expected})"
        )

    def location(self) -> str:
        return f"hash chain (hunt {self.hunt_id}, version {self.version})"


class ChainChecker:
    """Checks every hunt's chain as events go by in log order; keeps each hunt's first
    break (after one, the rest of that hunt's chain proves nothing more)."""

    def __init__(self, previous: dict[str, str] | None = None) -> None:
        self.previous: dict[str, str] = dict(previous or {})  # hunt -> last hash seen
        self.breaks: dict[str, ChainBreak] = {}

    def check(self, recorded: RecordedEvent) -> None:
        hunt_id = recorded.hunt_id
        if hunt_id in self.breaks:
            return
        expected = chain(self.previous.get(hunt_id, GENESIS), recorded)
        if recorded.hash != expected:
            self.breaks[hunt_id] = ChainBreak(hunt_id, recorded.version, recorded.hash, expected)
        self.previous[hunt_id] = recorded.hash


def follow(
    events: list[RecordedEvent], previous: dict[str, str] | None = None
) -> list[RecordedEvent]:
    """Events as an import writes them: each hash checked against its chain, or
    filled in where an older export has none. ValueError names the first break."""
    last = dict(previous or {})
    followed: list[RecordedEvent] = []
    for given in events:
        expected = chain(last.get(given.hunt_id, GENESIS), given)
        if given.hash and given.hash != expected:
            broken = ChainBreak(given.hunt_id, given.version, given.hash, expected)
            raise ValueError(broken.describe())
        last[given.hunt_id] = expected
        followed.append(given if given.hash else msgspec.structs.replace(given, hash=expected))
    return followed
