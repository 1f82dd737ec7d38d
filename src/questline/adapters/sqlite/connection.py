"""Opening a Questline SQLite file: refuse foreign or corrupt files, set WAL."""

import sqlite3
from pathlib import Path
from typing import Literal

from questline.adapters.sqlite.schema import APPLICATION_ID, DDL, SCHEMA_VERSION

Durability = Literal["normal", "full"]

# SQLite's page cache per connection, in KiB: SQLite's default, 2 MB. It was 256 MB,
# which held the whole file in the process (~1 KB per team); the OS caches the file
# anyway, and the engine bench decided as fast with 2 MB as with 256 MB
# (bench/NOTES.md, "memory").
CACHE_KIB = 2048


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


def open_connection(path: Path, durability: Durability, *, create: bool) -> sqlite3.Connection:
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise StoreError(f"{path} does not exist: load a hunt first, or check the --db path")
    try:
        connection = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        if exists and app_id != APPLICATION_ID:
            connection.close()
            raise StoreError(
                f"{path} is a SQLite database but not a Questline one "
                f"(application_id {app_id:#x}); point --db at a Questline database or a new file"
            )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={durability.upper()}")
        connection.execute("PRAGMA foreign_keys=OFF")
        # The store checkpoints the WAL on a thread of its own; the automatic
        # checkpoint (which stalls a commit to copy pages and sync the file) is only
        # the backstop, at ~160 MB of WAL.
        connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        connection.execute("PRAGMA wal_autocheckpoint=40000")
        connection.execute("PRAGMA temp_store=MEMORY")
        if exists:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                connection.close()
                raise StoreError(
                    f"{path} has schema {version}, newer than this Questline knows "
                    f"({SCHEMA_VERSION}); upgrade Questline"
                )
            if version < SCHEMA_VERSION:
                connection.close()
                raise StoreError(
                    f"{path} has schema {version}, older than this Questline's "
                    f"({SCHEMA_VERSION}); move its log over with the Questline that wrote it: "
                    "`questline export` there, then `questline import` into a new file here"
                )
        connection.executescript(DDL)  # idempotent: adds tables a newer minor version needs
        if not exists:
            connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} cannot be opened as a Questline database: {error}") from None
    return connection


def open_reader(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA query_only=ON")
    return connection
