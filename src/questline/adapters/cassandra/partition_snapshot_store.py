"""Partition snapshots on Cassandra: chunks first, then the index row that lists them,
so a reader never sees half a snapshot (a lost chunk fails the checksum instead)."""

from cassandra.cluster import Session
from cassandra.concurrent import execute_concurrent_with_args

from questline.adapters.cassandra.session import prepare
from questline.ports import PartitionSnapshotRecord

CHUNK_BYTES = 512 * 1024


class CassandraPartitionSnapshotStore:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._chunk = prepare(
            session,
            "INSERT INTO snapshot_chunks (partition, offset, chunk, data) VALUES (?, ?, ?, ?)",
        )
        self._index = prepare(
            session,
            "INSERT INTO snapshot_index (partition, offset, format, checksum, taken_at, chunks,"
            " size) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        self._offsets = prepare(session, "SELECT offset FROM snapshot_index WHERE partition = ?")
        self._entry = prepare(
            session,
            "SELECT format, checksum, taken_at, chunks FROM snapshot_index"
            " WHERE partition = ? AND offset = ?",
        )
        self._chunks = prepare(
            session, "SELECT chunk, data FROM snapshot_chunks WHERE partition = ? AND offset = ?"
        )
        self._drop_entry = prepare(
            session, "DELETE FROM snapshot_index WHERE partition = ? AND offset = ?"
        )
        self._drop_chunks = prepare(
            session, "DELETE FROM snapshot_chunks WHERE partition = ? AND offset = ?"
        )

    def save(self, record: PartitionSnapshotRecord) -> None:
        body = record.body
        pieces = [body[i : i + CHUNK_BYTES] for i in range(0, len(body), CHUNK_BYTES)] or [b""]
        # A snapshot saved again at the same offset may have had more chunks; the
        # driver's timestamps only grow, so the chunks below win over this delete.
        self.session.execute(self._drop_chunks, (record.partition, record.offset))
        execute_concurrent_with_args(
            self.session,
            self._chunk,
            [(record.partition, record.offset, n, piece) for n, piece in enumerate(pieces)],
            concurrency=8,
            raise_on_first_error=True,
        )
        self.session.execute(
            self._index,
            (
                record.partition,
                record.offset,
                record.format,
                record.checksum,
                record.taken_at,
                len(pieces),
                len(body),
            ),
        )

    def offsets(self, partition: int) -> list[int]:
        return [int(row.offset) for row in self.session.execute(self._offsets, (partition,))]

    def load(self, partition: int, offset: int) -> PartitionSnapshotRecord | None:
        entry = self.session.execute(self._entry, (partition, offset)).one()
        if entry is None:
            return None
        pieces = sorted(
            (int(row.chunk), bytes(row.data or b""))
            for row in self.session.execute(self._chunks, (partition, offset))
        )
        return PartitionSnapshotRecord(
            partition=partition,
            offset=offset,
            format=int(entry.format),
            checksum=str(entry.checksum),
            taken_at=int(entry.taken_at),
            body=b"".join(piece for _, piece in pieces),
        )

    def delete(self, partition: int, offset: int) -> None:
        # The index row first: a reader never finds an entry whose chunks are gone.
        self.session.execute(self._drop_entry, (partition, offset))
        self.session.execute(self._drop_chunks, (partition, offset))
