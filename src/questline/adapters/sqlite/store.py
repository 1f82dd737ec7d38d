"""The embedded store: log, command records and read models in one SQLite file,
written by one connection in one transaction per batch, read by per-thread
read-only connections (WAL lets them read while the writer commits)."""

import contextlib
import logging
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

log = logging.getLogger(__name__)


class WalCheckpointer:
    """Copies the WAL back into the database file on a thread of its own.

    SQLite's automatic checkpoint runs inside the COMMIT that crosses its
    threshold, so the writer stops to copy pages and sync the file. A PASSIVE
    checkpoint from another connection does the same work without the writer's
    lock, and the sqlite3 module releases the GIL while it runs: on a second
    core it overlaps the next batch. The automatic checkpoint stays on, at a
    higher threshold, as the backstop. Started on the first commit; at most one
    checkpoint per `interval` seconds."""

    def __init__(self, path: Path, interval: float = 0.25) -> None:
        self._path = path
        self._interval = interval
        self._wake = threading.Event()
        self._stopped = threading.Event()  # ends the pause between checkpoints at once
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def committed(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None and not self._stopping:
                    self._thread = threading.Thread(
                        target=self._run, name="questline-checkpointer", daemon=True
                    )
                    self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        try:  # read-write, never create: a file gone since the commit stays gone
            connection = sqlite3.connect(
                f"file:{self._path}?mode=rw", uri=True, isolation_level=None
            )
        except sqlite3.Error as error:
            # The automatic checkpoint is the backstop; the writer reports the file.
            log.warning("no WAL checkpoints beside the writer: %s: %s", self._path, error)
            return
        try:
            while True:
                self._wake.wait()
                if self._stopping:
                    return
                self._wake.clear()
                # Busy or closing: the automatic checkpoint is the backstop.
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self._stopped.wait(self._interval)
        finally:
            connection.close()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._stopped.set()
        self._wake.set()
        if thread is not None:
            thread.join()


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
        self._checkpointer = WalCheckpointer(self.path)

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
            self._forget()  # the writes they remember are undone
            self._writer.execute("ROLLBACK")
            raise
        try:
            self._writer.execute("COMMIT")
        except BaseException:
            self._forget()
            raise
        self._checkpointer.committed()

    def _forget(self) -> None:
        self.events.forget_versions()
        self.read_models.forget_written()

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
        self._checkpointer.stop()
        with self._readers_lock:
            for connection in self._readers:
                connection.close()
            self._readers.clear()
        self._writer.close()
