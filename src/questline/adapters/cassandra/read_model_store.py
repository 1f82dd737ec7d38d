"""Read models on Cassandra.

Writes carry `USING TIMESTAMP` derived from the events offset they reflect, so
a replay or a late (fenced-off) projector never overwrites newer rows: the row
with the highest offset wins. The checkpoint moves by lightweight transaction,
only for the projector holding the partition's current epoch.
"""

import time
from collections.abc import Iterator, Mapping

import msgspec
from cassandra.cluster import Session
from cassandra.concurrent import execute_concurrent_with_args
from cassandra.query import PreparedStatement

from questline.adapters.cassandra.session import prepare
from questline.domain.projections.rows import (
    ROW_TYPES,
    Changes,
    HuntRow,
    LeaderboardRow,
    Row,
    Table,
    TeamRow,
)
from questline.ports import Board

_encoder = msgspec.json.Encoder()
_decoders = {table: msgspec.json.Decoder(row_type) for table, row_type in ROW_TYPES.items()}
_BOARDS: dict[str, Board] = {"leaderboard_live": "live", "leaderboard_frozen": "frozen"}
CONCURRENCY = 64
MAX_CQL_LIMIT = 2**31 - 1


class Fenced(Exception):
    """Another projector holds this partition now: stop writing for it."""


def write_timestamp(position: int, base: int = 0) -> int:
    """Cassandra's cell timestamp for rows as of a log position (offset + 1): later
    positions win, and a rewrite of the same position writes the same cells again."""
    return base + position


def wall_clock_micros() -> int:
    return time.time_ns() // 1000


def _rank_boards(board: str, row: LeaderboardRow) -> tuple[str, ...]:
    """The rank partitions a row is in: its board, and its division's own ranking."""
    return (board,) if row.division is None else (board, f"{board}/{row.division}")


def _rank_deletes(
    ts: int, hunt_id: str, board: str, before: LeaderboardRow
) -> list[tuple[object, ...]]:
    return [
        (
            ts,
            hunt_id,
            ranked,
            before.finish_order,
            -before.score,
            before.last_scoring_version,
            before.order,
            before.team_id,
        )
        for ranked in _rank_boards(board, before)
    ]


class CassandraReadModelStore:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._bases: dict[int, int] = {}  # ts_base per partition, as of the last claim
        s = session
        self._upsert: PreparedStatement = prepare(
            s, "INSERT INTO rm_rows (hunt_id, tbl, key, row) VALUES (?, ?, ?, ?) USING TIMESTAMP ?"
        )
        self._delete_row = prepare(
            s, "DELETE FROM rm_rows USING TIMESTAMP ? WHERE hunt_id = ? AND tbl = ? AND key = ?"
        )
        self._rank_insert = prepare(
            s,
            "INSERT INTO rm_rank (hunt_id, board, finish_order, neg_score, last_version,"
            " reg_order, team_id, name, score, solved, finished_at, division)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
        )
        self._rank_delete = prepare(
            s,
            "DELETE FROM rm_rank USING TIMESTAMP ? WHERE hunt_id = ? AND board = ? AND"
            " finish_order = ? AND neg_score = ? AND last_version = ? AND reg_order = ?"
            " AND team_id = ?",
        )
        self._token = prepare(
            s, "INSERT INTO team_tokens (token_hash, hunt_id, team_id) VALUES (?, ?, ?)"
        )
        self._hunt_index = prepare(s, "INSERT INTO hunt_index (bucket, hunt_id) VALUES (0, ?)")
        self._get = prepare(s, "SELECT row FROM rm_rows WHERE hunt_id = ? AND tbl = ? AND key = ?")
        self._rows = prepare(s, "SELECT key, row FROM rm_rows WHERE hunt_id = ? AND tbl = ?")
        self._board = prepare(
            s,
            "SELECT team_id, name, score, solved, last_version, reg_order, finish_order,"
            " finished_at, division FROM rm_rank WHERE hunt_id = ? AND board = ? LIMIT ?",
        )
        self._ahead = prepare(
            s,
            "SELECT COUNT(*) FROM rm_rank WHERE hunt_id = ? AND board = ? AND"
            " (finish_order, neg_score, last_version, reg_order, team_id) < (?, ?, ?, ?, ?)",
        )
        self._by_token = prepare(s, "SELECT hunt_id, team_id FROM team_tokens WHERE token_hash = ?")
        self._hunts = prepare(s, "SELECT hunt_id FROM hunt_index WHERE bucket = 0")
        self._checkpoint = prepare(
            s, "SELECT offset, epoch, ts_base FROM projection_offsets WHERE partition = ?"
        )
        self._claim_new = prepare(
            s,
            "INSERT INTO projection_offsets (partition, offset, epoch) VALUES (?, 0, ?)"
            " IF NOT EXISTS",
        )
        self._claim = prepare(
            s, "UPDATE projection_offsets SET epoch = ? WHERE partition = ? IF epoch = ?"
        )
        self._delete_table = prepare(
            s, "DELETE FROM rm_rows USING TIMESTAMP ? WHERE hunt_id = ? AND tbl = ?"
        )
        self._delete_board = prepare(
            s, "DELETE FROM rm_rank USING TIMESTAMP ? WHERE hunt_id = ? AND board = ?"
        )
        self._set_base = prepare(
            s, "UPDATE projection_offsets SET ts_base = ? WHERE partition = ? IF epoch = ?"
        )
        self._set_checkpoint = prepare(
            s, "UPDATE projection_offsets SET offset = ? WHERE partition = ?"
        )
        self._next = prepare(s, "UPDATE projection_offsets SET next_offset = ? WHERE partition = ?")
        self._read_next = prepare(
            s, "SELECT next_offset FROM projection_offsets WHERE partition = ?"
        )
        self._advance = prepare(
            s, "UPDATE projection_offsets SET offset = ? WHERE partition = ? IF epoch = ?"
        )

    # -- the projector's side --------------------------------------------------

    def claim(self, partition: int) -> tuple[int, int]:
        """Take the partition for this writer: (its new epoch, the checkpoint position —
        the offset + 1 of the last event whose rows are stored; 0 for none)."""
        while True:
            row = self.session.execute(self._checkpoint, (partition,)).one()
            if row is None:
                if self.session.execute(self._claim_new, (partition, 1)).was_applied:
                    self._bases[partition] = 0
                    return 1, 0
                continue
            epoch = int(row.epoch) + 1
            if self.session.execute(self._claim, (epoch, partition, row.epoch)).was_applied:
                self._bases[partition] = int(row.ts_base or 0)
                return epoch, int(row.offset)

    def write(
        self,
        partition: int,
        epoch: int,
        changes: Changes,
        position: int,
        previous_ranks: dict[tuple[str, str, str], LeaderboardRow],
    ) -> None:
        """Write the rows a batch changed, as of log `position`, then move the checkpoint.
        `previous_ranks` holds each team's last written leaderboard row. It is brought up
        to date only once everything is written, so a failed write can be tried again."""
        ts = write_timestamp(position, self._bases.get(partition, 0))
        ranks = self._write_rows(changes, ts, previous_ranks)
        if not self.session.execute(self._advance, (position, partition, epoch)).was_applied:
            raise Fenced(f"events partition {partition} was claimed by a newer writer")
        for key, rank in ranks.items():
            if rank is None:
                previous_ranks.pop(key, None)
            else:
                previous_ranks[key] = rank

    def _write_rows(
        self,
        changes: Changes,
        ts: int,
        previous_ranks: Mapping[tuple[str, str, str], LeaderboardRow],
    ) -> dict[tuple[str, str, str], LeaderboardRow | None]:
        """Write the rows; return the leaderboard rows now stored (None: removed)."""
        ranks: dict[tuple[str, str, str], LeaderboardRow | None] = {}
        upserts: list[tuple[object, ...]] = []
        deletes: list[tuple[object, ...]] = []
        rank_inserts: list[tuple[object, ...]] = []
        rank_deletes: list[tuple[object, ...]] = []
        tokens: list[tuple[object, ...]] = []
        hunts: list[tuple[object, ...]] = []
        hunt_rows: list[tuple[object, ...]] = []
        hunts_touched: set[str] = set()
        for (table, hunt_id, key), row in changes.items():
            hunts_touched.add(hunt_id)
            if row is None:
                deletes.append((ts, hunt_id, table, key))
                before = previous_ranks.get((table, hunt_id, key))
                ranks[(table, hunt_id, key)] = None
                if before is not None and table in _BOARDS:
                    rank_deletes.extend(_rank_deletes(ts, hunt_id, _BOARDS[table], before))
                continue
            if isinstance(row, HuntRow):
                # The hunt row (its version) goes last: once a reader sees the version,
                # every other row of the batch is there too (read-your-writes waits on it).
                hunt_rows.append((hunt_id, table, key, _encoder.encode(row), ts))
                continue
            upserts.append((hunt_id, table, key, _encoder.encode(row), ts))
            if isinstance(row, LeaderboardRow):
                board = _BOARDS[table]
                before = previous_ranks.get((table, hunt_id, key))
                if before is not None and before.sort_key() != row.sort_key():
                    rank_deletes.extend(_rank_deletes(ts, hunt_id, board, before))
                for ranked in _rank_boards(board, row):
                    rank_inserts.append(
                        (
                            hunt_id,
                            ranked,
                            row.finish_order,
                            -row.score,
                            row.last_scoring_version,
                            row.order,
                            key,
                            row.name,
                            row.score,
                            row.solved,
                            row.finished_at,
                            row.division,
                            ts,
                        )
                    )
                ranks[(table, hunt_id, key)] = row
            elif isinstance(row, TeamRow):
                tokens.extend((token, hunt_id, key) for token in row.tokens)
        hunts = [(hunt_id,) for hunt_id in sorted(hunts_touched)]
        for statement, values in (
            (self._upsert, upserts),
            (self._delete_row, deletes),
            (self._rank_delete, rank_deletes),
            (self._rank_insert, rank_inserts),
            (self._token, tokens),
            (self._hunt_index, hunts),
            (self._upsert, hunt_rows),
        ):
            if values:
                execute_concurrent_with_args(
                    self.session,
                    statement,
                    values,
                    concurrency=CONCURRENCY,
                    raise_on_first_error=True,
                )
        return ranks

    def mark_read_to(self, partition: int, next_offset: int) -> None:
        """How far the projector has read the partition (past transaction markers too):
        the high watermark minus this is the projection lag."""
        self.session.execute(self._next, (next_offset, partition))

    def read_to(self, partition: int) -> int:
        row = self.session.execute(self._read_next, (partition,)).one()
        return int(row.next_offset) if row is not None and row.next_offset is not None else 0

    def checkpoint(self, partition: int = 0) -> int:
        """The position (offset + 1) of the last event whose rows are stored; 0 for none."""
        row = self.session.execute(self._checkpoint, (partition,)).one()
        return int(row.offset) if row is not None else 0

    # -- the port's generic writes (tests, reconciliation, rebuilds) --------------

    def apply_changes(self, changes: Changes, checkpoint: int, partition: int = 0) -> bool:
        epoch, stored = self.claim(partition)
        if checkpoint <= stored:
            return False
        self.write(partition, epoch, changes, checkpoint, self._stored_ranks(changes))
        return True

    def _stored_ranks(self, changes: Changes) -> dict[tuple[str, str, str], LeaderboardRow]:
        ranks: dict[tuple[str, str, str], LeaderboardRow] = {}
        for table, hunt_id, key in changes:
            if table in _BOARDS:
                row = self.get(table, hunt_id, key)
                if isinstance(row, LeaderboardRow):
                    ranks[(table, hunt_id, key)] = row
        return ranks

    def replace_hunt(
        self, hunt_id: str, rows: Changes, partition: int = 0, epoch: int | None = None
    ) -> None:
        """Swap every row of one hunt for `rows` (as of the stored checkpoint).

        The delete and the writes are stamped past the wall clock, so they beat any
        row written by hand (cqlsh stamps the current time); the partition's
        `ts_base` first moves past them (only while `epoch`, when given, still holds
        the partition: a fenced projector's heal raises Fenced and writes nothing),
        so every later batch is stamped past the heal. Only the partition's writer
        may call this: a writer in another process would keep its old base."""
        row = self.session.execute(self._checkpoint, (partition,)).one()
        if row is None:  # nothing written yet: make the row the guard needs
            self.claim(partition)
            row = self.session.execute(self._checkpoint, (partition,)).one()
        position = int(row.offset) if row is not None else 0
        base = int(row.ts_base or 0) if row is not None else 0
        holder = epoch if epoch is not None else (int(row.epoch) if row is not None else 0)
        remove = max(wall_clock_micros(), write_timestamp(position, base) + 1)
        new_base = remove + 1 - position  # position + 1 is stamped remove + 2
        if not self.session.execute(self._set_base, (new_base, partition, holder)).was_applied:
            raise Fenced(f"events partition {partition} was claimed by a newer writer")
        self._bases[partition] = new_base
        mine = {key: row for key, row in rows.items() if key[1] == hunt_id}
        divisions = {
            division.id
            for row in (self.get("hunts", hunt_id, hunt_id), *mine.values())
            if isinstance(row, HuntRow)
            for division in row.definition.divisions
        }
        for table in ROW_TYPES:
            self.session.execute(self._delete_table, (remove, hunt_id, table))
        for board in ("live", "frozen"):
            for ranked in (board, *(f"{board}/{d}" for d in sorted(divisions))):
                self.session.execute(self._delete_board, (remove, hunt_id, ranked))
        self._write_rows(mine, remove + 1, {})

    def _stored_base(self, partition: int) -> int:
        row = self.session.execute(self._checkpoint, (partition,)).one()
        return int(row.ts_base or 0) if row is not None else 0

    def replace_all(self, rows: Changes, checkpoint: int, partition: int = 0) -> None:
        for table in ("rm_rows", "rm_rank", "team_tokens", "hunt_index"):
            self.session.execute(f"TRUNCATE {table}")
        self._write_rows(rows, write_timestamp(checkpoint, self._stored_base(partition)), {})
        self.session.execute(self._set_checkpoint, (checkpoint, partition))

    # -- reads --------------------------------------------------------------

    def get(self, table: Table, hunt_id: str, key: str) -> Row | None:
        row = self.session.execute(self._get, (hunt_id, table, key)).one()
        return _decoders[table].decode(row.row) if row is not None else None

    def rows(self, table: Table, hunt_id: str | None = None) -> Iterator[tuple[str, str, Row]]:
        hunt_ids = [hunt_id] if hunt_id is not None else self.hunt_ids()
        decoder = _decoders[table]
        for hunt in hunt_ids:
            for row in self.session.execute(self._rows, (hunt, table)):
                yield hunt, row.key, decoder.decode(row.row)

    def hunt_ids(self) -> list[str]:
        return sorted(row.hunt_id for row in self.session.execute(self._hunts))

    def leaderboard(
        self, hunt_id: str, board: Board, limit: int, offset: int, division: str | None = None
    ) -> list[LeaderboardRow]:
        if offset >= MAX_CQL_LIMIT:
            return []  # no board holds two billion teams
        wanted = min(offset + limit, MAX_CQL_LIMIT)  # CQL's LIMIT is a 32-bit int
        partition = board if division is None else f"{board}/{division}"
        rows = list(self.session.execute(self._board, (hunt_id, partition, wanted)))
        return [
            LeaderboardRow(
                r.team_id,
                r.name,
                r.score,
                r.solved,
                r.last_version,
                r.reg_order,
                r.finish_order,
                r.finished_at,
                r.division,
            )
            for r in rows[offset:]
        ]

    def rank(
        self, hunt_id: str, board: Board, team_id: str, division: str | None = None
    ) -> int | None:
        table: Table = "leaderboard_live" if board == "live" else "leaderboard_frozen"
        mine = self.get(table, hunt_id, team_id)
        if not isinstance(mine, LeaderboardRow):
            return None
        partition = board if division is None else f"{board}/{division}"
        ahead = self.session.execute(
            self._ahead,
            (
                hunt_id,
                partition,
                mine.finish_order,
                -mine.score,
                mine.last_scoring_version,
                mine.order,
                team_id,
            ),
        ).one()
        return int(ahead[0]) + 1

    def team_by_token(self, token_hash: str) -> tuple[str, str] | None:
        row = self.session.execute(self._by_token, (token_hash,)).one()
        if row is None:
            return None
        # The index is only a hint: the team's row must still carry this token.
        team = self.get("teams", row.hunt_id, row.team_id)
        if not isinstance(team, TeamRow) or token_hash not in team.tokens:
            return None  # revoked (or an index entry left by a replaced row)
        return (row.hunt_id, row.team_id)
