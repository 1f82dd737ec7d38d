"""Snapshots on SQLite: the latest encoded state of each hunt, in the same file
as the log (table `snapshots`).

It has its own connection, so the store's connections stay as they are; the
engine writes snapshots while it holds its writer lock, so this connection
never waits on a batch of its own engine. It opens files a SqliteStore opened
(and checked) first.
"""

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from questline.adapters.sqlite.connection import Durability
from questline.adapters.sqlite.schema import SNAPSHOTS_DDL
from questline.ports import SnapshotRecord

_COLUMNS = "hunt_id, version, position, format, checksum, taken_at, body"


class SqliteSnapshotStore:
    def __init__(self, path: Path | str, durability: Durability = "normal") -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._db.execute(f"PRAGMA synchronous={durability.upper()}")
        self._db.executescript(SNAPSHOTS_DDL)

    def save(self, snapshots: Sequence[SnapshotRecord]) -> None:
        if not snapshots:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                f"INSERT INTO snapshots ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (hunt_id) DO UPDATE SET version = excluded.version,"
                " position = excluded.position, format = excluded.format,"
                " checksum = excluded.checksum, taken_at = excluded.taken_at,"
                " body = excluded.body",
                [
                    (s.hunt_id, s.version, s.position, s.format, s.checksum, s.taken_at, s.body)
                    for s in snapshots
                ],
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def load_all(self) -> list[SnapshotRecord]:
        rows = self._db.execute(
            "SELECT hunt_id, version, position, format, checksum, taken_at, CAST(body AS BLOB)"
            " FROM snapshots ORDER BY hunt_id"
        ).fetchall()
        return [
            SnapshotRecord(hunt_id, version, position, fmt, checksum, taken_at, bytes(body))
            for hunt_id, version, position, fmt, checksum, taken_at, body in rows
        ]

    def delete(self, hunt_ids: Sequence[str]) -> None:
        if hunt_ids:
            self._db.executemany(
                "DELETE FROM snapshots WHERE hunt_id = ?", [(hunt_id,) for hunt_id in hunt_ids]
            )

    def close(self) -> None:
        self._db.close()
