"""What the consumer groups and topics say: which member holds which partitions, the
offsets a group committed, and where each partition ends (read committed)."""

import time
from collections.abc import Callable
from typing import TypeVar

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from questline.adapters.kafka.from_now import stable_end
from questline.adapters.kafka.settings import KafkaSettings

T = TypeVar("T")
# A coordinator that is still loading its groups (a broker just started, or a group
# just moved) answers with a retriable error for a few seconds: ask again meanwhile.
ASK_FOR_S = 20.0
# Retriable whatever the error's flag says (admin results do not always set it).
_COORDINATOR_BUSY = frozenset(
    {
        KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
        KafkaError.COORDINATOR_NOT_AVAILABLE,
        KafkaError.NOT_COORDINATOR,
    }
)


def asked(
    question: Callable[[], T],
    ask_for_s: float = ASK_FOR_S,
    renew: Callable[[], None] | None = None,
) -> T:
    """The answer, asked again with backoff while Kafka says it is worth retrying;
    `renew` is called before each new try (a fresh client: see KafkaGroups)."""
    give_up = time.monotonic() + ask_for_s
    pause = 0.05
    while True:
        try:
            return question()
        except KafkaException as failure:
            error = failure.args[0] if failure.args else None
            retriable = isinstance(error, KafkaError) and (
                error.retriable() or error.code() in _COORDINATOR_BUSY
            )
            if not retriable or time.monotonic() + pause > give_up:
                raise
        time.sleep(pause)  # backoff between two questions to a broker, not a wait for a test
        pause = min(pause * 2, 1.0)
        if renew is not None:
            renew()


class KafkaGroups:
    """The consumer groups of a cluster, as the group coordinator describes them.

    A question that failed is asked again on a new admin client: librdkafka's admin
    requests that time out or fail and are asked again on the same client have crashed
    the process (librdkafka #4605; `cluster status` right after `cluster up` died once
    with SIGSEGV while the coordinator was still loading)."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka
        self._admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})

    def _renew(self) -> None:
        self._admin = AdminClient({"bootstrap.servers": self.kafka.bootstrap_servers})

    def members(self, group: str) -> dict[str, list[int]]:
        """client id -> partitions it holds now."""
        described = asked(
            lambda: self._admin.describe_consumer_groups([group])[group].result(10),
            renew=self._renew,
        )
        owned: dict[str, list[int]] = {}
        for member in described.members:
            partitions = member.assignment.topic_partitions if member.assignment else []
            owned.setdefault(member.client_id, []).extend(sorted(tp.partition for tp in partitions))
        return owned

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """The offsets `group` committed on `topic` (negative: none yet).

        Asked by a consumer of the group that never joins it (no subscribe, nothing
        committed), not by the admin client: librdkafka's admin OffsetFetch answered
        NOT_COORDINATOR (a coordinator still loading, right after `cluster up`) goes to
        a consumer group the admin client does not have, and crashes the process
        (confluent-kafka-python #1982, confluent-kafka-javascript #374: SIGSEGV in
        rd_kafka_cgrp_op with no group). `cluster status` died so, with no output."""
        partitions = [TopicPartition(topic, p) for p in range(self.kafka.partitions)]
        consumer = Consumer(
            {
                "bootstrap.servers": self.kafka.bootstrap_servers,
                "group.id": group,
                "enable.auto.commit": False,
            }
        )
        try:
            found = asked(lambda: consumer.committed(partitions, timeout=10))
        finally:
            consumer.close()
        return {tp.partition: tp.offset for tp in found}


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
