"""One partition of the Kafka log (the `PartitionLog` port): the events partition,
the commands partition's consumed offset, and the partition's transactional
producer.

`fence` opens the producer `{prefix}-partition-{p}` (the id belongs to the
partition, not to the process): `init_transactions` bumps its epoch, which fences
the producer of any earlier owner and aborts its open transaction, so a read after
it reaches the end. `append` is ONE Kafka transaction: the set-aside commands on
the dead-letter topic, the events and command records on the events partition,
the answers on the replies partitions and the consumed offset of the commands
partition (`send_offsets_to_transaction` with the group's metadata). Readers read
committed only, so an aborted append leaves nothing anyone sees. A zombie (an
owner that slept through its session) cannot commit: its epoch is stale, the
broker refuses it, and `append` raises Fenced."""

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from confluent_kafka import KafkaError, KafkaException, Producer, TopicPartition

from questline.adapters.kafka.appended_messages import produce_append
from questline.adapters.kafka.partition_reader import read_partition
from questline.adapters.kafka.settings import KafkaSettings
from questline.domain.events import RecordedEvent
from questline.ports import (
    AppendFailed,
    Fenced,
    LogAppend,
    OnEvent,
    OnRecord,
    UnwritableCommand,
)

log = logging.getLogger(__name__)

FENCED = (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH)
TIMEOUT_S = 30
# Makes the partition's producer from its settings (tests wrap the real one).
ProducerFactory = Callable[[dict[str, Any]], Producer]


class ConsumerGroup(Protocol):
    """What the log needs of the command stream's consumer group (the command source
    is one): its metadata, to commit offsets in a transaction, and the offsets
    committed so far."""

    def group_metadata(self) -> object: ...

    def committed(self, partition: int) -> int: ...


def transactional_id(topic_prefix: str, partition: int) -> str:
    """One per commands partition, whoever owns it: the fencing token of ownership."""
    return f"{topic_prefix}-partition-{partition}"


class KafkaPartitionLog:
    def __init__(
        self,
        kafka: KafkaSettings,
        partition: int,
        group: ConsumerGroup | None = None,  # None: a log only read
        *,
        transaction_timeout_ms: int = 10_000,
        producer_factory: ProducerFactory | None = None,
    ) -> None:
        self.kafka = kafka
        self._partition = partition
        self.group = group
        self.transaction_timeout_ms = transaction_timeout_ms
        self.producer_factory: ProducerFactory = producer_factory or Producer
        self._producer: Producer | None = None
        self._reopen = False  # the producer failed fatally: open it again before appending

    @property
    def partition(self) -> int:
        return self._partition

    def fence(self) -> None:
        kafka = self.kafka
        producer = self.producer_factory(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "transactional.id": transactional_id(kafka.topic_prefix, self._partition),
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 2,
                "transaction.timeout.ms": self.transaction_timeout_ms,
                "message.max.bytes": kafka.max_message_bytes,
            }
        )
        # librdkafka asks for the transaction coordinator at once, then every 500 ms;
        # just after start its bootstrap connection is being swapped for the broker's
        # own, and that first ask often finds no broker up. Metadata asked twice (the
        # second time over the broker's own connection) lets it succeed: a fence of
        # 0.06 s rather than 0.5 s, half of a SIGTERM handover (docs/cluster.md).
        for _ in range(2):
            producer.list_topics(kafka.events_topic, timeout=TIMEOUT_S)
        producer.init_transactions(TIMEOUT_S)
        self._producer = producer
        self._reopen = False

    def append(self, batch: LogAppend) -> float:
        if self._reopen:
            try:
                self.fence()
            except KafkaException as error:
                raise AppendFailed(f"partition {self._partition}: no producer ({error})") from None
        producer = self._producer
        if producer is None:
            raise Fenced(f"partition {self._partition}: this writer does not hold it")
        if self.group is None:
            raise AppendFailed("a log opened without its consumer group cannot append")
        try:
            producer.begin_transaction()
            produce_append(producer, self.kafka, self._partition, batch)
            offsets = [TopicPartition(self.kafka.commands_topic, self._partition, batch.consumed)]
            producer.send_offsets_to_transaction(offsets, self.group.group_metadata(), TIMEOUT_S)
            started = time.perf_counter()
            producer.commit_transaction(TIMEOUT_S)
        except UnwritableCommand:
            self._abort(producer)
            raise
        except KafkaException as error:
            raise self._failed(producer, error) from error
        return time.perf_counter() - started

    def _failed(self, producer: Producer, error: KafkaException) -> Exception:
        """What a failed transaction means for its writer: Fenced, or AppendFailed
        (aborted; a producer that cannot go on is opened again before the next)."""
        kafka_error = error.args[0] if error.args else None
        if isinstance(kafka_error, KafkaError) and kafka_error.code() in FENCED:
            self._producer = None
            return Fenced(f"partition {self._partition} fenced by a newer owner ({error})")
        fatal = isinstance(kafka_error, KafkaError) and (
            kafka_error.fatal() or kafka_error.txn_requires_abort() is False
        )
        if not self._abort(producer) or fatal:
            self._producer = None  # it cannot go on: opened again before the next append
            self._reopen = True
        return AppendFailed(f"partition {self._partition}: the transaction failed ({error})")

    def _abort(self, producer: Producer) -> bool:
        try:
            producer.abort_transaction(TIMEOUT_S)
            return True
        except KafkaException:
            return False

    def read(
        self,
        on_event: OnEvent,
        on_record: OnRecord | None = None,
        *,
        start: int = 0,
        end: int | None = None,
        hunt_id: str | None = None,
    ) -> int:
        if hunt_id is not None:
            wanted = hunt_id

            def only(recorded: RecordedEvent) -> None:
                if recorded.hunt_id == wanted:
                    on_event(recorded)

            return read_partition(self.kafka, self._partition, only, None, start=start, end=end)
        return read_partition(
            self.kafka, self._partition, on_event, on_record, start=start, end=end
        )

    def consumed(self) -> int:
        if self.group is None:
            return 0
        committed: int = self.group.committed(self._partition)
        return committed

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(5)  # nothing is in flight between appends; a reply at most
