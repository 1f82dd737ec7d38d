"""What a cluster is doing: which worker owns which partitions, and how far behind
the workers (commands) and the projectors (events) are."""

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from questline.adapters.kafka.from_now import stable_end
from questline.cluster.config import ClusterConfig


def group_members(admin: AdminClient, group: str) -> dict[str, list[int]]:
    """client id -> partitions it holds now."""
    described = admin.describe_consumer_groups([group])[group].result(10)
    owned: dict[str, list[int]] = {}
    for member in described.members:
        partitions = member.assignment.topic_partitions if member.assignment else []
        owned.setdefault(member.client_id, []).extend(sorted(tp.partition for tp in partitions))
    return owned


def committed_offsets(
    admin: AdminClient, group: str, topic: str, partitions: int
) -> dict[int, int]:
    request = ConsumerGroupTopicPartitions(
        group, [TopicPartition(topic, p) for p in range(partitions)]
    )
    result = admin.list_consumer_group_offsets([request])[group].result(10)
    return {tp.partition: tp.offset for tp in result.topic_partitions}


def high_watermarks(config: ClusterConfig, topic: str) -> dict[int, int]:
    """Each partition's end (asked again while a just-created topic has no leader
    known yet: `cluster status` right after `cluster up`)."""
    consumer = Consumer(
        {"bootstrap.servers": config.kafka.bootstrap_servers, "group.id": "questline-status"}
    )
    try:
        return {
            p: stable_end(consumer, topic, p, timeout=20) for p in range(config.kafka.partitions)
        }
    finally:
        consumer.close()


def cluster_status(config: ClusterConfig) -> dict[str, object]:
    kafka = config.kafka
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    workers_group = f"{kafka.topic_prefix}-workers"
    commands_high = high_watermarks(config, kafka.commands_topic)
    committed = committed_offsets(admin, workers_group, kafka.commands_topic, kafka.partitions)
    command_lag = {
        p: max(high - max(committed.get(p, 0), 0), 0) for p, high in commands_high.items()
    }
    return {
        "workers": group_members(admin, workers_group),
        "projectors": group_members(admin, f"{kafka.topic_prefix}-projectors"),
        "command_lag": command_lag,
    }
