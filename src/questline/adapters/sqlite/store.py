"""The embedded store: log, command records and read models in one SQLite file,
written by one connection in one transaction per batch, read by per-thread
read-only connections (WAL lets them read while the writer commits)."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from questline.adapters.sqlite.command_log import SqliteCommandLog
from questline.adapters.sqlite.connection import Durability, open_connection, open_reader
from questline.adapters.sqlite.event_log import SqliteEventLog
from questline.adapters.sqlite.read_model_store import SqliteReadModelStore
from questline.adapters.sqlite.token_store import SqliteTokenStore


class SqliteStore:
    def __init__(
        self, path: Path | str, durability: Durability = "normal", *, create: bool = True
    ) -> None:
        self.path = Path(path)
        self._writer = open_connection(self.path, durability, create=create)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self.events = SqliteEventLog(self._writer, self._reader)
        self.commands = SqliteCommandLog(self._writer, self._reader)
        self.read_models = SqliteReadModelStore(self._writer, self._reader)
        self.tokens = SqliteTokenStore(self._writer, self._reader)

    def _reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = open_reader(self.path)
            self._local.connection = connection
            with self._readers_lock:
                self._readers.append(connection)
        return connection

    @contextmanager
    def transaction(self) -> Iterator["SqliteStore"]:
        """One write transaction: everything in it commits together, or nothing does."""
        self._writer.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self._writer.execute("ROLLBACK")
            raise
        self._writer.execute("COMMIT")

    def backup_to(self, target: Path) -> None:
        """An online, consistent copy (SQLite's backup API)."""
        destination = sqlite3.connect(target)
        try:
            self._writer.backup(destination)
        finally:
            destination.close()

    def integrity_problems(self) -> list[str]:
        rows = self._writer.execute("PRAGMA quick_check").fetchall()
        return [] if rows == [("ok",)] else [row[0] for row in rows]

    def close(self) -> None:
        with self._readers_lock:
            for connection in self._readers:
                connection.close()
            self._readers.clear()
        self._writer.close()
