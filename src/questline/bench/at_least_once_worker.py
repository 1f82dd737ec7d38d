"""The cluster suite's peer: the usual at-least-once consumer loop, with the same
BatchDecider and command window as the partition worker (restored the same way,
from the events partition; no store lookups on the hot path either), the same
messages and the same metrics and log lines (a line per batch and partition, one
per event), but no Kafka transactions. It produces events, command records and
replies with an idempotent producer, waits for their acks (flush, once per poll),
then commits the consumed offsets. A crash between the two re-decides the batch
and writes its events twice: the duplicates exactly-once exists to prevent. Only
the price is measured here.

Run as a process: `python -m questline.bench.at_least_once_worker CONFIG ID`.
"""

import signal
import sys
import threading
import time
from pathlib import Path

from confluent_kafka import Producer, TopicPartition

from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.appended_messages import produce_append
from questline.adapters.kafka.command_source import KafkaCommandSource
from questline.adapters.kafka.partition_log import KafkaPartitionLog
from questline.cluster.config import ClusterConfig, load_config
from questline.engine.batch_decider import BatchDecider, with_events
from questline.engine.partition_restore import restore_partition
from questline.observability.cluster import WorkerObserver
from questline.observability.logs import ensure_logging
from questline.ports import Answer, CommandRecord, LogAppend

ROLE = "alo-workers"  # its own consumer group: never mixed with the real workers


class AtLeastOnceWorker:
    def __init__(self, config: ClusterConfig, worker_id: str, max_batch: int = 8000) -> None:
        self.config = config
        self.max_batch = max_batch
        self.clock = SystemClock()
        self.deciders: dict[int, BatchDecider] = {}
        self.observer = WorkerObserver(worker_id, config.kafka.commands_topic)
        self.source = KafkaCommandSource(
            config.kafka,
            ROLE,
            worker_id,
            session_timeout_ms=config.session_timeout_ms,
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
        )
        self.producer = Producer(
            {
                "bootstrap.servers": config.kafka.bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 2,
            }
        )

    def _on_assign(self, partitions: list[int]) -> None:
        for partition in partitions:
            log = KafkaPartitionLog(self.config.kafka, partition)  # read only
            restored = restore_partition(log, None, self.config.window_size)  # as a worker
            self.deciders[partition] = restored.decider

    def _on_revoke(self, partitions: list[int]) -> None:
        for partition in partitions:
            self.deciders.pop(partition, None)

    def run(self, stop: threading.Event) -> None:
        self.source.start()
        try:
            while not stop.is_set():
                self._process()
        finally:
            self.source.close()
            self.producer.flush(10)

    def _process(self) -> None:
        kafka = self.config.kafka
        polled = self.source.poll(self.max_batch, 0.01)
        if not polled:
            return
        now = self.clock.now()
        offsets = []
        done: list[tuple[int, BatchDecider, list[CommandRecord]]] = []
        for partition, commands in polled.items():
            decider = self.deciders.get(partition)
            if decider is None:
                continue
            self.observer.begin(partition)
            envelopes = [c.envelope for c in commands if c.envelope is not None]
            replies = {c.envelope.command_id: c.reply_to for c in commands if c.envelope}
            decided = decider.decide_batch(envelopes, now, lambda ids: {})
            outcomes = with_events(decided.outcomes, decided.events)
            batch = LogAppend(
                events=decided.events,
                records=decided.records,
                answers=[Answer(o, replies.get(o.command_id)) for o in outcomes],
                set_aside=[],
                consumed=commands[-1].position + 1,
            )
            self.observer.decided(
                partition,
                commands[0].position,
                commands[-1].position,
                len(commands),
                envelopes,
                decided.events,
            )
            produce_append(self.producer, kafka, partition, batch)
            offsets.append(TopicPartition(kafka.commands_topic, partition, batch.consumed))
            done.append((partition, decider, decided.records))
        # At least once: everything acknowledged by the brokers, then the offsets.
        started = time.perf_counter()
        self.producer.flush(30)
        if offsets:
            self.source.consumer.commit(offsets=offsets, asynchronous=False)
        seconds = time.perf_counter() - started
        for partition, decider, records in done:
            decider.committed(records)
            self.observer.committed(partition, seconds)


def main(argv: list[str]) -> None:
    config_path, worker_id = argv
    ensure_logging()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    AtLeastOnceWorker(load_config(Path(config_path)), worker_id).run(stop)


if __name__ == "__main__":
    main(sys.argv[1:])
