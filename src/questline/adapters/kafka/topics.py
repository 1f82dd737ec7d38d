"""Creating the topics with explicit partition counts and configs."""

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from questline.adapters.kafka.settings import KafkaSettings


def topic_specs(kafka: KafkaSettings) -> list[NewTopic]:
    common = {"min.insync.replicas": str(kafka.min_insync_replicas)}
    rf = kafka.replication_factor
    return [
        # commands and events are co-partitioned: partition p of both belongs to one worker
        NewTopic(
            kafka.commands_topic,
            kafka.partitions,
            rf,
            config={**common, "retention.ms": str(7 * 86_400_000)},
        ),
        NewTopic(
            kafka.events_topic,
            kafka.partitions,
            rf,
            config={
                **common,
                "retention.ms": "-1",
                "retention.bytes": "-1",
                "cleanup.policy": "delete",
            },
        ),  # the log: kept forever
        NewTopic(
            kafka.replies_topic,
            kafka.reply_partitions,
            rf,
            config={**common, "retention.ms": str(3_600_000)},
        ),
        NewTopic(
            kafka.dead_letters_topic, 1, rf, config={**common, "retention.ms": str(30 * 86_400_000)}
        ),
    ]


def ensure_topics(kafka: KafkaSettings, timeout: float = 30.0) -> list[str]:
    """Create whichever topics are missing; return the names created."""
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    existing = set(admin.list_topics(timeout=timeout).topics)
    missing = [spec for spec in topic_specs(kafka) if spec.topic not in existing]
    if not missing:
        return []
    futures = admin.create_topics(missing, operation_timeout=timeout, request_timeout=timeout)
    created = []
    for name, future in futures.items():
        try:
            future.result(timeout)
            created.append(name)
        except KafkaException as error:
            if "TOPIC_ALREADY_EXISTS" not in str(error):
                raise
    return created
