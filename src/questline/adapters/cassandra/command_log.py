"""Command records on Cassandra (with a TTL): the archive behind the partition writers'
windows, for a retry of a command that fell out of one for room.

The first record of a command id is the one kept, as on SQLite: each is written with
a cell timestamp that falls as its decision time rises, so a later record of the
same id (a duplicate decision) never replaces it, whatever order they are written in."""

from collections.abc import Sequence

import msgspec
from cassandra.cluster import Session
from cassandra.concurrent import execute_concurrent_with_args

from questline.adapters.cassandra.session import prepare
from questline.domain.timestamps import Micros
from questline.ports import CommandRecord

_encoder = msgspec.json.Encoder()
# Cell timestamps counted down from here: the earliest decision has the highest.
FIRST_WINS = 2**62
_decoder = msgspec.json.Decoder(CommandRecord)


class CassandraCommandLog:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._insert = prepare(
            session,
            "INSERT INTO command_records (command_id, hunt_id, record) VALUES (?, ?, ?)"
            " USING TIMESTAMP ?",
        )
        self._find = prepare(session, "SELECT record FROM command_records WHERE command_id = ?")

    def find(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]:
        # A lookup that failed must raise, never read as "not seen": the command would
        # be decided a second time.
        results = execute_concurrent_with_args(
            self.session,
            self._find,
            [(c,) for c in command_ids],
            concurrency=64,
            raise_on_first_error=True,
        )
        found: dict[str, CommandRecord] = {}
        for _, rows in results:
            for row in rows:
                record: CommandRecord = _decoder.decode(row.record)
                found[record.command_id] = record
        return found

    def remember(self, records: Sequence[CommandRecord]) -> None:
        values = [
            (r.command_id, r.hunt_id, _encoder.encode(r), FIRST_WINS - r.decided_at)
            for r in records
        ]
        if values:
            execute_concurrent_with_args(
                self.session, self._insert, values, concurrency=64, raise_on_first_error=True
            )

    def forget_before(self, time: Micros) -> int:
        return 0  # the table's TTL forgets them
