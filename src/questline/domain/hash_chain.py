"""Each hunt's events as a hash chain (log-features.md, "A tamper-evident log").

hash = sha256(prev_hash_bytes || canonical_event), prev_hash being the previous
event's hash of the same hunt (32 zero bytes for version 1). canonical_event is
the UTF-8 JSON of {"hunt", "version", "type", "time", "payload"}, keys sorted at
every level, no spaces, non-ASCII as is, with `time` and `payload` exactly as
`GET /api/hunts/{hunt}/events` serves them: what `json.dumps(..., sort_keys=True,
separators=(",", ":"), ensure_ascii=False)` gives for the served values, so anyone
can recompute it with `hashlib` and `json`.

msgspec writes that JSON ten times faster than `json` does, and byte for byte the
same but for floats outside [1e-4, 1e16) (msgspec writes 1e-7 where Python writes
1e-07), so those floats are written with Python's own repr. Every other event is
encoded straight from its struct (msgspec's sorted order sorts struct fields too
and leaves out defaults, as the served payload does); an event with a secret, from
a copy of its struct without the secret fields. Only definitions (which may hold
any float) are walked as plain values.
"""

import binascii
import hashlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, get_args

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import EVENT_TYPES, Event, RecordedEvent
from questline.domain.timestamps import Micros, to_rfc3339

GENESIS = "0" * 64  # the "previous hash" of a hunt's first event
SECRET_FIELDS = frozenset({"token_hash"})  # never served, so never hashed

_sorted = msgspec.json.Encoder(order="sorted")
_sha256 = hashlib.sha256
_unhex = binascii.unhexlify  # str of hex digits -> bytes, as bytes.fromhex but faster


def served_payload(event: Event) -> dict[str, Any]:
    """An event's payload as the events route serves it: its fields at their
    non-default values, secrets left out."""
    payload: dict[str, Any] = msgspec.to_builtins(event)
    for name in SECRET_FIELDS.intersection(payload):
        del payload[name]
    return payload


def _walked(event: Event) -> bytes:
    return _sorted.encode(_python_floats(served_payload(event)))


def _without_secrets(cls: type[Event]) -> Callable[[Event], bytes]:
    """Encodes from a struct like `cls` without its secret fields (same tag, defaults
    left out)."""
    kept = [
        (i, f) for i, f in enumerate(msgspec.structs.fields(cls)) if f.name not in SECRET_FIELDS
    ]
    served = msgspec.defstruct(
        f"Served{cls.__name__}",
        [
            (f.name, f.type)
            if f.required
            else (f.name, f.type, msgspec.field(default=f.default))
            if f.default is not msgspec.NODEFAULT
            else (f.name, f.type, msgspec.field(default_factory=f.default_factory))
            for _, f in kept
        ],
        tag=cls.__struct_config__.tag,
        tag_field=cls.__struct_config__.tag_field,
        omit_defaults=True,
        frozen=True,
    )
    positions = tuple(i for i, _ in kept)

    def encode(event: Event) -> bytes:
        values = msgspec.structs.astuple(event)
        return _sorted.encode(served(*(values[i] for i in positions)))

    return encode


def _float_fields(cls: type[Event]) -> tuple[str, ...]:
    return tuple(
        f.name for f in msgspec.structs.fields(cls) if f.type is float or float in get_args(f.type)
    )


def _has_secret_or_definition(cls: type[Event]) -> bool:
    fields = msgspec.structs.fields(cls)
    return any(f.name in SECRET_FIELDS or f.type is HuntDefinition for f in fields)


# Event types whose payload is not written straight from the struct: those with a
# definition (which may hold any float) are walked; those with a secret are copied
# without it (or walked, should they also have floats).
_SPECIAL: dict[type[Event], Callable[[Event], bytes]] = {
    cls: _walked
    if _float_fields(cls) or any(f.type is HuntDefinition for f in msgspec.structs.fields(cls))
    else _without_secrets(cls)
    for cls in EVENT_TYPES.values()
    if _has_secret_or_definition(cls)
}
# The others with float fields: the fields' values, and those values all unset.
_FLOATS: dict[type[Event], tuple[Callable[[Event], Any], Any]] = {
    cls: (attrgetter(*names), (None,) * len(names) if len(names) > 1 else None)
    for cls in EVENT_TYPES.values()
    if cls not in _SPECIAL and (names := _float_fields(cls))
}


def _with_floats(values_of: Callable[[Event], Any], unset: Any) -> Callable[[Event], bytes]:
    def write(event: Event) -> bytes:
        values = values_of(event)
        if values != unset:  # most have none (a text answer has no position)
            for value in values if isinstance(values, tuple) else (values,):
                if value is not None and not (value == 0.0 or 1e-4 <= abs(value) < 1e16):
                    return _walked(event)  # msgspec would not write it as Python does
        return _sorted.encode(event)

    return write


# How each event type's payload is written.
_PAYLOADS: dict[type[Event], Callable[[Event], bytes]] = {
    cls: _SPECIAL.get(cls) or (_with_floats(*_FLOATS[cls]) if cls in _FLOATS else _sorted.encode)
    for cls in EVENT_TYPES.values()
}


# The canonical form is {"hunt", "payload", "time", "type", "version"}, keys in that
# (sorted) order. Its envelope is written by hand from pieces msgspec wrote once: the
# head (a hunt's id) and the middle (a batch's time and the type) repeat, and only the
# payload (written by msgspec, keys sorted) and the version are new for each event.


def canonical_event(recorded: RecordedEvent) -> bytes:
    return canonical(recorded.hunt_id, recorded.version, recorded.time, recorded.event)


def canonical(hunt_id: str, version: int, time: Micros, event: Event) -> bytes:
    """The canonical form of an event with its place in the log."""
    event_class = type(event)
    payload = _PAYLOADS[event_class](event)
    head = _heads.get(hunt_id)
    if head is None:
        head = _head(hunt_id)
    middle = _middles.get((time, event_class))
    if middle is None:
        middle = _middle(time, event_class)
    return b"%s%s%s%d}" % (head, payload, middle, version)


_heads: dict[str, bytes] = {}  # caches (a dict is quicker than lru_cache)
_middles: dict[tuple[Micros, type[Event]], bytes] = {}


def _head(hunt_id: str) -> bytes:
    if len(_heads) >= 4096:
        _heads.clear()
    head = _heads[hunt_id] = b'{"hunt":%s,"payload":' % _sorted.encode(hunt_id)
    return head


def _middle(time: Micros, event_class: type[Event]) -> bytes:
    if len(_middles) >= 4096:
        _middles.clear()  # a batch's events share one time
    middle = _middles[(time, event_class)] = b',"time":%s,"type":%s,"version":' % (
        _sorted.encode(to_rfc3339(time)),
        _TYPES[event_class],
    )
    return middle


_TYPES: dict[type[Event], bytes] = {cls: _sorted.encode(name) for name, cls in EVENT_TYPES.items()}


def chain(previous: str, recorded: RecordedEvent) -> str:
    """The hash of `recorded` following `previous` (hex; GENESIS before version 1)."""
    return _sha256(_unhex(previous) + canonical_event(recorded)).hexdigest()


def event_hash(previous: str, hunt_id: str, version: int, time: Micros, event: Event) -> str:
    """`chain` for an event not recorded yet (the writer makes its RecordedEvent once,
    with the hash). `canonical` written out: the single writer runs this per event."""
    event_class = type(event)
    head = _heads.get(hunt_id) or _head(hunt_id)
    middle = _middles.get((time, event_class)) or _middle(time, event_class)
    payload = _PAYLOADS[event_class](event)
    hashed = b"%s%s%s%s%d}" % (_unhex(previous), head, payload, middle, version)
    return _sha256(hashed).hexdigest()


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
