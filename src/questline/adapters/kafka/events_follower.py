"""Following the events topic from now on (read committed): each committed event as it
comes, for an API node's live stream.

"Now" is fixed when `start` returns (`from_now`: each partition's last stable offset,
asked then), so an event committed right after it is read."""

import uuid

from confluent_kafka import Consumer

from questline.adapters.kafka.from_now import from_now
from questline.adapters.kafka.messages import KIND, KIND_EVENT, decode_event, header, offset_of
from questline.adapters.kafka.settings import KafkaSettings
from questline.domain.events import RecordedEvent


class EventsFollower:
    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka
        self._consumer: Consumer | None = None

    def start(self) -> None:
        kafka = self.kafka
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

    def next_events(self, timeout_s: float, limit: int = 1000) -> list[RecordedEvent]:
        """The events committed since the last call (waits up to `timeout_s` for one);
        command records and undecodable messages are skipped."""
        consumer = self._consumer
        assert consumer is not None, "start() assigns the consumer"
        events: list[RecordedEvent] = []
        for message in consumer.consume(num_messages=limit, timeout=timeout_s):
            if message.error() is not None or header(message.headers(), KIND) != KIND_EVENT:
                continue
            try:
                events.append(decode_event(message.value() or b"", offset_of(message)))
            except ValueError:
                continue
        return events

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
