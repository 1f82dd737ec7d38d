"""The cluster suite's peer: the usual at-least-once consumer loop, with the same
BatchDecider, the same idempotency lookup (Cassandra) and the same messages as
the partition worker, but no Kafka transactions. It produces events, command
records and replies with an idempotent producer, waits for their acks (flush),
then commits the consumed offsets. A crash between the two re-decides the
batch and writes its events twice: the duplicates exactly-once exists to
prevent. Only the price is measured here.

Run as a process: `python -m questline.bench.at_least_once_worker CONFIG ID`.
"""

import signal
import sys
import threading
from collections import defaultdict
from pathlib import Path

from confluent_kafka import Consumer, Message, Producer, TopicPartition

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.messages import (
    REPLY_TO,
    decode_envelope,
    header,
    offset_of,
    partition_of_message,
)
from questline.cluster.config import ClusterConfig, load_config
from questline.cluster.decided_messages import produce_decided
from questline.cluster.group_member import group_consumer
from questline.cluster.restore import read_partition
from questline.engine.batch_decider import BatchDecider, Lookup
from questline.ports import CommandRecord

ROLE = "alo-workers"  # its own consumer group: never mixed with the real workers


class AtLeastOnceWorker:
    def __init__(
        self, config: ClusterConfig, worker_id: str, lookup: Lookup, max_batch: int = 1000
    ) -> None:
        self.config = config
        self.lookup = lookup
        self.max_batch = max_batch
        self.deciders: dict[int, BatchDecider] = {}
        self.consumer = group_consumer(config, ROLE, worker_id)
        self.producer = Producer(
            {
                "bootstrap.servers": config.kafka.bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 2,
            }
        )

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            decider = BatchDecider()
            read_partition(self.config, tp.partition, decider.fold)  # as the worker restores
            self.deciders[tp.partition] = decider
        consumer.incremental_assign(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self.deciders.pop(tp.partition, None)
        consumer.incremental_unassign(partitions)

    def run(self, stop: threading.Event) -> None:
        self.consumer.subscribe(
            [self.config.kafka.commands_topic],
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )
        try:
            while not stop.is_set():
                messages = self.consumer.consume(num_messages=self.max_batch, timeout=0.01)
                if messages:
                    self._process(messages)
        finally:
            self.consumer.close()
            self.producer.flush(10)

    def _process(self, messages: list[Message]) -> None:
        kafka = self.config.kafka
        by_partition: dict[int, list[Message]] = defaultdict(list)
        for message in messages:
            if message.error() is None:
                by_partition[partition_of_message(message)].append(message)
        now = _now()
        offsets = []
        done: list[tuple[BatchDecider, list[CommandRecord]]] = []
        for partition, batch in by_partition.items():
            decider = self.deciders.get(partition)
            if decider is None:
                continue
            envelopes = [decode_envelope(m.value() or b"") for m in batch]
            replies = {
                e.command_id: header(m.headers(), REPLY_TO)
                for e, m in zip(envelopes, batch, strict=True)
            }
            decided = decider.decide_batch(envelopes, now, self.lookup)
            produce_decided(self.producer, kafka, partition, decided, replies)
            offsets.append(
                TopicPartition(kafka.commands_topic, partition, offset_of(batch[-1]) + 1)
            )
            done.append((decider, decided.records))
        # At least once: everything acknowledged by the brokers, then the offsets.
        self.producer.flush(30)
        if offsets:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        for decider, records in done:
            decider.committed(records)


def _now() -> int:
    from questline.adapters.clocks import SystemClock

    return SystemClock().now()


def main(argv: list[str]) -> None:
    config_path, worker_id = argv
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    config = load_config(Path(config_path))
    # Command ids it does not remember are looked up where the worker looks them up.
    store = CassandraStore.open(config.cassandra)
    try:
        AtLeastOnceWorker(config, worker_id, store.commands.find).run(stop)
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
