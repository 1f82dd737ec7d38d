"""One partition of a log in a SQLite file (the `PartitionLog` port): the partition
writer's engine on one machine without Kafka, and the second implementation the
partition-log conformance suite holds Kafka's to.

Entries are kept as Kafka keeps them, in one ordered table: each event as its event
line, each command record as its JSON, at consecutive offsets. An append is one
transaction (BEGIN IMMEDIATE): the writer's epoch is checked first, so a writer
fenced by a newer one appends nothing; then the entries, the set-aside commands
and the consumed position. Answers have no transport here: the caller holds them
(a log read by another process has no one waiting)."""

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec

from questline.adapters.event_lines import decode_line, encode_line
from questline.adapters.sqlite.connection import open_connection
from questline.domain.events import RecordedEvent
from questline.ports import (
    UNWRITABLE_ERRORS,
    AppendFailed,
    CommandRecord,
    Fenced,
    LogAppend,
    OnEvent,
    OnRecord,
    UnwritableCommand,
    reason_of,
)

DDL = """
CREATE TABLE IF NOT EXISTS partition_log (
    partition INTEGER NOT NULL, at INTEGER NOT NULL,  -- the entry's offset
    kind TEXT NOT NULL, hunt_id TEXT NOT NULL, version INTEGER NOT NULL, line BLOB NOT NULL,
    PRIMARY KEY (partition, at)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS partition_log_by_hunt ON partition_log (partition, hunt_id, version);
CREATE TABLE IF NOT EXISTS partition_writers (
    partition INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, consumed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partition_dead_letters (
    partition INTEGER NOT NULL, position INTEGER NOT NULL, stage TEXT NOT NULL,
    error TEXT NOT NULL, value BLOB NOT NULL
);
"""
EVENT = "event"
RECORD = "command"

_encoder = msgspec.json.Encoder()
_record = msgspec.json.Decoder(CommandRecord)


class SqlitePartitionLog:
    def __init__(self, path: Path | str, partition: int = 0) -> None:
        self._partition = partition
        self._db = open_connection(Path(path), "normal", create=True)
        self._db.executescript(DDL)
        self._epoch: int | None = None

    @property
    def partition(self) -> int:
        return self._partition

    def fence(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO partition_writers (partition, epoch, consumed) VALUES (?, 1, 0)"
                " ON CONFLICT (partition) DO UPDATE SET epoch = epoch + 1",
                (self._partition,),
            )
            (epoch,) = db.execute(
                "SELECT epoch FROM partition_writers WHERE partition = ?", (self._partition,)
            ).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._epoch = int(epoch)

    def append(self, batch: LogAppend) -> float:
        rows = self._rows(batch)
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise AppendFailed(f"partition {self._partition}: {error}") from None
        try:
            self._check_epoch()
            self._check_versions(batch.events)
            (head,) = db.execute(
                "SELECT COALESCE(MAX(at) + 1, 0) FROM partition_log WHERE partition = ?",
                (self._partition,),
            ).fetchone()
            db.executemany(
                "INSERT INTO partition_log (partition, at, kind, hunt_id, version, line)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(self._partition, head + i, *row) for i, row in enumerate(rows)],
            )
            db.executemany(
                "INSERT INTO partition_dead_letters (partition, position, stage, error, value)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (self._partition, a.command.position, a.stage, a.error, a.command.value)
                    for a in batch.set_aside
                ],
            )
            db.execute(
                "UPDATE partition_writers SET consumed = ? WHERE partition = ?",
                (batch.consumed, self._partition),
            )
            started = time.perf_counter()
            db.execute("COMMIT")
            return time.perf_counter() - started
        except (Fenced, AppendFailed):
            db.execute("ROLLBACK")
            raise
        except sqlite3.Error as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise AppendFailed(f"partition {self._partition}: {error}") from None
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _rows(self, batch: LogAppend) -> list[tuple[str, str, int, bytes]]:
        """Each entry encoded; a command whose data cannot be is named."""
        rows: list[tuple[str, str, int, bytes]] = []
        command_id = ""
        try:
            for recorded in batch.events:
                command_id = recorded.command_id
                rows.append((EVENT, recorded.hunt_id, recorded.version, encode_line(recorded)))
            for record in batch.records:
                command_id = record.command_id
                rows.append((RECORD, record.hunt_id, 0, _encoder.encode(record)))
        except UNWRITABLE_ERRORS as error:
            raise UnwritableCommand(command_id, reason_of(error)) from error
        return rows

    def _check_epoch(self) -> None:
        found = self._db.execute(
            "SELECT epoch FROM partition_writers WHERE partition = ?", (self._partition,)
        ).fetchone()
        if self._epoch is None or found is None or found[0] != self._epoch:
            raise Fenced(f"partition {self._partition}: a newer writer opened it")

    def _check_versions(self, events: Sequence[RecordedEvent]) -> None:
        """Each hunt's versions continue its log (one writer: only a bug breaks this)."""
        expected: dict[str, int] = {}
        for recorded in events:
            if recorded.hunt_id not in expected:
                (last,) = self._db.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM partition_log"
                    " WHERE partition = ? AND hunt_id = ? AND kind = ?",
                    (self._partition, recorded.hunt_id, EVENT),
                ).fetchone()
                expected[recorded.hunt_id] = last + 1
            if recorded.version != expected[recorded.hunt_id]:
                raise AppendFailed(
                    f"hunt {recorded.hunt_id} is at version {expected[recorded.hunt_id] - 1},"
                    f" the batch expected {recorded.version - 1}"
                )
            expected[recorded.hunt_id] += 1

    def read(
        self,
        on_event: OnEvent,
        on_record: OnRecord | None = None,
        *,
        start: int = 0,
        end: int | None = None,
        hunt_id: str | None = None,
    ) -> int:
        db = self._db
        (head,) = db.execute(
            "SELECT COALESCE(MAX(at) + 1, 0) FROM partition_log WHERE partition = ?",
            (self._partition,),
        ).fetchone()
        stop = int(head) if end is None else min(int(head), end)
        query = "SELECT at, kind, line FROM partition_log WHERE partition = ? AND at >= ?"
        query += " AND at < ?"
        arguments: list[object] = [self._partition, max(start, 0), stop]
        if hunt_id is not None:
            query += " AND hunt_id = ?"
            arguments.append(hunt_id)
        for offset, kind, line in db.execute(query + " ORDER BY at", arguments).fetchall():
            if kind == EVENT:
                recorded = decode_line(line, offset)
                on_event(msgspec.structs.replace(recorded, position=offset + 1))
            elif on_record is not None and hunt_id is None:
                on_record(_record.decode(line))
        return max(stop, start)

    def consumed(self) -> int:
        found = self._db.execute(
            "SELECT consumed FROM partition_writers WHERE partition = ?", (self._partition,)
        ).fetchone()
        return int(found[0]) if found is not None else 0

    def dead_letters(self) -> list[tuple[int, str, str]]:
        """(position, stage, error) of every command set aside, oldest first."""
        return [
            (int(position), str(stage), str(error))
            for position, stage, error in self._db.execute(
                "SELECT position, stage, error FROM partition_dead_letters WHERE partition = ?"
                " ORDER BY rowid",
                (self._partition,),
            )
        ]

    def close(self) -> None:
        self._db.close()
