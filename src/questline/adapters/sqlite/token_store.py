"""Organizer tokens on SQLite, stored as SHA-256 digests."""

import sqlite3
from collections.abc import Callable

from questline.domain.timestamps import Micros


class SqliteTokenStore:
    def __init__(
        self, writer: sqlite3.Connection, reader: Callable[[], sqlite3.Connection]
    ) -> None:
        self._writer = writer
        self._reader = reader

    def add(self, token_hash: str, role: str, created_at: Micros) -> None:
        self._writer.execute(
            "INSERT INTO api_tokens (token_hash, role, created_at) VALUES (?, ?, ?)",
            (token_hash, role, created_at),
        )

    def role_of(self, token_hash: str) -> str | None:
        row = (
            self._reader()
            .execute("SELECT role FROM api_tokens WHERE token_hash = ?", (token_hash,))
            .fetchone()
        )
        return str(row[0]) if row else None
