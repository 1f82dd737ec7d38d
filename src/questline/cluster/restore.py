"""Rebuilding a partition's state: the newest usable snapshot, then the events
topic after it (read committed)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

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
from questline.cluster.config import ClusterConfig
from questline.cluster.snapshot_keeper import newest_usable
from questline.domain.events import RecordedEvent
from questline.domain.timestamps import Micros
from questline.engine.batch_decider import BatchDecider
from questline.engine.partition_snapshots import deciders_of
from questline.ports import CommandRecord, PartitionSnapshotStore


class RestoreError(Exception):
    pass


def read_partition(
    config: ClusterConfig,
    partition: int,
    on_event: Callable[[RecordedEvent], None],
    on_record: Callable[[CommandRecord], None] | None = None,
    *,
    start: int = OFFSET_BEGINNING,
    end: int | None = None,
    deadline_s: float = 60.0,
) -> int:
    """Feed every committed message of one events partition, from `start` to the end
    as it stands now (or only those before `end`); return the next offset to read.
    Undecodable messages are skipped here: the projector dead-letters them."""
    kafka = config.kafka
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
        topic_partition = TopicPartition(kafka.events_topic, partition, start)
        _, high = consumer.get_watermark_offsets(topic_partition, timeout=10, cached=False)
        if end is not None:
            high = min(high, end)
        consumer.assign([topic_partition])
        position = 0 if start == OFFSET_BEGINNING else start
        give_up = time.monotonic() + deadline_s
        while position < high:
            if time.monotonic() > give_up:
                raise RestoreError(
                    f"events partition {partition} did not reach offset {high} in {deadline_s} s "
                    f"(stopped at {position}): an open transaction may still be pending"
                )
            for message in consumer.consume(num_messages=5000, timeout=0.5):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        position = max(position, offset_of(message))
                        continue
                    raise RestoreError(f"reading events partition {partition}: {error}")
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


@dataclass(frozen=True)
class Restored:
    decider: BatchDecider
    snapshot_offset: int | None  # None: replayed from the start
    replayed: int  # messages read after the snapshot
    seconds: float


def restore_decider(
    config: ClusterConfig,
    partition: int,
    snapshots: PartitionSnapshotStore | None,
    remember_since: Micros,
) -> Restored:
    """A partition's decision state: the newest usable snapshot, then the events
    partition after it. Command records decided since `remember_since` and after the
    snapshot go into memory; older ones are the lookup's to find (projectors store
    command records before they write a snapshot past them)."""
    started = time.perf_counter()
    decider = BatchDecider()
    replayed = 0

    def fold(recorded: RecordedEvent) -> None:
        nonlocal replayed
        replayed += 1
        decider.fold(recorded)

    def remember(record: CommandRecord) -> None:
        nonlocal replayed
        replayed += 1
        if record.decided_at >= remember_since:
            decider.recent.add([record])

    body = newest_usable(snapshots, partition) if snapshots is not None else None
    start = OFFSET_BEGINNING
    if body is not None:
        decider.states = deciders_of(body)
        start = body.offset
    read_partition(config, partition, fold, remember, start=start)
    return Restored(
        decider,
        body.offset if body is not None else None,
        replayed,
        time.perf_counter() - started,
    )
