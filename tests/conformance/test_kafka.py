"""The partition-log and command-bus conformance suites on Kafka: the session's
broker, fresh topics per test."""

import threading
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, TopicPartition

from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.command_bus import KafkaCommandBus
from questline.adapters.kafka.partition_log import KafkaPartitionLog
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.config import ClusterConfig
from questline.cluster.worker import PartitionWorker
from questline.ports import CommandBus
from questline.servers.kafka import KafkaCluster
from tests.conformance.command_bus_cases import CommandBusConformance
from tests.conformance.partition_log_cases import OpenLog, PartitionLogConformance

pytestmark = pytest.mark.integration


class CommandsGroup:
    """The consumer group whose offsets an append commits (the workers' group)."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka
        self.consumer = Consumer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "group.id": f"{kafka.topic_prefix}-workers",
                "enable.auto.commit": False,
            }
        )

    def group_metadata(self) -> object:
        return self.consumer.consumer_group_metadata()

    def committed(self, partition: int) -> int:
        [tp] = self.consumer.committed(
            [TopicPartition(self.kafka.commands_topic, partition)], timeout=30
        )
        return max(tp.offset, 0)


class TestKafkaPartitionLog(PartitionLogConformance):
    @pytest.fixture
    def open_log(self, kafka_cluster: KafkaCluster) -> Iterator[OpenLog]:
        kafka = KafkaSettings(
            bootstrap_servers=kafka_cluster.bootstrap_servers,
            partitions=1,
            reply_partitions=1,
            topic_prefix=f"conf-{uuid.uuid4().hex[:8]}",
        )
        ensure_topics(kafka)
        group = CommandsGroup(kafka)
        opened: list[KafkaPartitionLog] = []

        def open_log() -> KafkaPartitionLog:
            opened.append(KafkaPartitionLog(kafka, 0, group, transaction_timeout_ms=10_000))
            return opened[-1]

        yield open_log
        for log in opened:
            log.close()
        group.consumer.close()


class TestKafkaCommandBus(CommandBusConformance):
    """The API node's bus, with one partition worker (on a thread) deciding."""

    @pytest.fixture
    def bus(self, kafka_cluster: KafkaCluster) -> Iterator[CommandBus]:
        kafka = KafkaSettings(
            bootstrap_servers=kafka_cluster.bootstrap_servers,
            partitions=2,
            reply_partitions=1,
            topic_prefix=f"bus-{uuid.uuid4().hex[:8]}",
        )
        ensure_topics(kafka)
        config = ClusterConfig(kafka=kafka, session_timeout_ms=6000, transaction_timeout_ms=6000)
        worker = PartitionWorker(config, "w-bus", SystemClock())
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        bus = KafkaCommandBus(kafka, 0)
        bus.start()
        try:
            yield bus
        finally:
            bus.stop()
            stop.set()
            thread.join(30)
