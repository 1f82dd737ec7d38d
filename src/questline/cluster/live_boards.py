"""Leaderboard deltas on an API node: the rows of the live board each batch of tailed
events changed, as the embedded engine's projector hands them to its live stream.

An API node keeps the board of each hunt somebody is watching, folded by the same
`LeaderboardProjection` the projectors run, so the rows (and the stream messages
made from them) are the embedded ones. A board is built from the hunt's history the
first time it is needed (or when the tail skipped versions) and dropped when nobody
watches the hunt any more."""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from questline.domain.events import RecordedEvent
from questline.domain.projections.leaderboard import LeaderboardProjection
from questline.domain.projections.rows import Changes

log = logging.getLogger(__name__)

# The events of a hunt before a version, in version order (some may be missing).
History = Callable[[str, int], Iterable[RecordedEvent]]

_ROUTED = LeaderboardProjection.events


@dataclass
class _Board:
    projection: LeaderboardProjection = field(default_factory=LeaderboardProjection)
    version: int = 0

    def apply(self, recorded: RecordedEvent) -> None:
        # Routed as the Projector routes: only the event types the board reacts to.
        if isinstance(recorded.event, _ROUTED):
            self.projection.apply(recorded)
        self.version = recorded.version


class LiveBoards:
    def __init__(self, history: History, watched: Callable[[str], bool]) -> None:
        self._history = history
        self._watched = watched
        self._boards: dict[str, _Board] = {}

    def changes(self, events: Sequence[RecordedEvent]) -> Changes:
        """Fold the events; return the live-board rows they changed."""
        for hunt_id in [h for h in self._boards if not self._watched(h)]:
            del self._boards[hunt_id]  # nobody watches it any more
        touched: dict[str, _Board] = {}
        for recorded in events:
            hunt_id = recorded.hunt_id
            if not self._watched(hunt_id):
                self._boards.pop(hunt_id, None)
                continue
            board = self._boards.get(hunt_id)
            if board is None or recorded.version > board.version + 1:
                board = self._build(hunt_id, recorded.version)
                if board is None:
                    continue
            if recorded.version <= board.version:
                continue  # already in the history the board was built from
            board.apply(recorded)
            touched[hunt_id] = board
        changes: Changes = {}
        for board in touched.values():
            projection = board.projection
            for key in projection.dirty:
                if key[0] == "leaderboard_live":
                    changes[key] = projection.row(*key)
            projection.dirty.clear()
        return changes

    def _build(self, hunt_id: str, version: int) -> _Board | None:
        board = _Board()
        for recorded in self._history(hunt_id, version):
            if recorded.version == board.version + 1 and recorded.version < version:
                board.apply(recorded)
        if board.version != version - 1:
            log.warning(
                "hunt %s: history reaches version %d, not %d: no leaderboard deltas this time",
                hunt_id,
                board.version,
                version - 1,
            )
            self._boards.pop(hunt_id, None)
            return None
        board.projection.dirty.clear()  # the history's rows are not news
        self._boards[hunt_id] = board
        return board
