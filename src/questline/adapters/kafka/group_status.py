"""What the consumer groups and topics say: which member holds which partitions, the
offsets a group committed, and where each partition ends (read committed)."""

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from questline.adapters.kafka.from_now import stable_end
from questline.adapters.kafka.settings import KafkaSettings


class KafkaGroups:
    """The consumer groups of a cluster, as the group coordinator describes them."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka
        self._admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})

    def members(self, group: str) -> dict[str, list[int]]:
        """client id -> partitions it holds now."""
        described = self._admin.describe_consumer_groups([group])[group].result(10)
        owned: dict[str, list[int]] = {}
        for member in described.members:
            partitions = member.assignment.topic_partitions if member.assignment else []
            owned.setdefault(member.client_id, []).extend(sorted(tp.partition for tp in partitions))
        return owned

    def committed(self, group: str, topic: str) -> dict[int, int]:
        request = ConsumerGroupTopicPartitions(
            group, [TopicPartition(topic, p) for p in range(self.kafka.partitions)]
        )
        result = self._admin.list_consumer_group_offsets([request])[group].result(10)
        return {tp.partition: tp.offset for tp in result.topic_partitions}


def high_watermarks(kafka: KafkaSettings, topic: str, timeout: float = 20.0) -> dict[int, int]:
    """Each partition's end (its high watermark), asked again while a just-created
    topic has no leader known yet (`cluster status` right after `cluster up`)."""
    consumer = Consumer(
        {"bootstrap.servers": kafka.bootstrap_servers, "group.id": "questline-status"}
    )
    try:
        return {p: stable_end(consumer, topic, p, timeout=timeout) for p in range(kafka.partitions)}
    finally:
        consumer.close()
