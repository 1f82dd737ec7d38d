"""An API node's view of the live log: it follows the events topic from now on and
hands each committed event to the live stream (SSE), with the leaderboard rows the
events changed (`LiveBoards`), as the embedded engine hands over a batch.

"Now" is fixed before `start` returns (`from_now`): a solve made right after the
node came up reaches its watchers."""

import logging
import threading

from questline.adapters.kafka.events_follower import EventsFollower
from questline.cluster.config import ClusterConfig
from questline.cluster.live_boards import LiveBoards
from questline.domain.projections.rows import Changes
from questline.ports import BatchListener, Outcome

log = logging.getLogger(__name__)


class EventsTail:
    def __init__(
        self,
        config: ClusterConfig,
        listeners: list[BatchListener],
        boards: LiveBoards | None = None,
    ) -> None:
        self.config = config
        self.listeners = listeners
        self.boards = boards
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="questline-events-tail", daemon=True)
        self._follower = EventsFollower(config.kafka)

    def start(self) -> None:
        """Fix the starting offsets, then follow from them in a thread."""
        self._follower.start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                outcomes = [
                    Outcome(recorded.command_id, events=(recorded,))
                    for recorded in self._follower.next_events(0.2)
                ]
                if outcomes:
                    changes = self._board_changes(outcomes)
                    for listener in self.listeners:
                        try:
                            listener(outcomes, changes)
                        except Exception:
                            log.exception("events listener failed")
        finally:
            self._follower.close()

    def _board_changes(self, outcomes: list[Outcome]) -> Changes:
        if self.boards is None:
            return {}
        try:
            return self.boards.changes([e for o in outcomes for e in o.events])
        except Exception:  # Cassandra or Kafka unreachable: the events still go out
            log.exception("leaderboard deltas failed")
            return {}
