"""An API node's events tail, on the real broker: what is committed after `start`
returns reaches the listeners, even when it is committed at once (the tail fixes its
starting offsets before returning; a lazily resolved end once skipped such an event
and a watcher of a fresh hunt never saw its first solve)."""

import threading

import pytest
from confluent_kafka import Producer
from tests.integration.cluster_support import fresh_config

from questline.adapters.kafka.messages import KIND, KIND_EVENT, encode_event
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.events_tail import EventsTail
from questline.domain.events import AnnouncementMade, RecordedEvent
from questline.domain.projections.rows import Changes
from questline.ports import Outcome
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _announcement(hunt_id: str, version: int, text: str) -> RecordedEvent:
    return RecordedEvent(hunt_id, version, 0, f"cmd-{version}", AnnouncementMade(text))


def test_an_event_committed_right_after_start_reaches_the_listeners(
    kafka_cluster: KafkaCluster,
    cassandra_cluster: CassandraCluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = fresh_config(kafka_cluster, cassandra_cluster, partitions=2)
    ensure_topics(config.kafka)
    topic = config.kafka.events_topic
    producer = Producer({"bootstrap.servers": config.kafka.bootstrap_servers})
    headers = [(KIND, KIND_EVENT)]
    # Already in the log before the tail starts: not news, never handed over.
    before = _announcement("tail-hunt", 1, "before")
    producer.produce(topic, encode_event(before), partition=0, headers=headers)
    assert producer.flush(30) == 0
    seen: list[str] = []
    arrived = threading.Event()

    def listener(outcomes: list[Outcome], changes: Changes) -> None:
        for outcome in outcomes:
            for recorded in outcome.events:
                assert isinstance(recorded.event, AnnouncementMade)
                seen.append(recorded.event.text)
                if recorded.event.text == "after":
                    arrived.set()

    tail = EventsTail(config, [listener])
    with caplog.at_level("WARNING"):
        tail.start()  # its new consumer knows no leader yet: it asks until it does
    try:
        assert "no end offset" not in caplog.text
        # The producer's connection is warm, so this lands within milliseconds, on a
        # partition nothing was written to yet.
        after = _announcement("tail-hunt", 2, "after")
        producer.produce(topic, encode_event(after), partition=1, headers=headers)
        assert producer.flush(30) == 0
        assert arrived.wait(30), f"the tail handed over {seen}, not the event made after start"
        assert seen == ["after"]
    finally:
        tail.stop()
