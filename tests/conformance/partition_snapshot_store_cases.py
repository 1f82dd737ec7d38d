"""What every PartitionSnapshotStore must do; subclassed per backend (see
test_cassandra.py). A subclass provides the `snapshots` fixture: an empty store."""

import hashlib

from questline.ports import PartitionSnapshotRecord, PartitionSnapshotStore


def snapshot(partition: int, offset: int, size: int = 100) -> PartitionSnapshotRecord:
    # Bytes that differ everywhere, so a chunk put back in the wrong place shows.
    seed = f"{partition}:{offset}".encode()
    blocks = (hashlib.sha256(seed + n.to_bytes(4, "big")).digest() for n in range(size // 32 + 1))
    body = b"".join(blocks)[:size]
    return PartitionSnapshotRecord(
        partition=partition,
        offset=offset,
        format=1,
        checksum=hashlib.sha256(body).hexdigest(),
        taken_at=1_700_000_000_000_000 + offset,
        body=body,
    )


class PartitionSnapshotStoreConformance:
    def test_a_new_store_has_no_snapshots(self, snapshots: PartitionSnapshotStore) -> None:
        assert snapshots.offsets(0) == []
        assert snapshots.load(0, 0) is None

    def test_a_saved_snapshot_loads_back_equal(self, snapshots: PartitionSnapshotStore) -> None:
        record = snapshot(2, 120)
        snapshots.save(record)
        assert snapshots.load(2, 120) == record

    def test_a_body_of_several_megabytes_loads_back_byte_for_byte(
        self, snapshots: PartitionSnapshotStore
    ) -> None:
        record = snapshot(1, 5_000, size=3 * 1024 * 1024 + 17)
        snapshots.save(record)
        assert snapshots.load(1, 5_000) == record

    def test_an_empty_body_loads_back_empty(self, snapshots: PartitionSnapshotStore) -> None:
        record = snapshot(0, 3, size=0)
        snapshots.save(record)
        loaded = snapshots.load(0, 3)
        assert loaded is not None and loaded.body == b""

    def test_offsets_are_listed_newest_first(self, snapshots: PartitionSnapshotStore) -> None:
        for offset in (40, 900, 7, 300):
            snapshots.save(snapshot(4, offset))
        assert snapshots.offsets(4) == [900, 300, 40, 7]

    def test_partitions_are_kept_apart(self, snapshots: PartitionSnapshotStore) -> None:
        snapshots.save(snapshot(0, 10))
        snapshots.save(snapshot(1, 20))
        assert snapshots.offsets(0) == [10]
        assert snapshots.offsets(1) == [20]
        assert snapshots.load(0, 20) is None

    def test_saving_the_same_offset_again_replaces_it(
        self, snapshots: PartitionSnapshotStore
    ) -> None:
        snapshots.save(snapshot(3, 50, size=2_000_000))
        smaller = snapshot(3, 50, size=10)
        snapshots.save(smaller)
        assert snapshots.offsets(3) == [50]
        assert snapshots.load(3, 50) == smaller

    def test_a_deleted_snapshot_is_gone(self, snapshots: PartitionSnapshotStore) -> None:
        snapshots.save(snapshot(5, 1))
        snapshots.save(snapshot(5, 2))
        snapshots.delete(5, 1)
        assert snapshots.offsets(5) == [2]
        assert snapshots.load(5, 1) is None
        assert snapshots.load(5, 2) == snapshot(5, 2)
