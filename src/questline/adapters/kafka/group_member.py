"""The consumer every cluster group member uses: cooperative rebalancing, committed
reads only, offsets under the member's own control."""

from typing import Any

from confluent_kafka import Consumer

from questline.adapters.kafka.settings import KafkaSettings


def group_consumer(
    kafka: KafkaSettings, role: str, member: str, session_timeout_ms: int, **extra: Any
) -> Consumer:
    """A member of the `<prefix>-<role>` group (workers, projectors), named `member`."""
    return Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": f"{kafka.topic_prefix}-{role}",
            "client.id": member,
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": "cooperative-sticky",
            "session.timeout.ms": session_timeout_ms,
            "heartbeat.interval.ms": max(session_timeout_ms // 4, 500),
            **extra,
        }
    )
