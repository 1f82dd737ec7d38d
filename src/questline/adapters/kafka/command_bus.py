"""The API node's way to the workers: commands onto the commands topic (to the
hunt's partition), replies back on this node's replies partition, matched to
the waiting caller by command id."""

import logging
import threading
import uuid
from collections import defaultdict
from concurrent.futures import Future

from confluent_kafka import Consumer, Producer

from questline.adapters.kafka.from_now import from_now
from questline.adapters.kafka.messages import REPLY_TO, decode_outcome, encode
from questline.adapters.kafka.settings import KafkaSettings
from questline.ports import (
    BatchListener,
    CommandEnvelope,
    EngineStopped,
    Outcome,
    Overloaded,
    partition_of,
)

log = logging.getLogger(__name__)


class KafkaCommandBus:
    """A caller is answered with the worker's decided reply as soon as it arrives; the
    reads that must see it wait for the read side (http/read_your_writes.py)."""

    def __init__(
        self,
        kafka: KafkaSettings,
        reply_partition: int,
        *,
        max_pending: int = 20_000,
    ):
        self.kafka = kafka
        self.reply_partition = reply_partition % kafka.reply_partitions
        self.max_pending = max_pending
        self.listeners: list[BatchListener] = []
        self._pending: dict[str, list[Future[Outcome]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._read_replies, name="questline-replies", daemon=True
        )
        self._producer = Producer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 1,
            }
        )

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(45):  # from_now asks for up to 30 s
            raise RuntimeError("the replies consumer did not start within 45 s")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._producer.flush(10)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    @property
    def depth(self) -> int:
        with self._lock:
            return sum(len(f) for f in self._pending.values())

    def submit(self, envelope: CommandEnvelope) -> Future[Outcome]:
        if not self.running:
            raise EngineStopped("this API node is not connected to the workers")
        depth = self.depth
        if depth >= self.max_pending:
            raise Overloaded(depth)
        future: Future[Outcome] = Future()
        with self._lock:
            self._pending[envelope.command_id].append(future)
        future.add_done_callback(lambda f: self._forget(envelope.command_id, f))
        hunt_id = envelope.command.hunt_id
        kafka = self.kafka
        self._producer.produce(
            kafka.commands_topic,
            key=hunt_id.encode(),
            value=encode(envelope),
            partition=partition_of(hunt_id, kafka.partitions),
            headers=[(REPLY_TO, str(self.reply_partition).encode())],
        )
        self._producer.poll(0)
        return future

    def _forget(self, command_id: str, future: Future[Outcome]) -> None:
        if not future.cancelled():
            return
        with self._lock:
            waiting = self._pending.get(command_id)
            if waiting and future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._pending[command_id]

    def _read_replies(self) -> None:
        kafka = self.kafka
        consumer = Consumer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "group.id": f"{kafka.topic_prefix}-api-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
            }
        )
        try:
            consumer.assign([from_now(consumer, kafka.replies_topic, self.reply_partition)])
            self._ready.set()
            while not self._stop.is_set():
                for message in consumer.consume(num_messages=1000, timeout=0.005):
                    if message.error() is not None:
                        continue
                    try:
                        outcome = decode_outcome(message.value() or b"")
                    except Exception:
                        log.warning("an undecodable reply at offset %s", message.offset())
                        continue
                    with self._lock:
                        waiting = self._pending.get(outcome.command_id)
                        future = waiting.pop(0) if waiting else None
                        if waiting == []:
                            del self._pending[outcome.command_id]
                    if future is not None and not future.done():
                        future.set_result(outcome)
        finally:
            consumer.close()
