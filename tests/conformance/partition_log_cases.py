"""What every PartitionLog must do (ports.py); subclassed per backend (test_sqlite.py,
test_kafka.py). A subclass provides `open_log`: a function that opens a handle on
one fresh partition, a new writer each call (so one can fence another)."""

from collections.abc import Callable

import msgspec
import pytest

from questline.domain.events import AnnouncementMade, RecordedEvent
from questline.ports import (
    Answer,
    CommandRecord,
    Fenced,
    IncomingCommand,
    LogAppend,
    Outcome,
    PartitionLog,
    SetAside,
    UnwritableCommand,
)
from tests.conformance.samples import command_record, history, recorded

OpenLog = Callable[[], PartitionLog]


def batch(
    events: list[RecordedEvent],
    records: list[CommandRecord] = (),  # type: ignore[assignment]
    *,
    consumed: int,
    set_aside: list[SetAside] = (),  # type: ignore[assignment]
) -> LogAppend:
    answers = [Answer(Outcome(r.command_id, reply=r.reply), None) for r in records]
    return LogAppend(list(events), list(records), answers, list(set_aside), consumed)


def read_all(
    log: PartitionLog, **where: object
) -> tuple[list[RecordedEvent], list[CommandRecord], int]:
    events: list[RecordedEvent] = []
    records: list[CommandRecord] = []
    end = log.read(events.append, records.append, **where)  # type: ignore[arg-type]
    return events, records, end


def placed(events: list[RecordedEvent], first_offset: int) -> list[RecordedEvent]:
    """The events as a read hands them back: position = offset + 1."""
    return [msgspec.structs.replace(e, position=first_offset + i + 1) for i, e in enumerate(events)]


class PartitionLogConformance:
    def test_a_new_partition_is_empty(self, open_log: OpenLog) -> None:
        log = open_log()
        log.fence()
        assert read_all(log) == ([], [], 0)
        assert log.consumed() == 0

    def test_an_append_reads_back_in_order_with_its_offsets(self, open_log: OpenLog) -> None:
        log = open_log()
        log.fence()
        first = [*history("a", 1, 2), recorded("b", 1)]
        records = [command_record("c-1", 1), command_record("c-2", 2)]
        log.append(batch(first, records, consumed=7))
        more = history("a", 3, 4)
        log.append(batch(more, [command_record("c-3", 3)], consumed=9))
        events, found, end = read_all(log)
        strip = [msgspec.structs.replace(e, position=0) for e in events]
        assert strip == first + more
        assert found == [*records, command_record("c-3", 3)]
        # Each event's position is its offset + 1; offsets rise (Kafka's commit markers
        # take offsets too, so they need not be consecutive across appends).
        positions = [e.position for e in events]
        assert positions[:3] == [1, 2, 3]
        assert positions == sorted(set(positions))
        assert end > positions[-1] - 1
        assert log.consumed() == 9

    def test_a_read_from_an_offset_gets_only_what_follows(self, open_log: OpenLog) -> None:
        log = open_log()
        log.fence()
        log.append(batch(history("a", 1, 3), [command_record("c-1", 1)], consumed=1))
        log.append(batch(history("a", 4, 5), consumed=2))
        events, _, end = read_all(log)
        at = {e.version: e.position - 1 for e in events}  # each event's offset
        after_third, records, _ = read_all(log, start=at[3] + 1)
        assert [e.version for e in after_third] == [4, 5]
        assert records == [command_record("c-1", 1)]  # it follows the batch's events
        between, records, reached = read_all(log, start=at[2], end=at[4])
        assert [e.version for e in between] == [2, 3]
        assert records == [command_record("c-1", 1)]
        assert reached == at[4]
        assert read_all(log, start=end) == ([], [], end)

    def test_a_read_of_one_hunt_skips_the_others(self, open_log: OpenLog) -> None:
        log = open_log()
        log.fence()
        log.append(batch([recorded("a", 1), recorded("b", 1), recorded("a", 2)], consumed=1))
        events, _, _ = read_all(log, hunt_id="a")
        assert [(e.hunt_id, e.version, e.position) for e in events] == [("a", 1, 1), ("a", 2, 3)]

    def test_a_fenced_writer_appends_nothing(self, open_log: OpenLog) -> None:
        old = open_log()
        old.fence()
        old.append(batch(history("a", 1, 1), consumed=1))
        new = open_log()
        new.fence()  # a new owner: the old one is a zombie now
        with pytest.raises(Fenced):
            old.append(batch(history("a", 2, 2), [command_record("c-z", 1)], consumed=5))
        new.append(batch(history("a", 2, 3), consumed=3))
        events, records, _ = read_all(new)
        assert [e.version for e in events] == [1, 2, 3]
        assert records == []
        assert new.consumed() == 3

    def test_an_unwritable_command_is_named_and_nothing_of_the_batch_kept(
        self, open_log: OpenLog
    ) -> None:
        log = open_log()
        log.fence()
        log.append(batch(history("a", 1, 1), consumed=1))
        fine = recorded("a", 2)
        bad = msgspec.structs.replace(
            recorded("a", 3, AnnouncementMade("\ud800 cannot be encoded")), command_id="bad"
        )
        with pytest.raises(UnwritableCommand) as raised:
            log.append(batch([fine, bad], consumed=4))
        assert raised.value.command_id == "bad"
        events, _, _ = read_all(log)
        assert [e.version for e in events] == [1]
        assert log.consumed() == 1
        log.append(batch([fine], consumed=4))  # the partition goes on
        assert [e.version for e in read_all(log)[0]] == [1, 2]

    def test_set_aside_commands_move_the_consumed_position(self, open_log: OpenLog) -> None:
        log = open_log()
        log.fence()
        poison = IncomingCommand(4, b"not a command", problem="cannot be decoded")
        log.append(batch([], set_aside=[SetAside(poison, "decode command", "bad")], consumed=5))
        assert read_all(log)[:2] == ([], [])
        assert log.consumed() == 5
