"""A bounded memory of recent command records, in front of the command log."""

from collections import OrderedDict
from collections.abc import Iterable

from questline.ports import CommandRecord


class RecentCommands:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._records: OrderedDict[str, CommandRecord] = OrderedDict()

    def get(self, command_id: str) -> CommandRecord | None:
        return self._records.get(command_id)

    def add(self, records: Iterable[CommandRecord]) -> None:
        for record in records:
            self._records[record.command_id] = record
        while len(self._records) > self._capacity:
            self._records.popitem(last=False)

    def clear(self) -> None:
        self._records.clear()
