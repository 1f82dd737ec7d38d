"""The command records a writer remembers, so a retry of a command gets its first
answer back without the writer asking a store.

It holds the newest `capacity` records in full. A window with a `retention` (a
partition writer's) knows every command id of that span of log time: it is
restored with the state, from the partition's snapshot and the command records in
the log after it, and a record that falls out for room is kept as an 8-byte digest
of its id until it is older than the retention. So an id the window does not hold
is new, decided at once; one it knows only by its digest is a retry of an older
command, whose first answer the caller looks up in the archive behind the window
(`must_look_up`). A record older than the retention is forgotten: a retry after
that is decided anew, as the embedded engine's command log forgets records after a
day (the HTTP API promises 24 hours).

Without a retention (the embedded engine, whose recovery reads no command records)
every id the window does not hold must be looked up in the command log.

Ages are counted from the newest record's time, not the clock, so the window is a
pure function of the records added in log order: any writer of a snapshot writes
the same one, and an audit can compare it with a refold.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Iterable

import msgspec

from questline.domain.timestamps import MICROS_PER_SECOND, Micros
from questline.ports import CommandRecord

HOUR = 3_600 * MICROS_PER_SECOND
DAY = 24 * HOUR


class WindowData(msgspec.Struct, frozen=True):
    """A window's saved form, for partition snapshots."""

    records: list[CommandRecord]  # oldest first
    spilled: list[tuple[int, list[int]]]  # (hour, digests of ids that fell out then)
    newest: Micros


def digest(command_id: str) -> int:
    """A stable 64-bit digest of a command id (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(command_id.encode(), digest_size=8).digest(), "big")


class CommandWindow:
    def __init__(self, capacity: int, retention: Micros | None = None) -> None:
        self.capacity = capacity
        self.retention = retention
        self._records: OrderedDict[str, CommandRecord] = OrderedDict()
        self._spilled: dict[int, int] = {}  # digest -> the hour it fell out in
        self._hours: dict[int, list[int]] = {}  # hour -> digests, to expire them by hour
        self._newest: Micros = 0

    @property
    def whole(self) -> bool:
        """Whether an id it neither holds nor remembers is known to be new."""
        return self.retention is not None

    def __len__(self) -> int:
        return len(self._records)

    def get(self, command_id: str) -> CommandRecord | None:
        return self._records.get(command_id)

    def must_look_up(self, command_id: str) -> bool:
        """For an id `get` does not hold: whether its record may exist elsewhere."""
        if self.retention is None:
            return True
        return bool(self._spilled) and digest(command_id) in self._spilled

    def add(self, records: Iterable[CommandRecord]) -> None:
        """Records in the order they were decided (log order); an id's first is kept."""
        held = self._records
        newest = self._newest
        for record in records:
            if record.command_id in held:
                continue
            held[record.command_id] = record
            newest = max(newest, record.decided_at)
        self._newest = newest
        while len(held) > self.capacity:
            _, old = held.popitem(last=False)
            self._spill(old)
        if self.retention is not None:
            self._expire(newest - self.retention)

    def _spill(self, record: CommandRecord) -> None:
        if self.retention is None or record.decided_at < self._newest - self.retention:
            return
        hour = record.decided_at // HOUR
        value = digest(record.command_id)
        self._spilled[value] = hour
        self._hours.setdefault(hour, []).append(value)

    def _expire(self, horizon: Micros) -> None:
        held = self._records
        while held:
            first = next(iter(held.values()))
            if first.decided_at >= horizon:
                break
            held.popitem(last=False)
        for hour in [h for h in self._hours if (h + 1) * HOUR <= horizon]:
            for value in self._hours.pop(hour):
                if self._spilled.get(value) == hour:
                    del self._spilled[value]

    def clear(self) -> None:
        self._records.clear()
        self._spilled.clear()
        self._hours.clear()
        self._newest = 0

    def dump(self) -> WindowData:
        return WindowData(
            list(self._records.values()),
            [(hour, list(self._hours[hour])) for hour in sorted(self._hours)],
            self._newest,
        )

    def load(self, data: WindowData) -> None:
        """Replace what the window holds with a saved form."""
        self.clear()
        self._records.update((r.command_id, r) for r in data.records)
        for hour, values in data.spilled:
            self._hours[hour] = list(values)
            for value in values:
                self._spilled[value] = hour
        self._newest = data.newest
