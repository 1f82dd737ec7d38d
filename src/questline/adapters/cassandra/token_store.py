"""Organizer tokens on Cassandra, as SHA-256 digests."""

from cassandra.cluster import Session

from questline.adapters.cassandra.session import prepare
from questline.domain.timestamps import Micros


class CassandraTokenStore:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._add = prepare(
            session, "INSERT INTO api_tokens (token_hash, role, created_at) VALUES (?, ?, ?)"
        )
        self._role = prepare(session, "SELECT role FROM api_tokens WHERE token_hash = ?")

    def add(self, token_hash: str, role: str, created_at: Micros) -> None:
        self.session.execute(self._add, (token_hash, role, created_at))

    def role_of(self, token_hash: str) -> str | None:
        row = self.session.execute(self._role, (token_hash,)).one()
        return str(row.role) if row is not None else None
