"""What an appended batch becomes on Kafka: the set-aside commands on the dead-letter
topic, the events and command records on the hunt's events partition, and each
answer on the replies partition its command named. A partition writer produces
these inside its transaction; the at-least-once benchmark peer produces the very
same messages without one.

A command whose message cannot be encoded, or is larger than the producer takes
(`message.max.bytes`), raises `UnwritableCommand` naming it, so the writer can set
that one command aside and go on, instead of failing its whole batch again and
again."""

from confluent_kafka import KafkaException, Producer

from questline.adapters.kafka.dead_letters import send_dead_letter, too_large
from questline.adapters.kafka.messages import KIND, KIND_COMMAND, KIND_EVENT, encode, encode_event
from questline.adapters.kafka.settings import KafkaSettings
from questline.ports import UNWRITABLE_ERRORS, LogAppend, UnwritableCommand, reason_of


def produce_append(
    producer: Producer, kafka: KafkaSettings, partition: int, batch: LogAppend
) -> None:
    """Raises UnwritableCommand; what was produced before it must then be aborted."""
    for aside in batch.set_aside:
        send_dead_letter(
            producer,
            kafka,
            aside.error,
            aside.stage,
            topic=kafka.commands_topic,
            partition=partition,
            offset=aside.command.position,
            key=aside.command.key,
            value=aside.command.value,
        )
    command_id = ""
    try:
        for recorded in batch.events:
            command_id = recorded.command_id
            producer.produce(
                kafka.events_topic,
                key=recorded.hunt_id.encode(),
                value=encode_event(recorded),
                partition=partition,
                headers=[(KIND, KIND_EVENT)],
            )
        for record in batch.records:
            command_id = record.command_id
            producer.produce(
                kafka.events_topic,
                key=record.hunt_id.encode(),
                value=encode(record),
                partition=partition,
                headers=[(KIND, KIND_COMMAND)],
            )
        for answer in batch.answers:
            command_id = answer.outcome.command_id
            reply_to = answer.reply_to
            if reply_to is not None and reply_to.isdigit():
                producer.produce(
                    kafka.replies_topic,
                    key=command_id.encode(),
                    value=encode(answer.outcome),  # its events tell the API node what to await
                    partition=int(reply_to),
                )
    except UNWRITABLE_ERRORS as error:
        raise UnwritableCommand(command_id, reason_of(error)) from error
    except KafkaException as error:
        if too_large(error):
            raise UnwritableCommand(command_id, "a message larger than Kafka takes") from error
        raise
