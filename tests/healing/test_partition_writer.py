"""The partition writer (the engine a cluster worker runs per partition) over a SQLite
partition log: no Kafka needed to see it restore its window of recent command ids,
answer retries without asking any store, fence a stale writer, and set aside a
command whose events cannot be written."""

from collections.abc import Sequence
from pathlib import Path

import pytest

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.partition_log import SqlitePartitionLog
from questline.adapters.sqlite.partition_snapshot_store import SqlitePartitionSnapshotStore
from questline.domain.commands import (
    Announce,
    Command,
    CreateHunt,
    RegisterTeam,
    Submit,
    TextGiven,
)
from questline.domain.projections.projector import Projector
from questline.domain.replies import SubmissionReply
from questline.engine.partition_restore import WindowSize
from questline.engine.partition_snapshots import take_partition
from questline.engine.partition_writer import PartitionWriter
from questline.ports import (
    Answer,
    CommandEnvelope,
    CommandRecord,
    Fenced,
    IncomingCommand,
    LogAppend,
    PartitionSnapshotStore,
    UnwritableCommand,
)
from tests.hunt_builders import STARTS, spec_hunt

HUNT = "harbour-night"


class Archive:
    """The archive behind the window; it counts what it is asked."""

    def __init__(self, records: Sequence[CommandRecord] = ()) -> None:
        self.records = {r.command_id: r for r in records}
        self.asked: list[str] = []

    def __call__(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]:
        self.asked.extend(command_ids)
        return {c: self.records[c] for c in command_ids if c in self.records}


class Partition:
    """One partition in a SQLite file; each `writer()` is a new process's writer."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "partition.db"
        self.clock = ManualClock(STARTS)
        self.position = 0  # the next command's position in the command stream

    def writer(
        self,
        *,
        archive: Archive | None = None,
        snapshots: PartitionSnapshotStore | None = None,
        window: WindowSize | None = None,
    ) -> PartitionWriter:
        writer = PartitionWriter(
            SqlitePartitionLog(self.path, partition=0),
            self.clock,
            snapshots=snapshots,
            archive=archive or Archive(),
            window=window,
        )
        writer.open()
        return writer

    def commands(self, *named: tuple[str, Command]) -> list[IncomingCommand]:
        incoming = []
        for name, command in named:
            envelope = CommandEnvelope(name, command, fingerprint=f"fp-{name}")
            incoming.append(IncomingCommand(self.position, b"", envelope=envelope))
            self.position += 1
        return incoming


def answer(name: str, team: str, text: str) -> tuple[str, Command]:
    return name, Submit(HUNT, team, "lighthouse", TextGiven(text))


def outcomes(answers: list[Answer]) -> dict[str, Answer]:
    return {a.outcome.command_id: a for a in answers}


@pytest.fixture
def partition(tmp_path: Path) -> Partition:
    return Partition(tmp_path)


def set_up(partition: Partition, writer: PartitionWriter) -> None:
    answers = writer.handle(
        partition.commands(
            ("create", CreateHunt(HUNT, spec_hunt())),
            ("reg-1", RegisterTeam(HUNT, "Otters", "h1")),
            ("reg-2", RegisterTeam(HUNT, "Badgers", "h2")),
        )
    )
    assert all(a.outcome.accepted for a in answers)


def test_a_retry_after_a_new_owner_restored_gets_its_first_answer_from_memory(
    partition: Partition,
) -> None:
    first = partition.writer()
    set_up(partition, first)
    [solved] = first.handle(partition.commands(answer("solve", "t-1", "keeper")))
    assert isinstance(solved.outcome.reply, SubmissionReply) and solved.outcome.reply.bonus

    archive = Archive()
    second = partition.writer(archive=archive)  # the partition moved to another worker
    again, fresh = second.handle(
        partition.commands(answer("solve", "t-1", "keeper"), answer("new", "t-2", "lamp"))
    )
    assert again.outcome.replayed and again.outcome.reply == solved.outcome.reply
    assert again.outcome.events == ()
    assert isinstance(fresh.outcome.reply, SubmissionReply)
    assert fresh.outcome.reply.result == "incorrect"
    assert archive.asked == []  # no store was asked about either id
    assert second.log.consumed() == partition.position


def test_the_window_comes_back_from_a_snapshot_and_the_log_after_it(
    partition: Partition, tmp_path: Path
) -> None:
    snapshots = SqlitePartitionSnapshotStore(tmp_path / "snapshots.db")
    writer = partition.writer()
    set_up(partition, writer)
    writer.handle(partition.commands(answer("before", "t-1", "lamp")))
    projector = Projector()
    end = writer.log.read(projector.apply)
    projector.take_changes()
    snapshots.save(
        take_partition(
            0, end, writer.decider.states, projector, 1, window=writer.decider.recent.dump()
        )
    )
    writer.handle(partition.commands(answer("after", "t-2", "lamp")))

    restored = partition.writer(snapshots=snapshots, archive=Archive())
    assert restored.restored_from == end
    from_log = partition.writer()
    assert from_log.restored_from is None
    assert restored.decider.recent.dump() == from_log.decider.recent.dump()
    replays = from_log.handle(
        partition.commands(answer("before", "t-1", "lamp"), answer("after", "t-2", "lamp"))
    )
    assert [a.outcome.replayed for a in replays] == [True, True]


def test_only_a_retry_of_a_command_that_fell_out_for_room_asks_the_archive(
    partition: Partition,
) -> None:
    small = WindowSize(capacity=2)
    writer = partition.writer(window=small)
    set_up(partition, writer)
    writer.handle(partition.commands(answer("a-1", "t-1", "lamp"), answer("a-2", "t-2", "lamp")))
    # reg-1 fell out of the two records held in full: the window knows it only by digest.
    records: list[CommandRecord] = []
    writer.log.read(lambda _: None, records.append)
    archive = Archive([r for r in records if r.command_id == "reg-1"])

    again = partition.writer(archive=archive, window=small)
    answers = outcomes(
        again.handle(
            partition.commands(
                ("reg-1", RegisterTeam(HUNT, "Otters", "h1")),
                answer("a-2", "t-2", "lamp"),
                answer("a-3", "t-1", "lamp"),
            )
        )
    )
    assert archive.asked == ["reg-1"]
    assert answers["reg-1"].outcome.replayed and answers["a-2"].outcome.replayed
    assert not answers["a-3"].outcome.replayed


def test_a_writer_fenced_by_a_new_owner_appends_nothing(partition: Partition) -> None:
    old = partition.writer()
    set_up(partition, old)
    new = partition.writer()
    with pytest.raises(Fenced):
        old.handle(partition.commands(answer("zombie", "t-1", "keeper")))
    [fresh] = new.handle(partition.commands(answer("solve", "t-2", "keeper")))
    assert isinstance(fresh.outcome.reply, SubmissionReply)
    assert fresh.outcome.reply.bonus > 0  # the first solver: the zombie's solve never landed
    events: list[str] = []
    new.log.read(lambda e: events.append(e.command_id))
    assert "zombie" not in events


def test_a_command_that_makes_the_decider_raise_is_set_aside_alone(
    partition: Partition,
) -> None:
    writer = partition.writer()
    set_up(partition, writer)
    batch = partition.commands(
        answer("wrong", "t-1", "lamp"),
        # No UTF-8 for a lone surrogate: the event's hash cannot be computed.
        ("bad", Announce(HUNT, "a lone surrogate \ud800 has no UTF-8")),
        answer("right", "t-1", "keeper"),
    )
    answers = outcomes(writer.handle(batch))
    assert sorted(answers) == ["right", "wrong"]
    assert answers["right"].outcome.accepted and answers["wrong"].outcome.accepted
    log = writer.log
    assert isinstance(log, SqlitePartitionLog)
    assert [(p, stage) for p, stage, _ in log.dead_letters()] == [(batch[1].position, "decide")]
    kept: list[str] = []
    log.read(lambda e: kept.append(e.command_id))
    assert "bad" not in kept and "right" in kept
    assert log.consumed() == partition.position


class RefusingLog(SqlitePartitionLog):
    """A log that cannot take one command's data (Kafka: a message over its size)."""

    refuse = "too-big"

    def append(self, batch: LogAppend) -> float:
        if any(e.command_id == self.refuse for e in batch.events):
            raise UnwritableCommand(self.refuse, "a message larger than the log takes")
        return super().append(batch)


def test_a_command_the_log_cannot_take_is_refused_alone_and_the_rest_appended(
    partition: Partition,
) -> None:
    set_up(partition, partition.writer())
    writer = PartitionWriter(RefusingLog(partition.path), partition.clock)
    writer.open()
    batch = partition.commands(
        answer("wrong", "t-1", "lamp"),
        (RefusingLog.refuse, Announce(HUNT, "a long announcement")),
        answer("right", "t-1", "keeper"),
    )
    answers = outcomes(writer.handle(batch))
    refused = answers[RefusingLog.refuse].outcome.rejection
    assert refused is not None and (refused.code, refused.status) == ("unwritable_command", 422)
    right = answers["right"].outcome.reply
    assert isinstance(right, SubmissionReply) and right.result == "correct"
    log = writer.log
    assert isinstance(log, SqlitePartitionLog)
    assert [stage for _, stage, _ in log.dead_letters()] == ["produce"]
    kept: list[str] = []
    log.read(lambda e: kept.append(e.command_id))
    assert RefusingLog.refuse not in kept and "right" in kept
