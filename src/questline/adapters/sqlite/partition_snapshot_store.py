"""Partition snapshots on SQLite (the `PartitionSnapshotStore` port), beside a
partition log in a SQLite file: what a partition writer restores from without
Cassandra. A row is written whole in one statement, so it is listed only once all
of it is there."""

import sqlite3
from pathlib import Path

from questline.ports import PartitionSnapshotRecord

DDL = """
CREATE TABLE IF NOT EXISTS partition_snapshots (
    partition INTEGER NOT NULL, at INTEGER NOT NULL, format INTEGER NOT NULL,
    checksum TEXT NOT NULL, taken_at INTEGER NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (partition, at)
) WITHOUT ROWID;
"""
_COLUMNS = "partition, at, format, checksum, taken_at, body"


class SqlitePartitionSnapshotStore:
    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(
            Path(path), isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._db.executescript(DDL)

    def save(self, record: PartitionSnapshotRecord) -> None:
        self._db.execute(
            f"INSERT OR REPLACE INTO partition_snapshots ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.partition,
                record.offset,
                record.format,
                record.checksum,
                record.taken_at,
                record.body,
            ),
        )

    def offsets(self, partition: int) -> list[int]:
        rows = self._db.execute(
            "SELECT at FROM partition_snapshots WHERE partition = ? ORDER BY at DESC",
            (partition,),
        )
        return [int(at) for (at,) in rows]

    def load(self, partition: int, offset: int) -> PartitionSnapshotRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM partition_snapshots WHERE partition = ? AND at = ?",
            (partition, offset),
        ).fetchone()
        if row is None:
            return None
        partition_, at, format_, checksum, taken_at, body = row
        return PartitionSnapshotRecord(
            partition=partition_,
            offset=at,
            format=format_,
            checksum=checksum,
            taken_at=taken_at,
            body=bytes(body),
        )

    def delete(self, partition: int, offset: int) -> None:
        self._db.execute(
            "DELETE FROM partition_snapshots WHERE partition = ? AND at = ?", (partition, offset)
        )

    def close(self) -> None:
        self._db.close()
