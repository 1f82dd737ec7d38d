"""`questline export --cluster`: every events partition, read committed, as the lines
`questline export` writes (events and command records, in each partition's order).

Each partition is read to its end as it stands when its turn comes, so every hunt
(one partition holds all of a hunt) is exported as a whole prefix of its log."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from confluent_kafka import Consumer, KafkaException, TopicPartition

from questline.adapters.event_lines import encode_line
from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.partition_reader import PartitionReadError, read_partition
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.log_file import encode_record_line
from questline.domain.events import RecordedEvent
from questline.ports import CommandRecord, partition_of

Progress = Callable[[int, int], None]  # (messages read, messages in all)


@dataclass
class ExportCounts:
    events: int = 0
    records: int = 0
    partitions: int = 0


def messages_in(kafka: KafkaSettings, partitions: list[int]) -> int:
    """Messages (transaction markers included) in these events partitions now: the
    progress bar's total."""
    consumer = Consumer(
        {"bootstrap.servers": kafka.bootstrap_servers, "group.id": "questline-export"}
    )
    try:
        total = 0
        for partition in partitions:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(kafka.events_topic, partition), timeout=10, cached=False
            )
            total += max(high - low, 0)
        return total
    finally:
        consumer.close()


def export_log(
    kafka: KafkaSettings,
    sink: BinaryIO,
    hunt_id: str | None = None,
    progress: Progress | None = None,
) -> ExportCounts:
    """Raises KafkaUnavailable when Kafka does not answer or a partition cannot be
    read to its end."""
    try:
        return _export(kafka, sink, hunt_id, progress)
    except (KafkaException, PartitionReadError) as error:
        raise KafkaUnavailable(str(error)) from None


def _export(
    kafka: KafkaSettings,
    sink: BinaryIO,
    hunt_id: str | None,
    progress: Progress | None,
) -> ExportCounts:
    if hunt_id is None:
        partitions = list(range(kafka.partitions))
    else:
        partitions = [partition_of(hunt_id, kafka.partitions)]
    total = messages_in(kafka, partitions)
    counts = ExportCounts()
    read = 0

    def tick() -> None:
        nonlocal read
        read += 1
        if progress is not None and read % 1000 == 0:
            progress(read, total)

    def on_event(recorded: RecordedEvent) -> None:
        tick()
        if hunt_id is None or recorded.hunt_id == hunt_id:
            sink.write(encode_line(recorded) + b"\n")
            counts.events += 1

    def on_record(record: CommandRecord) -> None:
        tick()
        if hunt_id is None or record.hunt_id == hunt_id:
            sink.write(encode_record_line(record) + b"\n")
            counts.records += 1

    for partition in partitions:
        read_partition(kafka, partition, on_event, on_record, deadline_s=600.0)
        counts.partitions += 1
    if progress is not None:
        progress(read, read)  # markers and aborted messages counted in `total` are not read
    return counts
