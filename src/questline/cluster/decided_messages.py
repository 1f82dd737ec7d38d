"""What a decided batch becomes on Kafka: its events and command records on the
hunt's events partition, and each outcome on the replies partition its command
named. Workers produce these inside their transaction; the at-least-once
benchmark peer produces the very same messages without one.

A command whose message cannot be encoded, or is larger than the producer takes
(`message.max.bytes`), raises `UnwritableCommand` naming it, so a worker can abort,
set that one command aside and go on, instead of failing its whole batch again
and again."""

from collections.abc import Mapping

from confluent_kafka import KafkaError, KafkaException, Producer

from questline.adapters.kafka.messages import KIND, KIND_COMMAND, KIND_EVENT, encode, encode_event
from questline.cluster.config import KafkaSettings
from questline.domain.rejections import Rejection
from questline.engine.batch_decider import DecidedBatch, with_events
from questline.engine.envelopes import Outcome
from questline.engine.unwritable import UNWRITABLE_ERRORS, reason_of


class UnwritableCommand(Exception):
    """A command whose messages cannot be encoded or produced."""

    def __init__(self, command_id: str, reason: str) -> None:
        self.command_id = command_id
        self.reason = reason
        super().__init__(f"command {command_id} cannot be written: {reason}")


def produce_decided(
    producer: Producer,
    kafka: KafkaSettings,
    partition: int,
    decided: DecidedBatch,
    replies: Mapping[str, bytes | None],
) -> None:
    """`replies`: each command's reply-to partition (from its header), or None.
    Raises UnwritableCommand; what was produced before it must then be aborted."""
    command_id = ""
    try:
        for recorded in decided.events:
            command_id = recorded.command_id
            producer.produce(
                kafka.events_topic,
                key=recorded.hunt_id.encode(),
                value=encode_event(recorded),
                partition=partition,
                headers=[(KIND, KIND_EVENT)],
            )
        for record in decided.records:
            command_id = record.command_id
            producer.produce(
                kafka.events_topic,
                key=record.hunt_id.encode(),
                value=encode(record),
                partition=partition,
                headers=[(KIND, KIND_COMMAND)],
            )
        for outcome in with_events(decided.outcomes, decided.events):
            command_id = outcome.command_id
            reply_to = replies.get(command_id)
            if reply_to is not None and reply_to.isdigit():
                producer.produce(
                    kafka.replies_topic,
                    key=command_id.encode(),
                    value=encode(outcome),  # its events tell the API node what to wait for
                    partition=int(reply_to),
                )
    except UNWRITABLE_ERRORS as error:
        raise UnwritableCommand(command_id, reason_of(error)) from error
    except KafkaException as error:
        if too_large(error):
            raise UnwritableCommand(command_id, "a message larger than Kafka takes") from error
        raise


def produce_refusal(
    producer: Producer,
    kafka: KafkaSettings,
    command_id: str,
    reply_to: bytes | None,
    refusal: Rejection,
) -> None:
    """Answer a command that was set aside, so its caller is not left waiting."""
    if reply_to is not None and reply_to.isdigit():
        producer.produce(
            kafka.replies_topic,
            key=command_id.encode(),
            value=encode(Outcome(command_id, rejection=refusal)),
            partition=int(reply_to),
        )


def too_large(error: KafkaException) -> bool:
    kafka_error = error.args[0] if error.args else None
    return isinstance(kafka_error, KafkaError) and (
        kafka_error.code() == KafkaError.MSG_SIZE_TOO_LARGE
    )
