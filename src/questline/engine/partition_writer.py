"""The engine over one partition of a log: what a cluster worker runs for each
partition it owns (cluster/worker.py hands it the Kafka log), and what the tests
run over a SQLite one.

`open` fences every earlier writer of the partition and restores memory (the
decision state and the window of recent command records: engine/partition_restore.py).
`handle` decides a batch of commands in memory with the same `BatchDecider` the
embedded engine uses, asking no store about command ids: the window knows every id
of its span, and only a retry of a command that fell out of it for room is looked
up in the archive behind it. Then the batch is appended in one atomic step: events,
command records, answers, set-aside commands and the consumed position.

A command the rules cannot decide (the decider raises) is set aside (stage
`decide`), found by deciding the batch again one by one; a command whose data the
log cannot take (`UnwritableCommand`) is set aside (stage `produce`) and answered
422 `unwritable_command`, and the batch is decided again without it. An append the
log refuses for any other reason leaves memory rebuilt from the log and raises
AppendFailed: the caller goes back to `log.consumed()` in its command stream.
Fenced means a newer writer owns the partition: the caller lets it go.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import NoReturn

from questline.domain.rejections import unwritable_command
from questline.engine.batch_decider import BatchDecider, DecidedBatch, Lookup, with_events
from questline.engine.partition_restore import WindowSize, restore_partition
from questline.observability import metrics
from questline.observability.cluster import WorkerObserver
from questline.ports import (
    Answer,
    AppendFailed,
    Clock,
    CommandEnvelope,
    CommandRecord,
    IncomingCommand,
    LogAppend,
    Outcome,
    PartitionLog,
    PartitionSnapshotStore,
    SetAside,
    UnwritableCommand,
)

log = logging.getLogger(__name__)

# The dead-letter stages a writer sets commands aside at.
DECODE_STAGE = "decode command"
DECIDE_STAGE = "decide"
UNWRITABLE_STAGE = "produce"


class ArchiveUnavailable(Exception):
    """The archive behind the window did not answer: the batch is tried again later."""


class PartitionWriter:
    def __init__(
        self,
        log: PartitionLog,
        clock: Clock,
        *,
        snapshots: PartitionSnapshotStore | None = None,
        archive: Lookup | None = None,
        window: WindowSize | None = None,
        observer: WorkerObserver | None = None,
    ) -> None:
        self.log = log
        self.clock = clock
        self.snapshots = snapshots
        self.archive = archive
        self.window = window or WindowSize()
        self.observer = observer
        self.decider = BatchDecider(window=None)
        self.restored_from: int | None = None  # the snapshot offset memory came from
        self.archive_lookups = 0  # ids looked up behind the window (retries of old ones)

    @property
    def partition(self) -> int:
        return self.log.partition

    def open(self) -> None:
        """Fence earlier writers, then restore memory from the log."""
        self.log.fence()
        self.restore()

    def restore(self) -> None:
        restored = restore_partition(self.log, self.snapshots, self.window)
        self.decider = restored.decider
        self.restored_from = restored.snapshot_offset
        if self.observer is not None:
            self.observer.restored(
                self.partition,
                restored.seconds,
                snapshot_offset=restored.snapshot_offset,
                replayed=restored.replayed,
            )

    # -- one batch ----------------------------------------------------------------------

    def handle(self, commands: Sequence[IncomingCommand]) -> list[Answer]:
        """Decide and append a batch of the partition's commands, in order; the answers
        appended (each outcome with where it goes). Raises Fenced (let the partition
        go) or AppendFailed (memory is rebuilt; go back to `log.consumed()`)."""
        if not commands:
            return []
        self._restore_if_discarded(commands)
        now = self.clock.now()
        set_aside: dict[str, str] = {}  # command id -> why its data cannot be written
        while True:
            if self.observer is not None:
                self.observer.begin(self.partition)
            try:
                batch, records = self._decide(commands, now, set_aside)
                commit_seconds = self.log.append(batch)
                break
            except UnwritableCommand as bad:
                if bad.command_id in set_aside or not bad.command_id:
                    # Set aside already, yet named again: not this command's fault.
                    self._failed(f"{bad} again")
                # The batch's events were evolved into memory: rebuild it and decide
                # the batch again without that command.
                set_aside[bad.command_id] = bad.reason
                self.restore()
            except AppendFailed as error:
                self._failed(str(error))
            except ArchiveUnavailable as error:
                self._failed(f"the archive of command records did not answer: {error}")
        if self.observer is not None:
            self.observer.committed(self.partition, commit_seconds)
            # Counted once appended: a batch decided again after a failure letters again.
            for aside in batch.set_aside:
                self.observer.dead_letter(
                    aside.stage, self.partition, aside.command.position, aside.error
                )
                if aside.stage == UNWRITABLE_STAGE:
                    metrics.UNWRITABLE_COMMANDS.inc()
        self.decider.committed(records)
        return batch.answers

    def _restore_if_discarded(self, commands: Sequence[IncomingCommand]) -> None:
        """Restore again if a restore request in the batch lists the snapshot memory
        came from (a snapshot audit found it wrong)."""
        discarded: set[int] = set()
        for command in commands:
            discarded.update(command.restore or ())
        source = self.restored_from
        if source is None or source not in discarded:
            return
        log.warning(
            "its state of partition %d came from the snapshot at offset %d, which an audit"
            " discarded; restoring again",
            self.partition,
            source,
        )
        self.restore()

    def _failed(self, why: str) -> NoReturn:
        """Nothing of the batch was kept: memory ran ahead of the log; rebuild it."""
        if self.observer is not None:
            self.observer.aborted(self.partition)
        log.warning("partition %d: %s; rebuilding it from the log", self.partition, why)
        self.restore()
        raise AppendFailed(why)

    def _decide(
        self,
        commands: Sequence[IncomingCommand],
        now: int,
        unwritable: Mapping[str, str],
    ) -> tuple[LogAppend, list[CommandRecord]]:
        set_aside: list[SetAside] = []
        refusals: list[Answer] = []
        decidable: list[IncomingCommand] = []
        for command in commands:
            envelope = command.envelope
            if command.restore is not None:
                continue  # acted on before deciding; its position is consumed with the batch
            if envelope is None:
                set_aside.append(SetAside(command, DECODE_STAGE, command.problem or "unreadable"))
                continue
            why = unwritable.get(envelope.command_id)
            if why is not None:
                set_aside.append(SetAside(command, UNWRITABLE_STAGE, why))
                refusal = Outcome(envelope.command_id, rejection=unwritable_command(why))
                refusals.append(Answer(refusal, command.reply_to))
                continue
            decidable.append(command)
        envelopes = [c.envelope for c in decidable if c.envelope is not None]
        try:
            decided = self.decider.decide_batch(envelopes, now, self._look_up)
        except ArchiveUnavailable:
            raise  # the archive, not a command: the whole batch is tried again
        except Exception:  # a command that makes the decider raise: find it, set it aside
            decided = self._decide_one_by_one(decidable, now, set_aside)
        reply_to = {c.envelope.command_id: c.reply_to for c in decidable if c.envelope}
        answers = [
            Answer(outcome, reply_to.get(outcome.command_id))
            for outcome in with_events(decided.outcomes, decided.events)
        ]
        if self.observer is not None:
            self.observer.decided(
                self.partition,
                commands[0].position,
                commands[-1].position,
                len(commands),
                envelopes,
                decided.events,
            )
        batch = LogAppend(
            events=decided.events,
            records=decided.records,
            answers=[*answers, *refusals],
            set_aside=set_aside,
            consumed=commands[-1].position + 1,
        )
        return batch, decided.records

    def _decide_one_by_one(
        self, commands: Sequence[IncomingCommand], now: int, set_aside: list[SetAside]
    ) -> DecidedBatch:
        # The failed batch may have changed memory: start again from the log.
        self.restore()
        decided = DecidedBatch([])
        for command in commands:
            envelope: CommandEnvelope | None = command.envelope
            assert envelope is not None
            try:
                one = self.decider.decide_batch([envelope], now, self._look_up)
            except ArchiveUnavailable:
                raise
            except Exception as error:
                log.exception("command %s makes the decider raise", envelope.command_id)
                set_aside.append(SetAside(command, DECIDE_STAGE, repr(error)))
                self.restore()
                # Memory holds only the log: evolve the batch's earlier decisions again.
                self._replay(decided)
                continue
            decided.outcomes.extend(one.outcomes)
            decided.events.extend(one.events)
            decided.records.extend(one.records)
            self.decider.recent.add(one.records)
        return decided

    def _replay(self, decided: DecidedBatch) -> None:
        for recorded in decided.events:
            self.decider.fold(recorded)
        self.decider.recent.add(decided.records)

    def _look_up(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]:
        if self.archive is None:
            return {}
        self.archive_lookups += len(command_ids)
        try:
            return self.archive(command_ids)
        except Exception as error:
            raise ArchiveUnavailable(repr(error)) from error
