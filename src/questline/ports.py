"""What the engine needs from the world, as protocols. Adapters implement them.

The engine commits a batch through a `UnitOfWork`: the events, the command
records and the read-model rows with their checkpoint land together or not
at all. Every adapter passes the same conformance suite (tests/conformance).
"""

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Literal, Protocol

import msgspec

from questline.domain.events import RecordedEvent
from questline.domain.projections.rows import Changes, LeaderboardRow, Row, Table
from questline.domain.replies import Reply
from questline.domain.timestamps import Micros

Board = Literal["live", "frozen"]


class VersionConflict(Exception):
    """A writer tried to append at a version that is not the hunt's next one."""

    def __init__(self, hunt_id: str, actual: int, expected: int) -> None:
        self.hunt_id = hunt_id
        self.actual = actual
        self.expected = expected
        super().__init__(f"hunt {hunt_id} is at version {actual}, the command expected {expected}")


# gc=False: a frozen value, no cycles possible (see domain/commands.py).
class CommandRecord(msgspec.Struct, frozen=True, gc=False):
    """The first answer to a command, kept so a retry gets it again."""

    command_id: str
    hunt_id: str
    fingerprint: str
    reply: Reply
    decided_at: Micros


class Clock(Protocol):
    def now(self) -> Micros: ...


class EventLog(Protocol):
    def append(self, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        """Append in order; return them with positions. Each hunt's versions must
        continue its log exactly, or VersionConflict is raised and nothing is written."""
        ...

    def read(
        self, after: int = 0, hunt_id: str | None = None, limit: int | None = None
    ) -> Iterator[RecordedEvent]: ...

    def head(self) -> int: ...

    def version(self, hunt_id: str) -> int: ...

    def hunt_ids(self) -> list[str]: ...


class CommandLog(Protocol):
    def find(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]: ...

    def remember(self, records: Sequence[CommandRecord]) -> None: ...

    def forget_before(self, time: Micros) -> int: ...


class ReadModelStore(Protocol):
    def apply_changes(self, changes: Changes, checkpoint: int) -> bool:
        """Write the rows and the checkpoint; a change set at or below the stored
        checkpoint is ignored (returns False), so redelivery is harmless."""
        ...

    def checkpoint(self) -> int: ...

    def get(self, table: Table, hunt_id: str, key: str) -> Row | None: ...

    def rows(self, table: Table, hunt_id: str | None = None) -> Iterator[tuple[str, str, Row]]: ...

    def replace_hunt(self, hunt_id: str, rows: Changes) -> None:
        """Swap every row of one hunt for the given ones (reconciliation)."""
        ...

    def replace_all(self, rows: Changes, checkpoint: int) -> None: ...

    def leaderboard(
        self, hunt_id: str, board: Board, limit: int, offset: int, division: str | None = None
    ) -> list[LeaderboardRow]:
        """Rows in rank order (of one division's teams, when given); costs
        O(offset + limit), never a sort of all teams."""
        ...

    def rank(
        self, hunt_id: str, board: Board, team_id: str, division: str | None = None
    ) -> int | None:
        """The team's rank on the board (among its division's teams, when given)."""
        ...

    def team_by_token(self, token_hash: str) -> tuple[str, str] | None: ...


class TokenStore(Protocol):
    """Organizer tokens, by digest only: a leaked store leaks no token."""

    def add(self, token_hash: str, role: str, created_at: Micros) -> None: ...

    def role_of(self, token_hash: str) -> str | None: ...


class SnapshotRecord(msgspec.Struct, frozen=True):
    """One hunt's state at a log position, encoded by the engine.

    `checksum` is the SHA-256 of `body`; `format` names the encoding, so a
    snapshot another version of Questline wrote is discarded, never misread."""

    hunt_id: str
    version: int  # the hunt version the state includes
    position: int  # the global log position of that version's event
    format: int
    checksum: str
    taken_at: Micros
    body: bytes


class SnapshotStore(Protocol):
    """The latest snapshot of each hunt. A snapshot only speeds recovery up: losing
    one (or discarding a bad one) costs a longer replay, never correctness."""

    def save(self, snapshots: Sequence[SnapshotRecord]) -> None:
        """Keep these as their hunts' latest (replacing older ones) in one step."""
        ...

    def load_all(self) -> list[SnapshotRecord]: ...

    def delete(self, hunt_ids: Sequence[str]) -> None: ...


class PartitionSnapshotRecord(msgspec.Struct, frozen=True):
    """Every hunt of one log partition at an offset, encoded by the engine.

    `offset` is the next offset to read after restoring it: the state is the fold
    of the partition's committed messages before it. `checksum` is the SHA-256 of
    `body`."""

    partition: int
    offset: int
    format: int
    checksum: str
    taken_at: Micros
    body: bytes


class PartitionSnapshotStore(Protocol):
    """Snapshots of log partitions (the cluster shape). A snapshot is a pure function
    of the log before its offset, so any writer may save one and a bad one only costs
    a longer replay."""

    def save(self, record: PartitionSnapshotRecord) -> None:
        """Store it whole: `offsets` lists it only once all of it is written."""
        ...

    def offsets(self, partition: int) -> list[int]:
        """The offsets the partition has snapshots at, newest (highest) first."""
        ...

    def load(self, partition: int, offset: int) -> PartitionSnapshotRecord | None: ...

    def delete(self, partition: int, offset: int) -> None: ...


class EventReader(Protocol):
    def read(
        self, after: int = 0, hunt_id: str | None = None, limit: int | None = None
    ) -> Iterator[RecordedEvent]: ...


class ReadModelReader(Protocol):
    def get(self, table: Table, hunt_id: str, key: str) -> Row | None: ...

    def rows(self, table: Table, hunt_id: str | None = None) -> Iterator[tuple[str, str, Row]]: ...

    def leaderboard(
        self, hunt_id: str, board: Board, limit: int, offset: int, division: str | None = None
    ) -> list[LeaderboardRow]: ...

    def rank(
        self, hunt_id: str, board: Board, team_id: str, division: str | None = None
    ) -> int | None: ...

    def team_by_token(self, token_hash: str) -> tuple[str, str] | None: ...


class ReadSide(Protocol):
    """What the HTTP layer reads: the same in both shapes."""

    @property
    def events(self) -> EventReader: ...

    @property
    def read_models(self) -> ReadModelReader: ...

    @property
    def tokens(self) -> TokenStore: ...


class UnitOfWork(Protocol):
    @property
    def events(self) -> EventLog: ...

    @property
    def commands(self) -> CommandLog: ...

    @property
    def read_models(self) -> ReadModelStore: ...


class Store(Protocol):
    """A backend holding the log, the command records and the read models."""

    @property
    def events(self) -> EventLog: ...

    @property
    def commands(self) -> CommandLog: ...

    @property
    def read_models(self) -> ReadModelStore: ...

    @property
    def tokens(self) -> TokenStore: ...

    def transaction(self) -> AbstractContextManager[UnitOfWork]: ...

    def close(self) -> None: ...


class IncomingPhoto(msgspec.Struct, frozen=True):
    """A file in the photo folder's upload area: one arriving, or one that arrived
    (then `digest` names it) but was neither kept nor removed (a crash, a lost reply)."""

    name: str
    digest: str | None
    modified_at: float  # the file's mtime, seconds since the epoch


class PhotoFiles(Protocol):
    """The photo folder as the sweeper sees it: stored photos by digest, and uploads."""

    def stored(self) -> dict[str, float]:
        """Every stored photo's digest and mtime."""
        ...

    def incoming(self) -> list[IncomingPhoto]: ...

    def adopt(self, name: str) -> bool:
        """Store an arrived upload under its digest (False: it is gone already)."""
        ...

    def drop_incoming(self, name: str) -> bool: ...

    def drop_stored(self, digest: str, unless_modified_after: float) -> bool:
        """Remove a stored photo, unless it was written again after the given time
        (a new upload of the same bytes, kept meanwhile): False then, or when gone."""
        ...
