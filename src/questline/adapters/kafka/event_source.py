"""A projector's view of Kafka: a member of the projectors' consumer group over the
events topic (read committed, cooperative-sticky), handing over each partition's
messages decoded, with the ends it reached; and the few messages a projector
sends: dead letters of events it cannot project, restore requests to the
partition's worker, and the record of a heal (a command for the worker).

The group says which partitions this member owns: `on_assign` runs inside the
rebalance for partitions it gains and returns the offset to read each from;
`on_revoke` runs for those it loses."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    Message,
    Producer,
    TopicPartition,
)

from questline.adapters.kafka.dead_letters import dead_letter
from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.group_member import check_membership, group_consumer
from questline.adapters.kafka.messages import (
    KIND,
    KIND_COMMAND,
    KIND_RESTORE,
    decode_event,
    decode_record,
    encode,
    encode_restore_request,
    header,
    offset_of,
    partition_of_message,
)
from questline.adapters.kafka.settings import KafkaSettings
from questline.domain.events import RecordedEvent
from questline.ports import CommandEnvelope, CommandRecord

PROJECTORS_ROLE = "projectors"


@dataclass(frozen=True, slots=True)
class EventMessage:
    """One message of an events partition: an event, a command record, or neither
    (`problem` says why it could not be read)."""

    offset: int
    event: RecordedEvent | None
    record: CommandRecord | None
    problem: str | None
    message: Message  # for a dead letter (the original is copied)


@dataclass
class Fetched:
    messages: dict[int, list[EventMessage]]  # by partition, in order
    ends: dict[int, int]  # partitions whose end was reached: the end offset


def decoded(message: Message) -> EventMessage:
    offset = offset_of(message)
    value = message.value() or b""
    try:
        if header(message.headers(), KIND) == KIND_COMMAND:
            return EventMessage(offset, None, decode_record(value), None, message)
        return EventMessage(offset, decode_event(value, offset), None, None, message)
    except (ValueError, msgspec.MsgspecError, KeyError) as error:
        return EventMessage(offset, None, None, repr(error), message)


class KafkaEventSource:
    def __init__(
        self,
        kafka: KafkaSettings,
        member: str,
        *,
        session_timeout_ms: int,
        on_assign: Callable[[list[int]], dict[int, int]],
        on_revoke: Callable[[list[int]], None],
    ) -> None:
        self.kafka = kafka
        self.session_timeout_ms = session_timeout_ms
        self.consumer = group_consumer(
            kafka, PROJECTORS_ROLE, member, session_timeout_ms, **{"enable.partition.eof": True}
        )
        self.producer = Producer(
            {"bootstrap.servers": kafka.bootstrap_servers, "enable.idempotence": True}
        )
        self._on_assign = on_assign
        self._on_revoke = on_revoke

    def start(self) -> None:
        self.consumer.subscribe(
            [self.kafka.events_topic],
            on_assign=self._assigned,
            on_revoke=self._revoked,
            on_lost=self._revoked,
        )

    def _assigned(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        starts = self._on_assign([tp.partition for tp in partitions])
        for tp in partitions:
            start = starts.get(tp.partition, 0)
            tp.offset = start if start > 0 else OFFSET_BEGINNING
        consumer.incremental_assign(partitions)

    def _revoked(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._on_revoke([tp.partition for tp in partitions])
        consumer.incremental_unassign(partitions)

    def poll(self, max_messages: int, timeout_s: float) -> Fetched:
        fetched = Fetched(defaultdict(list), {})
        for message in self.consumer.consume(num_messages=max_messages, timeout=timeout_s):
            error = message.error()
            if error is None:
                fetched.messages[partition_of_message(message)].append(decoded(message))
            elif error.code() == KafkaError._PARTITION_EOF:
                fetched.ends[partition_of_message(message)] = offset_of(message)
            else:
                check_membership(error, self.session_timeout_ms)
        return fetched

    def seek(self, partition: int, offset: int) -> None:
        """Read the partition again from `offset`. Raises KafkaUnavailable."""
        try:
            self.consumer.seek(TopicPartition(self.kafka.events_topic, partition, offset))
        except Exception as error:  # KafkaException: not assigned (any more), or no broker
            raise KafkaUnavailable(f"seek to {offset} failed: {error}") from None

    def high_watermark(self, partition: int) -> int:
        """The end as the consumer last heard it (cached: no broker round trip)."""
        tp = TopicPartition(self.kafka.events_topic, partition)
        _, high = self.consumer.get_watermark_offsets(tp, timeout=5, cached=True)
        return int(high)

    # -- what a projector sends -----------------------------------------------------------

    def dead_letter(self, entry: EventMessage, error: str, stage: str) -> None:
        dead_letter(self.producer, self.kafka, entry.message, error, stage)

    def request_restore(self, partition: int, discarded: list[int]) -> None:
        """Ask the partition's worker to restore if its state came from one of these
        snapshots (a `kind: restore` message on the commands partition)."""
        self.producer.produce(
            self.kafka.commands_topic,
            value=encode_restore_request(sorted(discarded)),
            partition=partition,
            headers=[(KIND, KIND_RESTORE)],
        )
        self.producer.poll(0)

    def send_command(self, envelope: CommandEnvelope, partition: int) -> None:
        """A command for the partition's worker, nobody waiting for its reply."""
        self.producer.produce(
            self.kafka.commands_topic,
            key=envelope.command.hunt_id.encode(),
            value=encode(envelope),
            partition=partition,
        )
        self.producer.poll(0)

    def close(self) -> None:
        self.consumer.close()
        self.producer.flush(10)
