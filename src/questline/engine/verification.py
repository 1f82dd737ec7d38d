"""`verify` and `replay`: the read models against a from-scratch fold of the log.

verify proves every hunt's hash chain holds and the stored rows equal a replay,
naming the first event whose hash does not follow and every differing row and
field; replay rebuilds the rows from the log in one transaction.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import msgspec

from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import ChainBreak, ChainChecker
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import TABLES, Changes, Row, Table
from questline.ports import ReadModelReader, Store

Progress = Callable[[int, int], None]


class Difference(msgspec.Struct, frozen=True):
    table: Table
    hunt_id: str
    key: str
    field: str | None  # None: the whole row is missing on one side
    stored: Any
    replayed: Any

    def describe(self) -> str:
        where = f"{self.table} row (hunt {self.hunt_id}, key {self.key})"
        if self.field is None:
            if self.stored is None:
                return f"{where}: missing from the store; a replay has it"
            return f"{where}: in the store, but a replay does not produce it"
        return f"{where}: {self.field} is {self.stored!r} in the store, {self.replayed!r} by replay"

    def location(self) -> str:
        """Where, never the values (a hunt row holds the answers)."""
        return f"{self.table} (hunt {self.hunt_id}, key {self.key}) {self.field or 'whole row'}"


# What verify finds: a broken hash chain, or a read model that differs from a replay.
Finding = ChainBreak | Difference


def fold_rows(
    events: Iterable[RecordedEvent],
    total: int = 0,
    progress: Progress | None = None,
    chains: ChainChecker | None = None,
) -> tuple[Changes, int]:
    """Every read-model row a replay of `events` produces, and the last position;
    `chains` checks the hash chains on the way."""
    projector = Projector()
    rows: Changes = {}
    last = 0
    for count, recorded in enumerate(events, start=1):
        if chains is not None:
            chains.check(recorded)
        projector.apply(recorded)
        last = recorded.position
        if count % 50_000 == 0:
            rows.update(projector.take_changes())  # keep the audit feed's pending rows small
            if progress is not None:
                progress(count, total)
    rows.update(projector.take_changes())
    if progress is not None:
        progress(total, total)
    return rows, last


def verify(
    store: Store, hunt_id: str | None = None, progress: Progress | None = None
) -> list[Finding]:
    """Every broken chain (its first bad version) and every differing row."""
    log = store.events
    chains = ChainChecker()
    expected, _ = fold_rows(log.read(hunt_id=hunt_id), log.head(), progress, chains)
    differences: list[Finding] = [chains.breaks[h] for h in sorted(chains.breaks)]
    by_table: dict[Table, dict[tuple[str, str], Row | None]] = {table: {} for table in TABLES}
    for (table, hunt, key), row in expected.items():
        by_table[table][(hunt, key)] = row
    for table in TABLES:
        wanted = by_table[table]
        for hunt, key, stored in store.read_models.rows(table, hunt_id):
            replayed = wanted.pop((hunt, key), None)
            if stored != replayed:  # equal rows (nearly all) need no field by field look
                differences.extend(compare_rows(table, hunt, key, stored, replayed))
        for (hunt, key), replayed in sorted(wanted.items()):
            differences.extend(compare_rows(table, hunt, key, None, replayed))
    return differences


def compare_rows(
    table: Table, hunt_id: str, key: str, stored: Row | None, replayed: Row | None
) -> list[Difference]:
    if stored is None or replayed is None:
        return [Difference(table, hunt_id, key, None, stored, replayed)]
    if stored == replayed:
        return []
    a = msgspec.to_builtins(stored)
    b = msgspec.to_builtins(replayed)
    return [
        Difference(table, hunt_id, key, name, a.get(name), b.get(name))
        for name in sorted(set(a) | set(b))
        if a.get(name) != b.get(name)
    ]


def hunt_differences(
    read_models: ReadModelReader,
    hunt_id: str,
    expected: Changes,
    tables: Sequence[Table] = TABLES,
) -> list[Difference]:
    """Stored rows of one hunt in `tables` against `expected` (every row a replay
    produces for them)."""
    differences: list[Difference] = []
    for table in tables:
        wanted = {k: row for (t, h, k), row in expected.items() if t == table and h == hunt_id}
        for hunt, key, stored in read_models.rows(table, hunt_id):
            differences.extend(compare_rows(table, hunt, key, stored, wanted.pop(key, None)))
        for key, replayed in sorted(wanted.items()):
            differences.extend(compare_rows(table, hunt_id, key, None, replayed))
    return differences


def replay(store: Store, progress: Progress | None = None) -> int:
    """Rebuild every read model from the log; return the number of rows written."""
    log = store.events
    rows, last = fold_rows(log.read(), log.head(), progress)
    with store.transaction() as uow:
        uow.read_models.replace_all(rows, last)
    return len(rows)


def heal_hunt(store: Store, hunt_id: str) -> int:
    """Rebuild one hunt's read models from its events; return the rows written."""
    rows, _ = fold_rows(store.events.read(hunt_id=hunt_id))
    with store.transaction() as uow:
        uow.read_models.replace_hunt(hunt_id, rows)
    return len(rows)
