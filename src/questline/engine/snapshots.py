"""Snapshots of one hunt: its decision state and its projections' state, at a log
position, encoded with msgspec (MessagePack).

Each part saves itself: the decision state through `hunt_state.dump_state`, each
projection through its own `dump` (by name), so nothing is pickled and a new
projection needs no change here.

Every snapshot records `SHAPE`, a digest of the schemas of every saved form.
When someone reshapes one of them, old snapshots stop matching and are
discarded (recovery replays the log instead): never misread.
"""

import hashlib

import msgspec

from questline.domain.hunt_state import HuntState, StateData, dump_state, load_state
from questline.domain.projections.projector import Projector
from questline.domain.timestamps import Micros
from questline.ports import SnapshotRecord

FORMAT = 1


class SnapshotError(Exception):
    """A stored snapshot cannot be used; the message says why."""


class SnapshotBody(msgspec.Struct, frozen=True):
    shape: str
    hunt_id: str
    version: int
    decider: StateData
    projections: dict[str, bytes]  # each projection's own saved form, by its name


def _shape() -> str:
    """A digest of the saved forms' schemas and the projections' names."""
    projector = Projector()
    saved: list[type] = [SnapshotBody, StateData]
    for projection in projector.projections:
        saved.extend(projection.saved_types)
    _, components = msgspec.json.schema_components(saved)
    text = msgspec.json.encode(components, order="sorted")
    names = ",".join(p.name for p in projector.projections)
    return hashlib.sha256(text + names.encode()).hexdigest()[:16]


SHAPE = _shape()

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(SnapshotBody)


def decider_from(data: StateData) -> HuntState:
    try:
        return load_state(data)
    except ValueError as error:
        raise SnapshotError(str(error)) from None


def projections_to(projector: Projector, hunt_id: str) -> dict[str, bytes]:
    if projector.has_untaken(hunt_id):
        raise SnapshotError(f"hunt {hunt_id} has read-model rows not yet taken; snapshot later")
    return projector.dump(hunt_id)


def projections_into(
    projector: Projector, hunt_id: str, saved: dict[str, bytes], state: HuntState
) -> None:
    """Put one hunt's projection state into `projector` (which holds none of it yet)."""
    try:
        projector.load(hunt_id, saved, state.definition)
    except (ValueError, msgspec.DecodeError) as error:
        raise SnapshotError(f"its projection state cannot be loaded: {error}") from None


# -- records ------------------------------------------------------------------------------


def take(state: HuntState, projector: Projector, position: int, now: Micros) -> SnapshotRecord:
    """A snapshot of one hunt as it stands after the event at `position`."""
    body = _encoder.encode(
        SnapshotBody(
            SHAPE,
            state.hunt_id,
            state.version,
            dump_state(state),
            projections_to(projector, state.hunt_id),
        )
    )
    return SnapshotRecord(
        hunt_id=state.hunt_id,
        version=state.version,
        position=position,
        format=FORMAT,
        checksum=hashlib.sha256(body).hexdigest(),
        taken_at=now,
        body=body,
    )


def check_stored(stored_format: int, readable_format: int, checksum: str, body: bytes) -> None:
    """SnapshotError unless the stored bytes are of a format this Questline reads and
    match their checksum (checked before anything is decoded)."""
    if stored_format != readable_format:
        raise SnapshotError(
            f"format {stored_format}, this Questline reads format {readable_format}"
        )
    if hashlib.sha256(body).hexdigest() != checksum:
        raise SnapshotError("its checksum does not match its contents")


def open_snapshot(record: SnapshotRecord) -> SnapshotBody:
    """The decoded snapshot, or SnapshotError naming what is wrong with it."""
    check_stored(record.format, FORMAT, record.checksum, record.body)
    try:
        body = _decoder.decode(record.body)
    except msgspec.DecodeError as error:
        raise SnapshotError(f"it cannot be decoded: {error}") from None
    if body.shape != SHAPE:
        raise SnapshotError("it was written for another layout of the hunt state")
    if body.hunt_id != record.hunt_id or body.version != record.version:
        raise SnapshotError("its contents name another hunt or version than its row")
    if body.decider.version != record.version or body.decider.definition.id != record.hunt_id:
        raise SnapshotError("its decision state is not the one its row names")
    return body


def restore(body: SnapshotBody, projector: Projector) -> HuntState:
    """The hunt's decision state; its projection state goes into `projector`."""
    state = decider_from(body.decider)
    projections_into(projector, body.hunt_id, body.projections, state)
    return state
