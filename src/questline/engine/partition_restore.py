"""Rebuilding a partition writer's memory: the decision state of every hunt in the
partition AND the window of recent command records, from the newest usable
partition snapshot and the log after it."""

import time
from dataclasses import dataclass

from questline.domain.events import RecordedEvent
from questline.domain.timestamps import Micros
from questline.engine.batch_decider import BatchDecider
from questline.engine.command_window import CommandWindow
from questline.engine.partition_snapshots import deciders_of, window_of
from questline.engine.snapshot_keeper import newest_usable
from questline.ports import CommandRecord, PartitionLog, PartitionSnapshotStore

# Records are handed to the window in chunks: one call per record costs more.
_CHUNK = 4_096


@dataclass(frozen=True)
class WindowSize:
    """How much of the command stream a writer remembers (engine/command_window.py):
    `capacity` records in full, and every id of the last `retention` of log time."""

    capacity: int = 100_000
    retention: Micros = 86_400_000_000


@dataclass(frozen=True)
class Restored:
    decider: BatchDecider
    snapshot_offset: int | None  # None: replayed from the start
    replayed: int  # messages read after the snapshot
    seconds: float


def restore_partition(
    log: PartitionLog, snapshots: PartitionSnapshotStore | None, size: WindowSize
) -> Restored:
    """The newest snapshot that opens cleanly (its states and window), then every
    entry of the log after its offset: events fold into the states, command records
    into the window, so the window knows every command id of its span."""
    started = time.perf_counter()
    window = CommandWindow(size.capacity, size.retention)
    decider = BatchDecider(window=window)
    replayed = 0
    pending: list[CommandRecord] = []

    def fold(recorded: RecordedEvent) -> None:
        nonlocal replayed
        replayed += 1
        decider.fold(recorded)

    def remember(record: CommandRecord) -> None:
        nonlocal replayed
        replayed += 1
        pending.append(record)
        if len(pending) >= _CHUNK:
            window.add(pending)
            pending.clear()

    body = newest_usable(snapshots, log.partition) if snapshots is not None else None
    start = 0
    if body is not None:
        decider.states = deciders_of(body)
        window.load(window_of(body))
        start = body.offset
    log.read(fold, remember, start=start)
    window.add(pending)
    return Restored(
        decider,
        body.offset if body is not None else None,
        replayed,
        time.perf_counter() - started,
    )
