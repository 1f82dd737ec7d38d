"""What the engine needs from the world, as protocols. Adapters implement them.

The embedded engine commits a batch through a `UnitOfWork`: the events, the
command records and the read-model rows with their checkpoint land together or
not at all. Every adapter passes the same conformance suite (tests/conformance).
Only the domain is imported here: ports are what the engine and the adapters
agree on, so neither needs the other.
"""

import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Literal, Protocol

import msgspec

from questline.domain.commands import Command
from questline.domain.events import RecordedEvent
from questline.domain.projections.rows import Changes, LeaderboardRow, Row, Table
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply
from questline.domain.timestamps import Micros

Board = Literal["live", "frozen"]

# How hunts are spread over a log's partitions: the hash's name, recorded with the
# data beside the partition count, so a process with another scheme refuses to run.
PARTITION_HASH = "crc32"


def partition_of(hunt_id: str, partitions: int) -> int:
    """The one partition that owns a hunt: a stable hash, the same in every process."""
    return zlib.crc32(hunt_id.encode("utf-8")) % partitions


class PartitionScheme(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How a log spreads hunts over its partitions. Part of the data: a hunt's events
    and commands are where this scheme put them, so a log is read and written with
    the scheme it was written with, or moved to another by export and import."""

    hash: str
    partitions: int

    def describe(self) -> str:
        return f"{self.hash}(hunt id) % {self.partitions}"


class PartitioningMismatch(Exception):
    """The log was written with another partitioning scheme than the one configured."""

    def __init__(self, recorded: PartitionScheme, configured: PartitionScheme) -> None:
        self.recorded = recorded
        self.configured = configured
        super().__init__(
            f"the log is partitioned by {recorded.describe()}, the configuration says"
            f" {configured.describe()}: set the partition count to {recorded.partitions},"
            " or move the log to the new count (export, then import into a new cluster:"
            " docs/cluster.md)"
        )


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


# gc=False: a frozen value, no cycles possible (see domain/commands.py).
class CommandEnvelope(msgspec.Struct, frozen=True, gc=False):
    """A command on its way in."""

    command_id: str
    command: Command
    # What the request looked like, so a reused id with another request is caught.
    fingerprint: str = ""
    correlation_id: str = ""
    # Keep the first answer for retries (callers that can retry with this id).
    remember: bool = True


class Outcome(msgspec.Struct, frozen=True, gc=False):
    """What the engine hands back for a command, once it is durable. `events` are the
    command's events as appended; their `position` is 0 where the log gives positions
    only as it commits (Kafka): their versions say where they are in their hunt."""

    command_id: str
    reply: Reply | None = None
    rejection: Rejection | None = None
    replayed: bool = False
    events: tuple[RecordedEvent, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.reply is not None


# Told of every committed batch, on the writer's thread: must not block.
BatchListener = Callable[[list[Outcome], Changes], None]


class Overloaded(Exception):
    """The command queue is full: shed load instead of queueing without bound."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        super().__init__(f"the engine has {depth} commands waiting; try again shortly")


class EngineStopped(Exception):
    pass


class CommandBus(Protocol):
    """Where the HTTP layer sends commands: the embedded group commit, or Kafka."""

    listeners: list[BatchListener]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...

    @property
    def depth(self) -> int:
        """Commands accepted but not yet answered (for load shedding and metrics)."""
        ...

    def submit(self, envelope: CommandEnvelope) -> Future[Outcome]:
        """Queue a command; raise Overloaded or EngineStopped instead of queueing forever."""
        ...


# Failures that are one command's fault, not the store's. A value the store cannot
# hold fails the transaction of the whole batch it came in (one solve of a clue
# worth 2^62 points once made every unrelated command of its batch fail with 503),
# so a writer that meets one of these looks for the command at fault and refuses it
# alone: the embedded engine after a trial run of the batch, a partition writer by
# the message that failed to encode or produce (`UnwritableCommand`). Errors of the
# store itself (disk full, I/O, a lock, a fence) are not listed: they fail the
# batch and every caller is told.
UNWRITABLE_ERRORS: tuple[type[Exception], ...] = (
    OverflowError,  # an integer past what the store or the encoding holds
    ValueError,  # text that cannot be encoded (UnicodeEncodeError), a bad value
    TypeError,  # a value of a type the store cannot bind
    msgspec.EncodeError,
)


def reason_of(error: BaseException) -> str:
    """The error, short, for the refusal a client reads."""
    return f"{type(error).__name__}: {error}"[:300]


class UnwritableCommand(Exception):
    """A command whose events, record or reply a log cannot take (it cannot be
    encoded, or is larger than the log accepts): nothing of the append was kept."""

    def __init__(self, command_id: str, reason: str) -> None:
        self.command_id = command_id
        self.reason = reason
        super().__init__(f"command {command_id} cannot be written: {reason}")


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


class Fenced(Exception):
    """A newer writer opened the partition: this one may no longer append to it, and
    nothing of the append that raised this was kept."""


class AppendFailed(Exception):
    """The log did not take an append (a broker or disk error, a timeout): nothing of it
    was kept. The writer rebuilds its state from the log and goes back to the command
    after the last one the log says it consumed."""


class IncomingCommand(msgspec.Struct, frozen=True, gc=False):
    """A command as a partition writer receives it from its command stream."""

    position: int  # where it stands in the partition's command stream
    value: bytes  # as it arrived: a dead letter copies it
    key: bytes | None = None
    envelope: CommandEnvelope | None = None  # None: see `problem`, or a restore request
    reply_to: str | None = None  # where its answer goes (None: nobody waits for it)
    problem: str | None = None  # why it could not be read as a command
    # A request (not a command): restore the partition if its state came from a
    # snapshot at one of these offsets (a snapshot audit discarded them).
    restore: tuple[int, ...] | None = None


class SetAside(msgspec.Struct, frozen=True, gc=False):
    """A command the writer could not decide or write: kept aside with why."""

    command: IncomingCommand
    stage: str  # "decode command", "decide" or "produce"
    error: str


class Answer(msgspec.Struct, frozen=True, gc=False):
    outcome: Outcome
    reply_to: str | None


class LogAppend(msgspec.Struct, frozen=True, gc=False):
    """One decided batch of a partition, appended all or nothing."""

    events: list[RecordedEvent]
    records: list[CommandRecord]
    answers: list[Answer]
    set_aside: list[SetAside]
    consumed: int  # the command position after the batch: everything before it is done


OnEvent = Callable[[RecordedEvent], None]
OnRecord = Callable[[CommandRecord], None]


class PartitionLog(Protocol):
    """One partition of the log as its single writer sees it: the events of the hunts
    it holds, the command records (first answers) among them, and how far the writer
    got in its command stream. SQLite holds one partition in one file and appends in
    one transaction; Kafka appends in one transaction of the partition's producer.

    Positions are offsets: the first entry is at 0, and `read` returns the offset after
    the last entry it read. An event read back has `position` = its offset + 1 (1 for
    the first), as in the embedded log."""

    @property
    def partition(self) -> int: ...

    def fence(self) -> None:
        """Become the partition's one writer: every earlier writer's appends fail with
        Fenced from now on, and what one of them left unfinished is discarded."""
        ...

    def append(self, batch: LogAppend) -> float:
        """The events (each hunt's versions continuing its log), the records, the
        answers, the set-aside commands and the consumed position: all or nothing.
        Raises Fenced, UnwritableCommand (naming the command whose data the log cannot
        take) or AppendFailed; after any of them nothing of the batch is kept.
        Returns the seconds the commit itself took (for the commit-latency metric)."""
        ...

    def read(
        self,
        on_event: OnEvent,
        on_record: OnRecord | None = None,
        *,
        start: int = 0,
        end: int | None = None,
        hunt_id: str | None = None,
    ) -> int:
        """Feed every entry from offset `start` up to the end as it stands now (or only
        those before `end`), in log order; only one hunt's with `hunt_id`. Returns the
        offset to read from next."""
        ...

    def consumed(self) -> int:
        """The command position of the last batch appended (0: none yet)."""
        ...

    def close(self) -> None: ...


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
