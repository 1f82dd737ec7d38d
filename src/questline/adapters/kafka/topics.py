"""Creating the topics with explicit partition counts and configs."""

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.partitioning import check_partitioning, check_unrecorded_log
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
        NewTopic(  # the partitioning scheme: never compacted, never expired
            kafka.meta_topic,
            1,
            rf,
            config={
                **common,
                "retention.ms": "-1",
                "retention.bytes": "-1",
                "cleanup.policy": "delete",
            },
        ),
    ]


def ensure_topics(kafka: KafkaSettings, timeout: float = 30.0) -> list[str]:
    """Create whichever topics are missing and check (or, on a new log, record) the
    partitioning scheme; return the names created. Raises PartitioningMismatch when
    the log has another scheme than `kafka`'s, KafkaUnavailable when Kafka does not
    answer or refuses."""
    try:
        return _ensure_topics(kafka, timeout)
    except KafkaException as error:
        raise KafkaUnavailable(
            f"cannot reach Kafka at {kafka.bootstrap_servers}: {error}"
        ) from None


def _ensure_topics(kafka: KafkaSettings, timeout: float) -> list[str]:
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    existing = set(admin.list_topics(timeout=timeout).topics)
    if kafka.events_topic in existing and kafka.meta_topic not in existing:
        check_unrecorded_log(kafka, admin)  # before anything is created beside it
    missing = [spec for spec in topic_specs(kafka) if spec.topic not in existing]
    created = []
    if missing:
        futures = admin.create_topics(missing, operation_timeout=timeout, request_timeout=timeout)
        for name, future in futures.items():
            try:
                future.result(timeout)
                created.append(name)
            except KafkaException as error:
                if "TOPIC_ALREADY_EXISTS" not in str(error):
                    raise
    check_partitioning(kafka, admin)
    return created
