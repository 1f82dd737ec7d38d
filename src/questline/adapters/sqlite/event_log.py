"""The event log on SQLite: a global position, per-hunt versions guarded by
`UNIQUE(hunt_id, version)` and checked for continuity before each append.

Each hunt's version is read from the table once and then kept in memory, so an
append costs no `SELECT MAX(version)` per hunt. The UNIQUE constraint stays the
guard: if another writer moved a hunt on, the insert fails and the caller gets
a VersionConflict naming the stored version. The store drops the cache when a
transaction rolls back (`forget_versions`), since the appends it saw are gone."""

import sqlite3
from collections.abc import Callable, Iterator, Sequence

import msgspec

from questline.domain.events import EVENT_TYPES, RecordedEvent
from questline.domain.upcasting import decode_event, encode_event
from questline.ports import VersionConflict

_INSERT = (
    "INSERT INTO events (position, hunt_id, version, type, schema, time, command_id,"
    " correlation_id, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PAGE = 4096
_TYPES = {cls: name for name, cls in EVENT_TYPES.items()}
replace = msgspec.structs.replace
_COLUMNS = (
    "position, hunt_id, version, type, schema, time, command_id, correlation_id, payload, hash"
)


def row_to_event(row: tuple[int, str, int, str, int, int, str, str, str, str]) -> RecordedEvent:
    position, hunt_id, version, type_, schema, time, command_id, correlation_id, payload, hash_ = (
        row
    )
    event = decode_event(type_, schema, payload)
    # Positional: replay reads millions of these.
    return RecordedEvent(hunt_id, version, time, command_id, event, position, correlation_id, hash_)


class SqliteEventLog:
    def __init__(
        self, writer: sqlite3.Connection, reader: Callable[[], sqlite3.Connection]
    ) -> None:
        self._writer = writer
        self._reader = reader
        self._versions: dict[str, int] = {}  # hunt -> version as this connection wrote it

    def forget_versions(self) -> None:
        """Drop the cached versions (a rollback undid appends they count)."""
        self._versions.clear()

    def append(self, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        if not events:
            return []
        db = self._writer
        cached = self._versions
        expected: dict[str, int] = {}
        for recorded in events:
            hunt_id = recorded.hunt_id
            last = expected.get(hunt_id)
            if last is None:
                last = cached.get(hunt_id)
                if last is None:
                    last = self._current_version(db, hunt_id)
            if recorded.version != last + 1:
                raise VersionConflict(hunt_id, last, recorded.version - 1)
            expected[hunt_id] = recorded.version
        head = self._head(db)
        placed: list[RecordedEvent] = []
        rows = []
        position = head
        for recorded in events:
            event = recorded.event
            position += 1
            rows.append(
                (
                    position,
                    recorded.hunt_id,
                    recorded.version,
                    _TYPES[type(event)],
                    event.SCHEMA,
                    recorded.time,
                    recorded.command_id,
                    recorded.correlation_id,
                    encode_event(event),
                    recorded.hash,
                )
            )
            placed.append(replace(recorded, position=position))
        try:
            db.executemany(_INSERT, rows)
        except sqlite3.IntegrityError:
            # Another writer got there between the check and the insert.
            self._versions.clear()
            raise self._conflict(db, events) from None
        cached.update(expected)
        return placed

    def _conflict(self, db: sqlite3.Connection, events: Sequence[RecordedEvent]) -> VersionConflict:
        """The conflict to report: the first hunt of the batch the log has moved past."""
        checked: set[str] = set()
        for recorded in events:
            if recorded.hunt_id in checked:
                continue
            checked.add(recorded.hunt_id)
            actual = self._current_version(db, recorded.hunt_id)
            if actual != recorded.version - 1:
                return VersionConflict(recorded.hunt_id, actual, recorded.version - 1)
        first = events[0]
        return VersionConflict(
            first.hunt_id, self._current_version(db, first.hunt_id), first.version - 1
        )

    def read(
        self, after: int = 0, hunt_id: str | None = None, limit: int | None = None
    ) -> Iterator[RecordedEvent]:
        """Events in log order. Each page is read whole before any is yielded, so a
        caller that stops early leaves no statement open to pin an old snapshot."""
        db = self._reader()
        where = "hunt_id = ? AND position > ?" if hunt_id is not None else "position > ?"
        sql = f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY position LIMIT ?"
        left = limit if limit is not None else -1
        while left != 0:
            page_size = _PAGE if left < 0 else min(_PAGE, left)
            params = (hunt_id, after, page_size) if hunt_id is not None else (after, page_size)
            rows = db.execute(sql, params).fetchall()
            for row in rows:
                yield row_to_event(row)
            if len(rows) < page_size:
                return
            after = rows[-1][0]
            left = left - len(rows) if left > 0 else left

    def head(self) -> int:
        return self._head(self._reader())

    def version(self, hunt_id: str) -> int:
        return self._current_version(self._reader(), hunt_id)

    def hunt_ids(self) -> list[str]:
        rows = self._reader().execute(
            "SELECT hunt_id FROM events WHERE version = 1 ORDER BY position"
        )
        return [row[0] for row in rows]

    @staticmethod
    def _head(db: sqlite3.Connection) -> int:
        head: int = db.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
        return head

    @staticmethod
    def _current_version(db: sqlite3.Connection, hunt_id: str) -> int:
        row = db.execute(
            "SELECT COALESCE(MAX(version), 0) FROM events WHERE hunt_id = ?", (hunt_id,)
        ).fetchone()
        version: int = row[0]
        return version
