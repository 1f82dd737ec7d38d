"""Partition snapshots (the cluster's): the codec round trip is exact, a restored
decider and projector continue exactly as the originals do, and damage of any
kind is refused with a reason instead of being misread."""

import hashlib
import zlib

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from questline.domain.events import RecordedEvent
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes
from questline.engine.batch_decider import BatchDecider
from questline.engine.partition_snapshots import (
    deciders_of,
    open_partition,
    projections_of,
    take_partition,
    window_of,
)
from questline.engine.snapshots import SnapshotError
from questline.ports import CommandEnvelope, CommandRecord, PartitionSnapshotRecord
from tests.hunt_builders import BEFORE_START, spec_hunt
from tests.properties.budget import ENGINE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import create_envelope, dump_state, envelope


def nothing_known(_: object) -> dict[str, CommandRecord]:
    return {}


class Partition:
    """A partition's two folds (decision and projection) driven as a worker and a
    projector would, with offsets counted like a log's."""

    def __init__(self) -> None:
        self.decider = BatchDecider()
        self.projector = Projector()
        self.offset = 0

    def run(self, batch: list[CommandEnvelope], now: int) -> tuple[list[RecordedEvent], Changes]:
        decided = self.decider.decide_batch(batch, now, nothing_known)
        self.decider.committed(decided.records)
        placed = []
        for recorded in decided.events:
            placed.append(msgspec.structs.replace(recorded, position=self.offset))
            self.offset += 1
        self.projector.apply_all(placed)
        return placed, self.projector.take_changes()


def snapshot_of(partition: Partition) -> PartitionSnapshotRecord:
    return take_partition(
        7,
        partition.offset,
        partition.decider.states,
        partition.projector,
        1,
        window=partition.decider.recent.dump(),
    )


@ENGINE
@given(scenarios(max_steps=30), st.data())
def test_a_restored_partition_continues_exactly_as_the_original(
    scenario: Scenario, data: st.DataObject
) -> None:
    original = Partition()
    original.run([create_envelope(scenario.definition)], scenario.times[0])
    cut = data.draw(st.integers(0, len(scenario.commands)), label="snapshot after step")
    for index in range(cut):
        original.run([envelope(index + 1, scenario.commands[index])], scenario.times[index])

    body = open_partition(snapshot_of(original))
    restored = Partition()
    restored.decider.states = deciders_of(body)
    restored.decider.recent.load(window_of(body))
    ranks = projections_of(body, restored.projector, restored.decider.states)
    restored.offset = body.offset
    hunt_id = scenario.definition.id
    assert dump_state(restored.decider.states[hunt_id]) == dump_state(
        original.decider.states[hunt_id]
    )
    # The window of command records too: a retry after the restore gets its first answer.
    assert restored.decider.recent.dump() == original.decider.recent.dump()
    # The rank rows handed back are the board as the original projector holds it.
    assert ranks == {key: original.projector.projections[2].row(*key) for key in ranks}
    # Encoding the restored state again gives the same bytes.
    assert snapshot_of(restored).body == snapshot_of(original).body

    for index in range(cut, len(scenario.commands)):
        step = [envelope(index + 1, scenario.commands[index])]
        now = scenario.times[index]
        assert restored.run(step, now) == original.run(step, now)


def damaged(record: PartitionSnapshotRecord, **change: object) -> PartitionSnapshotRecord:
    return msgspec.structs.replace(record, **change)


@pytest.fixture
def record() -> PartitionSnapshotRecord:
    partition = Partition()
    partition.run([create_envelope(spec_hunt())], BEFORE_START)
    return snapshot_of(partition)


def test_a_flipped_byte_fails_the_checksum(record: PartitionSnapshotRecord) -> None:
    body = bytearray(record.body)
    body[len(body) // 2] ^= 0xFF
    with pytest.raises(SnapshotError, match="checksum"):
        open_partition(damaged(record, body=bytes(body)))


def test_another_format_is_refused(record: PartitionSnapshotRecord) -> None:
    with pytest.raises(SnapshotError, match="format 99"):
        open_partition(damaged(record, format=99))


def test_a_row_naming_another_offset_is_refused(record: PartitionSnapshotRecord) -> None:
    with pytest.raises(SnapshotError, match="another partition or offset"):
        open_partition(damaged(record, offset=record.offset + 5))


def test_a_body_that_is_not_a_snapshot_is_refused(record: PartitionSnapshotRecord) -> None:
    junk = zlib.compress(b"\x93\x01\x02\x03")
    with pytest.raises(SnapshotError, match="cannot be decoded"):
        open_partition(damaged(record, body=junk, checksum=hashlib.sha256(junk).hexdigest()))
