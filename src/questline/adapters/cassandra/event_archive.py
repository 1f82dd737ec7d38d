"""The event archive on Cassandra, by hunt and by team: what the API nodes read
for /events and for resuming streams. Written by projectors, idempotently."""

from collections.abc import Iterator, Sequence

from cassandra.cluster import Session
from cassandra.concurrent import execute_concurrent_with_args

from questline.adapters.cassandra.session import prepare
from questline.adapters.event_lines import decode_line, encode_line
from questline.domain.events import RecordedEvent

TEAM_FIELD = "team_id"


class CassandraEventArchive:
    """A read-only EventLog: in the cluster, workers append to Kafka, not here."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_hunt = prepare(
            session,
            "INSERT INTO events_by_hunt (hunt_id, position, version, type, line)"
            " VALUES (?, ?, ?, ?, ?)",
        )
        self._by_team = prepare(
            session,
            "INSERT INTO events_by_team (hunt_id, team_id, position, version, type, line)"
            " VALUES (?, ?, ?, ?, ?, ?)",
        )
        self._read = prepare(
            session,
            "SELECT line, position FROM events_by_hunt WHERE hunt_id = ? AND position > ? LIMIT ?",
        )
        self._last = prepare(
            session,
            "SELECT version FROM events_by_hunt WHERE hunt_id = ? ORDER BY position DESC LIMIT 1",
        )
        self._team = prepare(
            session,
            "SELECT line, position FROM events_by_team WHERE hunt_id = ? AND team_id = ?"
            " AND position > ? LIMIT ?",
        )

    def archive(self, events: Sequence[RecordedEvent]) -> None:
        hunts = []
        teams = []
        for recorded in events:
            line = encode_line(recorded)
            hunts.append(
                (recorded.hunt_id, recorded.position, recorded.version, recorded.type, line)
            )
            team_id = getattr(recorded.event, TEAM_FIELD, None)
            if isinstance(team_id, str):
                teams.append(
                    (
                        recorded.hunt_id,
                        team_id,
                        recorded.position,
                        recorded.version,
                        recorded.type,
                        line,
                    )
                )
        for statement, values in ((self._by_hunt, hunts), (self._by_team, teams)):
            if values:
                execute_concurrent_with_args(
                    self.session, statement, values, concurrency=64, raise_on_first_error=True
                )

    def append(self, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        raise NotImplementedError("in the cluster the log is Kafka: workers append there")

    def read(
        self, after: int = 0, hunt_id: str | None = None, limit: int | None = None
    ) -> Iterator[RecordedEvent]:
        if hunt_id is None:
            raise NotImplementedError("the archive is read by hunt; the whole log is in Kafka")
        rows = self.session.execute(self._read, (hunt_id, after, limit or 2**31 - 1))
        for row in rows:
            yield decode_line(row.line, row.position)

    def read_team(
        self, hunt_id: str, team_id: str, after: int = 0, limit: int = 1000
    ) -> Iterator[RecordedEvent]:
        for row in self.session.execute(self._team, (hunt_id, team_id, after, limit)):
            yield decode_line(row.line, row.position)

    def head(self) -> int:
        return 0  # positions are per partition in the cluster: see the projection offsets

    def version(self, hunt_id: str) -> int:
        row = self.session.execute(self._last, (hunt_id,)).one()
        return int(row.version) if row is not None else 0

    def hunt_ids(self) -> list[str]:
        return sorted(row.hunt_id for row in self.session.execute("SELECT hunt_id FROM hunt_index"))
