"""Snapshots of a whole log partition (the cluster shape): the decision state and
the projection state of every hunt in it, and the window of recent command
records (engine/command_window.py), as of an offset.

The state is a pure fold of the partition's committed messages before the
offset, so whoever writes a snapshot (a projector, which holds all of it)
writes the same one; a writer restores the decision state and the window, a
projector all three. The parts are encoded separately (`msgspec.Raw`) so each
reader decodes only its own. Bodies are zlib-compressed and checksummed after compression,
so damage is found before anything is decoded.
"""

import hashlib
import zlib
from collections.abc import Mapping

import msgspec

from questline.domain.hunt_state import HuntState, StateData, dump_state
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import LeaderboardRow
from questline.domain.timestamps import Micros
from questline.engine.command_window import WindowData
from questline.engine.snapshots import (
    SHAPE,
    SnapshotError,
    check_stored,
    decider_from,
    projections_into,
    projections_to,
)
from questline.ports import PartitionSnapshotRecord

FORMAT = 2  # 2: the window of recent command records


class HuntProjections(msgspec.Struct, frozen=True):
    hunt_id: str
    data: dict[str, bytes]  # each projection's saved form, by its name


class PartitionSnapshotBody(msgspec.Struct, frozen=True):
    shape: str
    partition: int
    offset: int
    deciders: msgspec.Raw  # list[StateData]
    projections: msgspec.Raw  # list[HuntProjections]
    window: msgspec.Raw  # WindowData


_encoder = msgspec.msgpack.Encoder()
_body_decoder = msgspec.msgpack.Decoder(PartitionSnapshotBody)
_deciders_decoder = msgspec.msgpack.Decoder(list[StateData])
_projections_decoder = msgspec.msgpack.Decoder(list[HuntProjections])
_window_decoder = msgspec.msgpack.Decoder(WindowData)


def take_partition(
    partition: int,
    offset: int,
    states: Mapping[str, HuntState],
    projector: Projector,
    now: Micros,
    *,
    window: WindowData,
) -> PartitionSnapshotRecord:
    """A snapshot of every hunt in `states` (and its projections) and of the command
    window as of `offset`, the next offset to read. The projector must have no rows
    waiting to be taken."""
    hunt_ids = sorted(states)
    body = PartitionSnapshotBody(
        SHAPE,
        partition,
        offset,
        msgspec.Raw(_encoder.encode([dump_state(states[h]) for h in hunt_ids])),
        msgspec.Raw(
            _encoder.encode([HuntProjections(h, projections_to(projector, h)) for h in hunt_ids])
        ),
        msgspec.Raw(_encoder.encode(window)),
    )
    packed = zlib.compress(_encoder.encode(body), 1)
    return PartitionSnapshotRecord(
        partition=partition,
        offset=offset,
        format=FORMAT,
        checksum=hashlib.sha256(packed).hexdigest(),
        taken_at=now,
        body=packed,
    )


def open_partition(record: PartitionSnapshotRecord) -> PartitionSnapshotBody:
    """The decoded snapshot, or SnapshotError naming what is wrong with it."""
    check_stored(record.format, FORMAT, record.checksum, record.body)
    try:
        body = _body_decoder.decode(zlib.decompress(record.body))
    except (zlib.error, msgspec.DecodeError) as error:
        raise SnapshotError(f"it cannot be decoded: {error}") from None
    if body.shape != SHAPE:
        raise SnapshotError("it was written for another layout of the hunt state")
    if body.partition != record.partition or body.offset != record.offset:
        raise SnapshotError("its contents name another partition or offset than its row")
    return body


def deciders_of(body: PartitionSnapshotBody) -> dict[str, HuntState]:
    """The decision state of every hunt in the snapshot."""
    try:
        deciders = _deciders_decoder.decode(body.deciders)
    except msgspec.DecodeError as error:
        raise SnapshotError(f"its decision state cannot be decoded: {error}") from None
    return {data.definition.id: decider_from(data) for data in deciders}


def window_of(body: PartitionSnapshotBody) -> WindowData:
    """The window of recent command records the snapshot holds."""
    try:
        return _window_decoder.decode(body.window)
    except msgspec.DecodeError as error:
        raise SnapshotError(f"its command window cannot be decoded: {error}") from None


def projections_of(
    body: PartitionSnapshotBody, projector: Projector, states: Mapping[str, HuntState]
) -> dict[tuple[str, str, str], LeaderboardRow]:
    """Put every hunt's projection state into `projector` (which holds none of those
    hunts yet); return every leaderboard row as of the snapshot, keyed like changes
    are, so a writer knows which rank entries the store holds. `states`: the
    snapshot's decision states (`deciders_of`), whose definitions the projections use."""
    try:
        hunts = _projections_decoder.decode(body.projections)
    except msgspec.DecodeError as error:
        raise SnapshotError(f"its projection state cannot be decoded: {error}") from None
    ranks: dict[tuple[str, str, str], LeaderboardRow] = {}
    for hunt in hunts:
        state = states.get(hunt.hunt_id)
        if state is None:
            raise SnapshotError(f"hunt {hunt.hunt_id} has projections but no decision state")
        projections_into(projector, hunt.hunt_id, hunt.data, state)
        for key, row in projector.rows(hunt.hunt_id).items():
            if isinstance(row, LeaderboardRow):
                ranks[key] = row
    return ranks
