"""Tokens and hunt rows kept in memory, invalidated by the events that change them.

Every request with a token resolved it in the store, and every hunt route read the hunt
row: two store reads before any work (6% and 10% of the server's profile; a Cassandra
round trip each on an API node). Both change only by events, and every node sees every
committed event of its hunts: the embedded node's group committer hands each batch to
its listeners after the commit, an API node's events tail hands over what it tails.
`on_batch` is such a listener. The events of a command the node ran are also handed
over (`answered`) before its caller is answered: the tail may bring them later. A token
issued by an event is kept as soon as the event is seen, so a team can use it before an
API node's read side has it.

- A hunt row is cached at the version it carries and only if no newer event of its hunt
  has been seen: a row read before a commit and offered after it is not kept, and an API
  node whose projector is behind its tail keeps nothing stale. The next event of the hunt
  moves the row's head (its version and time), as the hunts projection does; any other
  event (one that changes the rest of the row, or one that skips versions) drops it (the
  embedded node's batch carries the new row, which is kept instead). Dropping it on every
  event cost an API node a Cassandra read per request during play.
- A token's principal (organizer, operator, or a team of a hunt) is cached once found;
  tokens that are not valid are not (they are rare and rate limited). A team's tokens
  change only by `TokenIssued`; one that revokes the others drops the team's cached
  tokens and remembers which still work, so a lookup that read the old state in a race,
  or from a store behind the tail, is not kept. Organizer and operator tokens are never
  revoked (`questline token create` only adds).

Every entry also expires after `max_age_s`: a backstop for what no event announces (an API
node that started while its projector was behind a revocation, a store restored behind
the node's back). 30 s on an API node; a node on a SQLite file is handed every committed
batch by the writer it runs or is connected to, before the batch is read, so its entries
live `EMBEDDED_MAX_AGE_S`: at 30 s a node serving 10,000 teams at 2,000 submissions/s
looked the token of one request in six up again in SQLite, on the event loop.

Lookups run on the event loop, listeners on the writer's or the tail's thread: a lock
makes "check, then keep" and "drop" exclusive. Both caches are bounded (cleared when
full: a clear costs one store read per entry, refilled as used)."""

import threading
import time
from collections.abc import Iterable

import msgspec

from questline.domain.events import RecordedEvent, TeamRegistered, TokenIssued
from questline.domain.projections.hunt_catalog import HuntCatalogProjection
from questline.domain.projections.rows import Changes, HuntRow
from questline.ports import BatchListener, Outcome, ReadSide

MAX_TOKENS = 500_000
MAX_HUNTS = 10_000
MAX_AGE_S = 30.0
EMBEDDED_MAX_AGE_S = 600.0
_RESHAPING = HuntCatalogProjection.reshaping  # events that change more than a row's head
replace = msgspec.structs.replace

# What a token resolves to: ("organizer",), ("operator",) or ("team", hunt_id, team_id).
Resolved = tuple[str, ...]


class ReadCache:
    def __init__(self, store: ReadSide, max_age_s: float = MAX_AGE_S) -> None:
        self._store = store
        self.max_age_s = max_age_s
        # Off until something feeds it the events (`listener`): a cache nobody
        # invalidates would serve stale rows, so without one every read goes to the store.
        self.active = False
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[Resolved, float]] = {}  # (what, expires at)
        self._hunts: dict[str, tuple[HuntRow, float]] = {}
        self._versions: dict[str, int] = {}  # the newest version seen of each hunt
        # Teams whose tokens were revoked: the digests that work now.
        self._working: dict[tuple[str, str], set[str]] = {}
        self.hits = 0
        self.misses = 0

    # -- tokens -------------------------------------------------------------------------

    def token(self, digest: str) -> Resolved | None:
        """What a token's digest resolves to in the store (None: not a valid token)."""
        entry = self._tokens.get(digest)
        if entry is not None and entry[1] > time.monotonic():
            self.hits += 1
            return entry[0]
        self.misses += 1
        found = self._look_up_token(digest)
        if found is not None and self._revoked(digest, found):
            return None  # the store is behind a revocation this node has seen
        if found is not None and self.active:
            self._keep_token(digest, found)
        return found

    def _revoked(self, digest: str, found: Resolved) -> bool:
        if found[0] != "team":
            return False
        working = self._working.get((found[1], found[2]))
        return working is not None and digest not in working

    def _look_up_token(self, digest: str) -> Resolved | None:
        role = self._store.tokens.role_of(digest)
        if role in ("organizer", "operator"):
            return (role,)
        team = self._store.read_models.team_by_token(digest)
        return None if team is None else ("team", *team)

    def _keep_token(self, digest: str, found: Resolved) -> None:
        with self._lock:
            self._keep_token_locked(digest, found)

    def _keep_token_locked(self, digest: str, found: Resolved) -> None:
        if self._revoked(digest, found):
            return  # revoked since (the store it came from was behind)
        if len(self._tokens) >= MAX_TOKENS:
            self._tokens.clear()
        self._tokens[digest] = (found, time.monotonic() + self.max_age_s)

    # -- hunt rows ----------------------------------------------------------------------

    def hunt(self, hunt_id: str) -> HuntRow | None:
        """The hunt's row (None: no such hunt)."""
        entry = self._hunts.get(hunt_id)
        if entry is not None and entry[1] > time.monotonic():
            self.hits += 1
            return entry[0]
        self.misses += 1
        found = self._store.read_models.get("hunts", hunt_id, hunt_id)
        if not isinstance(found, HuntRow):
            return None
        if self.active:
            self._keep_hunt(hunt_id, found)
        return found

    def _keep_hunt(self, hunt_id: str, row: HuntRow) -> None:
        with self._lock:
            if row.version < self._versions.get(hunt_id, 0):
                return  # a newer event of the hunt has been seen
            if len(self._hunts) >= MAX_HUNTS:
                self._hunts.clear()
            self._hunts[hunt_id] = (row, time.monotonic() + self.max_age_s)

    # -- invalidation -------------------------------------------------------------------

    def listener(self) -> BatchListener:
        """The batch listener to hand every committed (or tailed) batch to; from now on
        what is read is kept."""
        self.active = True
        return self.on_batch

    def on_batch(self, outcomes: list[Outcome], changes: Changes) -> None:
        """A batch listener: forget what the committed (or tailed) events changed."""
        with self._lock:
            for outcome in outcomes:
                self._forget(outcome.events)
            versions = self._versions
            hunts = self._hunts
            expires = time.monotonic() + self.max_age_s
            for (table, hunt_id, _), row in changes.items():
                if (
                    table == "hunts"
                    and isinstance(row, HuntRow)
                    and row.version >= versions.get(hunt_id, 0)
                ):
                    hunts[hunt_id] = (row, expires)  # the row as committed with the events

    def answered(self, events: Iterable[RecordedEvent]) -> None:
        """A command this node ran wrote these events and its caller is about to be
        told: forget what they changed now. An API node's tail may bring them after
        the caller's next request (a revoked token must not work for it, at once)."""
        with self._lock:
            self._forget(events)

    def _forget(self, events: Iterable[RecordedEvent]) -> None:
        versions = self._versions
        hunts = self._hunts
        for recorded in events:
            hunt_id = recorded.hunt_id
            if recorded.version > versions.get(hunt_id, 0):
                versions[hunt_id] = recorded.version
            cached = hunts.get(hunt_id)
            if cached is not None and cached[0].version < recorded.version:
                row = cached[0]
                if recorded.version == row.version + 1 and not isinstance(
                    recorded.event, _RESHAPING
                ):  # only the head moves: the row as the projection will write it
                    moved = replace(row, version=recorded.version, last_time=recorded.time)
                    hunts[hunt_id] = (moved, cached[1])
                else:
                    del hunts[hunt_id]
            event = recorded.event
            if isinstance(event, TokenIssued):
                self._issued(hunt_id, event)
            if isinstance(event, TokenIssued | TeamRegistered) and self.active:
                # Known at once: the team may use it before the read side has it.
                self._keep_token_locked(event.token_hash, ("team", hunt_id, event.team_id))

    def _issued(self, hunt_id: str, event: TokenIssued) -> None:
        key = (hunt_id, event.team_id)
        if not event.revoke_others:
            working = self._working.get(key)
            if working is not None:
                working.add(event.token_hash)
            return
        self._working[key] = {event.token_hash}
        stale = [
            digest
            for digest, (found, _) in self._tokens.items()
            if found[0] == "team" and found[1] == hunt_id and found[2] == event.team_id
        ]
        for digest in stale:
            del self._tokens[digest]
