"""A partition writer's command stream on Kafka: a member of a consumer group over the
commands topic (cooperative-sticky, read committed), handing over each partition's
commands decoded, with their offsets and where their answers go.

The group says which partitions this member owns: `on_assign` runs (inside the
rebalance, before any of the partition's commands are fetched) for partitions it
gains, `on_revoke` for those it loses or lost. A writer's position in a partition
is committed with its log append (Kafka: in the transaction), not by this source."""

import logging
from collections import defaultdict
from collections.abc import Callable

import msgspec
from confluent_kafka import Consumer, Message, TopicPartition

from questline.adapters.kafka.group_member import check_membership, group_consumer
from questline.adapters.kafka.messages import (
    REPLY_TO,
    decode_envelope,
    header,
    offset_of,
    partition_of_message,
    restore_request,
)
from questline.adapters.kafka.settings import KafkaSettings
from questline.ports import IncomingCommand

log = logging.getLogger(__name__)

Partitions = Callable[[list[int]], None]


def incoming(message: Message) -> IncomingCommand:
    """A commands-topic message as a writer receives it."""
    value = message.value() or b""
    position = offset_of(message)
    key = message.key()
    discarded = restore_request(message)
    if discarded is not None:
        return IncomingCommand(position, value, key, restore=tuple(discarded))
    reply_to = header(message.headers(), REPLY_TO)
    reply = reply_to.decode("ascii", "replace") if reply_to is not None else None
    try:
        envelope = decode_envelope(value)
    except (msgspec.MsgspecError, ValueError) as error:
        return IncomingCommand(position, value, key, reply_to=reply, problem=str(error))
    return IncomingCommand(position, value, key, envelope=envelope, reply_to=reply)


class KafkaCommandSource:
    def __init__(
        self,
        kafka: KafkaSettings,
        role: str,
        member: str,
        *,
        session_timeout_ms: int,
        on_assign: Partitions,
        on_revoke: Partitions,
    ) -> None:
        self.kafka = kafka
        self.session_timeout_ms = session_timeout_ms
        self.consumer = group_consumer(kafka, role, member, session_timeout_ms)
        self._on_assign = on_assign
        self._on_revoke = on_revoke

    def start(self) -> None:
        self.consumer.subscribe(
            [self.kafka.commands_topic],
            on_assign=self._assigned,
            on_revoke=self._revoked,
            on_lost=self._revoked,
        )

    def _assigned(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._on_assign([tp.partition for tp in partitions])
        consumer.incremental_assign(partitions)

    def _revoked(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._on_revoke([tp.partition for tp in partitions])
        consumer.incremental_unassign(partitions)

    def poll(self, max_commands: int, timeout_s: float) -> dict[int, list[IncomingCommand]]:
        """The commands fetched by now, by partition, in order: waits up to `timeout_s`
        for the first, then takes whatever else has arrived already, up to
        `max_commands` in all. A backlog is thus handed over in large batches (one
        transaction each per partition), a trickle without waiting for more. Raises
        GroupRefused when the broker will not have this member in the group."""
        by_partition: dict[int, list[IncomingCommand]] = defaultdict(list)
        taken = 0
        timeout = timeout_s
        while taken < max_commands:
            messages = self.consumer.consume(num_messages=max_commands - taken, timeout=timeout)
            if not messages:
                break
            taken += len(messages)
            for message in messages:
                error = message.error()
                if error is None:
                    by_partition[partition_of_message(message)].append(incoming(message))
                else:
                    check_membership(error, self.session_timeout_ms)
            timeout = 0
        return by_partition

    def committed(self, partition: int) -> int:
        """The partition's position as last committed (0: none yet)."""
        [committed] = self.consumer.committed(
            [TopicPartition(self.kafka.commands_topic, partition)], timeout=30
        )
        return max(committed.offset, 0)

    def rewind(self, partition: int, position: int) -> None:
        """Fetch the partition again from `position` (after a failed append)."""
        self.consumer.seek(TopicPartition(self.kafka.commands_topic, partition, position))

    def group_metadata(self) -> object:
        return self.consumer.consumer_group_metadata()

    def close(self) -> None:
        """Leave the group: the partitions are handed back at once."""
        self.consumer.close()
