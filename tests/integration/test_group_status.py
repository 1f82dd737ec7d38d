"""What `cluster status` asks Kafka about a consumer group, on the session's broker:
the offsets a group committed, read without joining or committing for the group."""

import uuid

import pytest
from confluent_kafka import Consumer, TopicPartition

from questline.adapters.kafka.group_status import KafkaGroups
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.kafka.topics import ensure_topics
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration


def test_committed_offsets_are_read_without_touching_the_group(
    kafka_cluster: KafkaCluster,
) -> None:
    kafka = KafkaSettings(
        bootstrap_servers=kafka_cluster.bootstrap_servers,
        partitions=2,
        topic_prefix=f"status-{uuid.uuid4().hex[:8]}",
    )
    ensure_topics(kafka)
    group = f"{kafka.topic_prefix}-workers"
    groups = KafkaGroups(kafka)
    # A group that never committed (asked first: the coordinator has never seen it).
    assert all(offset < 0 for offset in groups.committed(group, kafka.commands_topic).values())
    member = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": group,
            "enable.auto.commit": False,
        }
    )
    try:
        member.commit(offsets=[TopicPartition(kafka.commands_topic, 1, 7)], asynchronous=False)
    finally:
        member.close()
    for _ in range(2):  # asking twice changes nothing: the asker commits nothing
        committed = groups.committed(group, kafka.commands_topic)
        assert committed[1] == 7 and committed[0] < 0
