"""Team rows on SQLite, split by how often they change.

`rm_teams` holds what registration fixes (name, order, token, time) in typed
columns, written once per team. `rm_team_progress` holds the rest as a short
JSON array, rewritten on each of the team's events. Most events are wrong
answers, so a batch rewrites many teams' rows: small rows mean few pages, and
pages (WAL frames) are what a commit pays for.
"""

import sqlite3
from array import array
from collections.abc import Iterator, Sequence

import msgspec

from questline.domain.projections.rows import AdjustmentNote, MessageNote, ReviewNote, TeamRow


class _Progress(msgspec.Struct, array_like=True):
    """TeamRow's changing fields, in TeamRow's order (a test checks it against TeamRow)."""

    solved: dict[str, int]
    wrong: dict[str, int]
    hints: list[tuple[str, str]]
    pending: dict[str, str]
    hint_costs: int
    adjustments: int
    penalties: int
    division: str | None
    tokens: list[str]
    parts: dict[str, list[str]]
    kept_open: list[str]
    reviews: list[ReviewNote]
    adjustment_notes: list[AdjustmentNote]
    messages: list[MessageNote]


FIXED = ("team_id", "name", "order", "token_hash", "registered_at")
PROGRESS: tuple[str, ...] = _Progress.__struct_fields__
assert TeamRow.__struct_fields__ == FIXED + PROGRESS


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Progress).decode

# A fixed part equal to the stored one dirties no page.
UPSERT_FIXED = (
    "INSERT INTO rm_teams (hunt_id, key, token_hash, name, reg_order, registered_at)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hunt_id, key) DO UPDATE SET"
    " token_hash = excluded.token_hash, name = excluded.name, reg_order = excluded.reg_order,"
    " registered_at = excluded.registered_at"
    " WHERE (token_hash, name, reg_order, registered_at) IS NOT"
    " (excluded.token_hash, excluded.name, excluded.reg_order, excluded.registered_at)"
)
UPSERT_PROGRESS = (
    "INSERT INTO rm_team_progress (hunt_id, key, progress) VALUES (?, ?, ?)"
    " ON CONFLICT (hunt_id, key) DO UPDATE SET progress = excluded.progress"
)
SELECT = (
    "SELECT t.hunt_id, t.key, t.token_hash, t.name, t.reg_order, t.registered_at, p.progress"
    " FROM rm_teams t JOIN rm_team_progress p ON p.hunt_id = t.hunt_id AND p.key = t.key"
)
TABLES = ("rm_teams", "rm_team_progress", "rm_team_tokens")
_MEMO_LIMIT = 1 << 24  # registration orders remembered (16M teams a hunt, 128 MiB)
INSERT_TOKEN = "INSERT OR REPLACE INTO rm_team_tokens (token_hash, hunt_id, key) VALUES (?, ?, ?)"
DELETE_TOKENS = "DELETE FROM rm_team_tokens WHERE hunt_id = ? AND key = ?"


class TeamRowWriter:
    """Upserts team rows: the progress always, the fixed part and the tokens only when
    they differ from what this writer last stored for the team (most batches: never).

    What was stored is remembered as one 8-byte hash per team, in an array per hunt
    indexed by the team's registration order (a dict of ints cost ~62 B a team, the
    values themselves ~290 B): a team whose fixed part or tokens changed has both
    written again, and the fixed part's upsert dirties no page when it is unchanged.
    The hash covers the team's key, so two rows that claim one order only make each
    other written again. Two different values with one hash (a chance of 2**-64 per
    change) would leave the older one stored.

    The memory of what was stored is only as good as the transactions it saw:
    the store calls `forget` on a rollback and on any bulk delete."""

    def __init__(self) -> None:
        # hunt -> the hash of what was stored, by registration order (0: nothing known)
        self._stored: dict[str, array[int]] = {}

    def forget(self) -> None:
        self._stored.clear()

    def write(self, db: sqlite3.Connection, rows: Sequence[tuple[str, str, TeamRow]]) -> None:
        stored = self._stored
        fixed: list[tuple[str, str, str, str, int, int]] = []
        progress: list[tuple[str, str, bytes]] = []
        # One executemany each for the whole batch (a replay writes every team at once):
        # a team's old tokens go before any new one is written.
        retired: list[tuple[str, str]] = []
        issued: list[tuple[str, str, str]] = []
        for hunt_id, key, r in rows:
            known = stored.get(hunt_id)
            if known is None:
                known = stored[hunt_id] = array("q")
            stamp = hash((key, r.token_hash, r.name, r.order, r.registered_at, *r.tokens)) or 1
            order = r.order
            remembered = 0 <= order < _MEMO_LIMIT  # else an order no registration gives
            if remembered and order >= len(known):
                known.frombytes(bytes(8 * (order + 1 - len(known))))
            if not remembered or known[order] != stamp:
                fixed.append((hunt_id, key, r.token_hash, r.name, r.order, r.registered_at))
                retired.append((hunt_id, key))
                issued.extend((token, hunt_id, key) for token in r.tokens)
                if remembered:
                    known[order] = stamp
            # A tuple encodes as the same JSON array as _Progress, without building one.
            progress.append(
                (
                    hunt_id,
                    key,
                    _encode(
                        (
                            r.solved,
                            r.wrong,
                            r.hints,
                            r.pending,
                            r.hint_costs,
                            r.adjustments,
                            r.penalties,
                            r.division,
                            r.tokens,
                            r.parts,
                            r.kept_open,
                            r.reviews,
                            r.adjustment_notes,
                            r.messages,
                        )
                    ),
                )
            )
        if retired:
            db.executemany(DELETE_TOKENS, retired)
            db.executemany(INSERT_TOKEN, issued)
        if fixed:
            db.executemany(UPSERT_FIXED, fixed)
        db.executemany(UPSERT_PROGRESS, progress)


def delete(db: sqlite3.Connection, keys: Sequence[tuple[str, str]]) -> None:
    for table in TABLES:
        db.executemany(f"DELETE FROM {table} WHERE hunt_id = ? AND key = ?", keys)


def _row(key: str, token_hash: str, name: str, order: int, at: int, progress: str) -> TeamRow:
    p = _decode(progress)
    return TeamRow(key, name, order, token_hash, at, *msgspec.structs.astuple(p))


def get(db: sqlite3.Connection, hunt_id: str, key: str) -> TeamRow | None:
    found = db.execute(f"{SELECT} WHERE t.hunt_id = ? AND t.key = ?", (hunt_id, key)).fetchone()
    return _row(*found[1:]) if found else None


def rows(db: sqlite3.Connection, hunt_id: str | None) -> Iterator[tuple[str, str, TeamRow]]:
    where, params = ("WHERE t.hunt_id = ?", (hunt_id,)) if hunt_id is not None else ("", ())
    for hunt, key, *rest in db.execute(f"{SELECT} {where} ORDER BY t.hunt_id, t.key", params):
        yield hunt, key, _row(key, *rest)
