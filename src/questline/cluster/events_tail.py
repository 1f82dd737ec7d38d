"""An API node's view of the live log: it follows the events topic from now on and
hands each committed event to the live stream (SSE), with the leaderboard rows the
events changed (`LiveBoards`), as the embedded engine hands over a batch.

"Now" is fixed before `start` returns (`from_now`): a solve made right after the
node came up reaches its watchers."""

import logging
import threading
import uuid

from confluent_kafka import Consumer

from questline.adapters.kafka.from_now import from_now
from questline.adapters.kafka.messages import KIND, KIND_EVENT, decode_event, header, offset_of
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
        self._consumer: Consumer | None = None

    def start(self) -> None:
        """Fix the starting offsets, then follow from them in a thread."""
        kafka = self.config.kafka
        consumer = Consumer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "group.id": f"{kafka.topic_prefix}-tail-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",  # so the end asked is the stable one
            }
        )
        consumer.assign(
            [from_now(consumer, kafka.events_topic, p) for p in range(kafka.partitions)]
        )
        self._consumer = consumer
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        consumer = self._consumer
        assert consumer is not None, "start() assigns the consumer"
        try:
            while not self._stop.is_set():
                outcomes = []
                for message in consumer.consume(num_messages=1000, timeout=0.2):
                    if message.error() is not None:
                        continue
                    if header(message.headers(), KIND) != KIND_EVENT:
                        continue
                    try:
                        recorded = decode_event(message.value() or b"", offset_of(message))
                    except ValueError:
                        continue
                    outcomes.append(Outcome(recorded.command_id, events=(recorded,)))
                if outcomes:
                    changes = self._board_changes(outcomes)
                    for listener in self.listeners:
                        try:
                            listener(outcomes, changes)
                        except Exception:
                            log.exception("events listener failed")
        finally:
            consumer.close()

    def _board_changes(self, outcomes: list[Outcome]) -> Changes:
        if self.boards is None:
            return {}
        try:
            return self.boards.changes([e for o in outcomes for e in o.events])
        except Exception:  # Cassandra or Kafka unreachable: the events still go out
            log.exception("leaderboard deltas failed")
            return {}
