"""Reading one events partition, read committed: events rebuild hunt state, command
records the memory of command ids."""

import time
from collections.abc import Callable

import msgspec
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from questline.adapters.kafka.messages import (
    KIND,
    KIND_COMMAND,
    decode_event,
    decode_record,
    header,
    offset_of,
)
from questline.adapters.kafka.settings import KafkaSettings
from questline.domain.events import RecordedEvent
from questline.ports import CommandRecord

# How long one consume() call may wait to fill its batch.
BATCH_WAIT_S = 0.02


class PartitionReadError(Exception):
    """The partition could not be read to its end."""


def read_partition(
    kafka: KafkaSettings,
    partition: int,
    on_event: Callable[[RecordedEvent], None],
    on_record: Callable[[CommandRecord], None] | None = None,
    *,
    start: int = 0,
    end: int | None = None,
    deadline_s: float = 60.0,
) -> int:
    """Feed every committed message of one events partition, from offset `start` to
    the end as it stands now (or only those before `end`); return the next offset to
    read. Undecodable messages are skipped here: the projector dead-letters them."""
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": "questline-restore",  # never subscribes or commits: assign only
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    try:
        topic_partition = TopicPartition(
            kafka.events_topic, partition, start if start > 0 else OFFSET_BEGINNING
        )
        _, high = consumer.get_watermark_offsets(topic_partition, timeout=10, cached=False)
        if end is not None:
            high = min(high, end)
        consumer.assign([topic_partition])
        position = max(start, 0)
        give_up = time.monotonic() + deadline_s
        while position < high:
            if time.monotonic() > give_up:
                raise PartitionReadError(
                    f"events partition {partition} did not reach offset {high} in {deadline_s} s "
                    f"(stopped at {position}): an open transaction may still be pending"
                )
            # consume() returns when it has all 5,000 or at the timeout, even with the
            # partition's end in hand: a short one, or every restore pays it whole.
            for message in consumer.consume(num_messages=5000, timeout=BATCH_WAIT_S):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        position = max(position, offset_of(message))
                        continue
                    raise PartitionReadError(f"reading events partition {partition}: {error}")
                offset = offset_of(message)
                if end is not None and offset >= end:
                    position = max(position, end)
                    continue
                position = offset + 1
                value = message.value() or b""
                try:
                    if header(message.headers(), KIND) == KIND_COMMAND:
                        if on_record is not None:
                            on_record(decode_record(value))
                    else:
                        on_event(decode_event(value, offset))
                except (ValueError, msgspec.MsgspecError):
                    continue
            if position < high:
                # Aborted transactions and markers leave gaps: ask where the end really is.
                committed_end = consumer.position([topic_partition])[0].offset
                if committed_end >= high:
                    position = committed_end
        return position if end is None else min(position, end)
    finally:
        consumer.close()
