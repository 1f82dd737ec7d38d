"""The consumer every cluster group member uses: cooperative rebalancing, committed
reads only, offsets under the member's own control; and what it means when the
broker will not let a member join."""

from typing import Any

from confluent_kafka import Consumer, KafkaError

from questline.adapters.kafka.settings import KafkaSettings


class GroupRefused(Exception):
    """The broker refuses this member its group for a setting: retrying cannot help,
    and a member that kept polling would sit there owning nothing, silently."""


def group_consumer(
    kafka: KafkaSettings, role: str, member: str, session_timeout_ms: int, **extra: Any
) -> Consumer:
    """A member of the `<prefix>-<role>` group (workers, projectors), named `member`.
    Heartbeats every quarter of the session: a member that dies is noticed one session
    after its last heartbeat, and the others hear of the rebalance within one beat."""
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
            "heartbeat.interval.ms": max(session_timeout_ms // 4, 250),
            **extra,
        }
    )


def check_membership(error: KafkaError, session_timeout_ms: int) -> None:
    """Raise GroupRefused if a consumer error says the member cannot join as set up."""
    if error.code() == KafkaError.INVALID_SESSION_TIMEOUT:
        raise GroupRefused(
            f"the Kafka broker refuses a consumer group session timeout of "
            f"{session_timeout_ms} ms (brokers allow group.min.session.timeout.ms to "
            "group.max.session.timeout.ms, 6000 to 1800000 by default): set the brokers' "
            f"group.min.session.timeout.ms to {session_timeout_ms} or less, or raise "
            "session_timeout_ms in the cluster file"
        )
