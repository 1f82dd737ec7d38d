"""Read models on SQLite: one table per read model, rows as JSON (easy to
inspect with `sqlite3`), the leaderboard in typed columns behind a rank index,
team rows split into a fixed part and a small progress row (team_rows.py)."""

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator

import msgspec

from questline.adapters.sqlite import team_rows
from questline.domain.definition import HuntDefinition
from questline.domain.projections.rows import (
    ROW_TYPES,
    TABLES,
    Changes,
    HuntRow,
    LeaderboardRow,
    Row,
    Table,
    TeamRow,
)
from questline.ports import Board

CHECKPOINT = "read_models"

_BOARDS: dict[Table, Board] = {"leaderboard_live": "live", "leaderboard_frozen": "frozen"}
# Every other table but teams keeps its rows as JSON in a table of its own name.
_JSON_TABLES: dict[Table, str] = {
    table: f"rm_{table}" for table in TABLES if table not in _BOARDS and table != "teams"
}
_LB_COLUMNS = (
    "key, name, score, solved, last_scoring_version, reg_order, finish_order, finished_at, division"
)
_RANK_ORDER = "finish_order, score DESC, last_scoring_version, reg_order"
_encoder = msgspec.json.Encoder()
_decoders = {table: msgspec.json.Decoder(row_type) for table, row_type in ROW_TYPES.items()}


class _HuntRowJson(msgspec.Struct):
    """HuntRow's fields in HuntRow's order, the definition as ready JSON: encodes to
    the same bytes as the HuntRow."""

    definition: msgspec.Raw
    paused: bool
    version: int
    last_time: int
    teams: int
    teams_before_freeze: int
    revision: int
    division_teams: dict[str, int]
    division_teams_before_freeze: dict[str, int]


assert _HuntRowJson.__struct_fields__ == HuntRow.__struct_fields__


def _board_row(
    row: tuple[str, str, int, int, int, int, int, int | None, str | None],
) -> LeaderboardRow:
    return LeaderboardRow(*row)


class SqliteReadModelStore:
    def __init__(
        self, writer: sqlite3.Connection, reader: Callable[[], sqlite3.Connection]
    ) -> None:
        self._writer = writer
        self._reader = reader
        self._definitions: dict[str, tuple[HuntDefinition, msgspec.Raw]] = {}
        self._teams = team_rows.TeamRowWriter()

    def forget_written(self) -> None:
        """Drop what the writers remember storing (a rollback undid some of it)."""
        self._teams.forget()

    def checkpoint(self) -> int:
        return self._checkpoint(self._reader())

    @staticmethod
    def _checkpoint(db: sqlite3.Connection) -> int:
        row = db.execute(
            "SELECT position FROM checkpoints WHERE name = ?", (CHECKPOINT,)
        ).fetchone()
        return int(row[0]) if row else 0

    def apply_changes(self, changes: Changes, checkpoint: int) -> bool:
        db = self._writer
        if checkpoint <= self._checkpoint(db):
            return False
        self._write(db, changes)
        self._set_checkpoint(db, checkpoint)
        return True

    def _set_checkpoint(self, db: sqlite3.Connection, checkpoint: int) -> None:
        db.execute(
            "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (CHECKPOINT, checkpoint),
        )

    def _write(self, db: sqlite3.Connection, changes: Changes) -> None:
        encode = _encoder.encode
        teams: list[tuple[str, str, TeamRow]] = []
        boards: list[tuple[object, ...]] = []
        upserts: dict[Table, list[tuple[str, str, bytes]]] = defaultdict(list)
        deletes: dict[Table, list[tuple[str, str]]] = defaultdict(list)
        for (table, hunt_id, key), row in changes.items():
            if row is None:
                deletes[table].append((hunt_id, key))
            elif isinstance(row, TeamRow):
                teams.append((hunt_id, key, row))
            elif isinstance(row, LeaderboardRow):
                boards.append(
                    (
                        _BOARDS[table],
                        hunt_id,
                        key,
                        row.name,
                        row.score,
                        row.solved,
                        row.last_scoring_version,
                        row.order,
                        row.finish_order,
                        row.finished_at,
                        row.division,
                    )
                )
            elif isinstance(row, HuntRow):
                upserts[table].append((hunt_id, key, self._encode_hunt(hunt_id, row)))
            else:
                upserts[table].append((hunt_id, key, encode(row)))
        if teams:
            self._teams.write(db, teams)
        if boards:
            db.executemany(
                f"INSERT INTO rm_leaderboard (board, hunt_id, {_LB_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (board, hunt_id, key)"
                " DO UPDATE SET name = excluded.name, score = excluded.score,"
                " solved = excluded.solved, last_scoring_version = excluded.last_scoring_version,"
                " reg_order = excluded.reg_order, finish_order = excluded.finish_order,"
                " finished_at = excluded.finished_at, division = excluded.division",
                boards,
            )
        for table, values in upserts.items():
            db.executemany(
                f"INSERT INTO {_JSON_TABLES[table]} (hunt_id, key, row) VALUES (?, ?, ?)"
                " ON CONFLICT (hunt_id, key) DO UPDATE SET row = excluded.row",
                values,
            )
        for table, keys in deletes.items():
            if table in _BOARDS:
                db.executemany(
                    "DELETE FROM rm_leaderboard WHERE board = ? AND hunt_id = ? AND key = ?",
                    [(_BOARDS[table], h, k) for h, k in keys],
                )
            elif table == "teams":
                team_rows.delete(db, keys)
                self._teams.forget()
            else:
                db.executemany(
                    f"DELETE FROM {_JSON_TABLES[table]} WHERE hunt_id = ? AND key = ?", keys
                )

    def _encode_hunt(self, hunt_id: str, row: HuntRow) -> bytes:
        """A hunt row's JSON, reusing its definition's JSON: the definition never changes
        while the rest of the row changes with every event of the hunt."""
        cached = self._definitions.get(hunt_id)
        if cached is None or cached[0] is not row.definition:
            cached = (row.definition, msgspec.Raw(_encoder.encode(row.definition)))
            self._definitions[hunt_id] = cached
        return _encoder.encode(
            _HuntRowJson(
                cached[1],
                row.paused,
                row.version,
                row.last_time,
                row.teams,
                row.teams_before_freeze,
                row.revision,
                row.division_teams,
                row.division_teams_before_freeze,
            )
        )

    def get(self, table: Table, hunt_id: str, key: str) -> Row | None:
        db = self._reader()
        if table in _BOARDS:
            row = db.execute(
                f"SELECT {_LB_COLUMNS} FROM rm_leaderboard WHERE board = ? AND hunt_id = ?"
                " AND key = ?",
                (_BOARDS[table], hunt_id, key),
            ).fetchone()
            return _board_row(row) if row else None
        if table == "teams":
            return team_rows.get(db, hunt_id, key)
        found = db.execute(
            f"SELECT row FROM {_JSON_TABLES[table]} WHERE hunt_id = ? AND key = ?", (hunt_id, key)
        ).fetchone()
        return _decoders[table].decode(found[0]) if found else None

    def rows(self, table: Table, hunt_id: str | None = None) -> Iterator[tuple[str, str, Row]]:
        db = self._reader()
        where, params = ("AND hunt_id = ?", [hunt_id]) if hunt_id is not None else ("", [])
        if table in _BOARDS:
            cursor = db.execute(
                f"SELECT hunt_id, {_LB_COLUMNS} FROM rm_leaderboard WHERE board = ? {where}"
                " ORDER BY hunt_id, key",
                [_BOARDS[table], *params],
            )
            for hunt, *rest in cursor:
                yield hunt, rest[0], _board_row(tuple(rest))
            return
        if table == "teams":
            yield from team_rows.rows(db, hunt_id)
            return
        decoder = _decoders[table]
        cursor = db.execute(
            f"SELECT hunt_id, key, row FROM {_JSON_TABLES[table]} WHERE 1 = 1 {where}"
            " ORDER BY hunt_id, key",
            params,
        )
        for hunt, key, raw in cursor:
            yield hunt, key, decoder.decode(raw)

    def replace_hunt(self, hunt_id: str, rows: Changes) -> None:
        db = self._writer
        db.execute("DELETE FROM rm_leaderboard WHERE hunt_id = ?", (hunt_id,))
        self._teams.forget()
        for sql_table in (*_JSON_TABLES.values(), *team_rows.TABLES):
            db.execute(f"DELETE FROM {sql_table} WHERE hunt_id = ?", (hunt_id,))
        self._write(db, {k: v for k, v in rows.items() if k[1] == hunt_id})

    def replace_all(self, rows: Changes, checkpoint: int) -> None:
        db = self._writer
        db.execute("DELETE FROM rm_leaderboard")
        self._teams.forget()
        for sql_table in (*_JSON_TABLES.values(), *team_rows.TABLES):
            db.execute(f"DELETE FROM {sql_table}")
        self._write(db, rows)
        self._set_checkpoint(db, checkpoint)

    def leaderboard(
        self, hunt_id: str, board: Board, limit: int, offset: int, division: str | None = None
    ) -> list[LeaderboardRow]:
        only = "AND division = ?" if division is not None else ""
        params = (board, hunt_id, division) if division is not None else (board, hunt_id)
        rows = self._reader().execute(
            f"SELECT {_LB_COLUMNS} FROM rm_leaderboard WHERE board = ? AND hunt_id = ? {only}"
            f" ORDER BY {_RANK_ORDER} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_board_row(row) for row in rows]

    def rank(
        self, hunt_id: str, board: Board, team_id: str, division: str | None = None
    ) -> int | None:
        db = self._reader()
        mine = db.execute(
            "SELECT finish_order, score, last_scoring_version, reg_order FROM rm_leaderboard"
            " WHERE board = ? AND hunt_id = ? AND key = ?",
            (board, hunt_id, team_id),
        ).fetchone()
        if mine is None:
            return None
        finish, score, last, order = mine
        only = "AND division = ?" if division is not None else ""
        params = (board, hunt_id, division) if division is not None else (board, hunt_id)
        ahead = db.execute(
            f"SELECT COUNT(*) FROM rm_leaderboard WHERE board = ? AND hunt_id = ? {only} AND"
            " (finish_order < ? OR (finish_order = ? AND (score > ? OR (score = ? AND"
            " (last_scoring_version < ? OR (last_scoring_version = ? AND reg_order < ?))))))",
            (*params, finish, finish, score, score, last, last, order),
        ).fetchone()[0]
        return int(ahead) + 1

    def team_by_token(self, token_hash: str) -> tuple[str, str] | None:
        row = (
            self._reader()
            .execute("SELECT hunt_id, key FROM rm_team_tokens WHERE token_hash = ?", (token_hash,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None


assert set(_JSON_TABLES) | set(_BOARDS) | {"teams"} == set(TABLES)
