"""Where each partition of the events topic ends now, read committed (the last stable
offset), asked of the broker (not a cached value): readiness, the photo sweep and
`verify` compare it with how far the projectors got."""

import uuid

from confluent_kafka import Consumer, KafkaException, TopicPartition

from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.settings import KafkaSettings


class LogEnds:
    def __init__(self, kafka: KafkaSettings, *, timeout_s: float = 5.0, purpose: str = "ends"):
        self.kafka = kafka
        self.timeout_s = timeout_s
        self._consumer = Consumer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "group.id": f"{kafka.topic_prefix}-{purpose}-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "socket.timeout.ms": max(int(timeout_s * 1000), 1000),
            }
        )

    def events(self, *, check_topic: bool = False) -> dict[int, int]:
        """Each events partition's end. Raises KafkaUnavailable saying why not (with
        `check_topic`, a missing or failed topic is told apart from no answer)."""
        topic = self.kafka.events_topic
        try:
            if check_topic:
                metadata = self._consumer.list_topics(topic=topic, timeout=self.timeout_s)
                described = metadata.topics.get(topic)
                if described is None or described.error is not None:
                    error = described.error if described is not None else "missing"
                    raise KafkaUnavailable(f"Kafka: topic {topic} is not available: {error}")
            ends: dict[int, int] = {}
            for partition in range(self.kafka.partitions):
                offsets = self._consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=self.timeout_s, cached=False
                )
                if offsets is None:
                    raise KafkaUnavailable(
                        f"Kafka: no watermarks for {topic} within {self.timeout_s} s"
                    )
                ends[partition] = int(offsets[1])
            return ends
        except KafkaException as error:
            raise KafkaUnavailable(f"Kafka is not reachable: {error}") from None

    def close(self) -> None:
        self._consumer.close()
