"""What a decided batch becomes on Kafka: its events and command records on the
hunt's events partition, and each outcome on the replies partition its command
named. Workers produce these inside their transaction; the at-least-once
benchmark peer produces the very same messages without one."""

from collections.abc import Mapping

from confluent_kafka import Producer

from questline.adapters.kafka.messages import KIND, KIND_COMMAND, KIND_EVENT, encode, encode_event
from questline.cluster.config import KafkaSettings
from questline.engine.batch_decider import DecidedBatch, with_events


def produce_decided(
    producer: Producer,
    kafka: KafkaSettings,
    partition: int,
    decided: DecidedBatch,
    replies: Mapping[str, bytes | None],
) -> None:
    """`replies`: each command's reply-to partition (from its header), or None."""
    for recorded in decided.events:
        producer.produce(
            kafka.events_topic,
            key=recorded.hunt_id.encode(),
            value=encode_event(recorded),
            partition=partition,
            headers=[(KIND, KIND_EVENT)],
        )
    for record in decided.records:
        producer.produce(
            kafka.events_topic,
            key=record.hunt_id.encode(),
            value=encode(record),
            partition=partition,
            headers=[(KIND, KIND_COMMAND)],
        )
    for outcome in with_events(decided.outcomes, decided.events):
        reply_to = replies.get(outcome.command_id)
        if reply_to is not None and reply_to.isdigit():
            producer.produce(
                kafka.replies_topic,
                key=outcome.command_id.encode(),
                value=encode(outcome),  # its events tell the API node what to wait for
                partition=int(reply_to),
            )
