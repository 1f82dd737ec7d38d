"""Command records on SQLite: the first answer to each command id, kept for a
retention period so retries (also across restarts) get it again."""

import sqlite3
from collections.abc import Callable, Sequence

import msgspec

from questline.domain.replies import Reply
from questline.domain.timestamps import Micros
from questline.ports import CommandRecord

_reply_decoder = msgspec.json.Decoder(Reply)
_encoder = msgspec.json.Encoder()
_CHUNK = 500  # stays under SQLite's bound-parameter limit


class SqliteCommandLog:
    def __init__(
        self, writer: sqlite3.Connection, reader: Callable[[], sqlite3.Connection]
    ) -> None:
        self._writer = writer
        self._reader = reader

    def find(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]:
        found: dict[str, CommandRecord] = {}
        ids = list(dict.fromkeys(command_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._writer.execute(
                "SELECT command_id, hunt_id, fingerprint, reply, decided_at FROM commands"
                f" WHERE command_id IN ({marks})",
                chunk,
            )
            for command_id, hunt_id, fingerprint, reply, decided_at in rows:
                found[command_id] = CommandRecord(
                    command_id, hunt_id, fingerprint, _reply_decoder.decode(reply), decided_at
                )
        return found

    def remember(self, records: Sequence[CommandRecord]) -> None:
        self._writer.executemany(
            "INSERT OR IGNORE INTO commands (command_id, hunt_id, fingerprint, reply, decided_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (r.command_id, r.hunt_id, r.fingerprint, _encoder.encode(r.reply), r.decided_at)
                for r in records
            ],
        )

    def forget_before(self, time: Micros) -> int:
        cursor = self._writer.execute("DELETE FROM commands WHERE decided_at < ?", (time,))
        return cursor.rowcount
