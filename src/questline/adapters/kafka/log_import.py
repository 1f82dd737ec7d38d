"""`questline import --cluster`: rebuild a FRESH cluster's Kafka log from an export
file.

The events (and command records) go to the events topic, each on its hunt's partition,
in ONE Kafka transaction: committed all together, or aborted and invisible to every
(read-committed) reader. Projectors then build the read models from them as from any
other events; workers started afterwards restore their partitions from them."""

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confluent_kafka import KafkaException, Producer

from questline.adapters.event_lines import encode_line
from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.group_status import KafkaGroups, high_watermarks
from questline.adapters.kafka.messages import KIND, KIND_COMMAND, KIND_EVENT, encode
from questline.adapters.kafka.partition_reader import read_partition
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.log_file import Entry
from questline.ports import CommandRecord, partition_of

Progress = Callable[[int, int], None]
# Kafka brokers refuse longer transactions by default (transaction.max.timeout.ms).
TRANSACTION_TIMEOUT_MS = 900_000


class ImportRefused(Exception):
    """The cluster is not fresh, or Kafka refused the transaction: nothing was imported."""


class _Found(Exception):  # not a ValueError: read_partition skips those
    pass


@dataclass
class ImportCounts:
    events: int = 0
    records: int = 0
    hunts: int = 0


def check_fresh(kafka: KafkaSettings, *, events_topic_created: bool = False) -> None:
    """Refuse a cluster whose events topic holds a committed event or record, or whose
    workers are running (they restored their partitions before the import and would
    decide new commands against empty state). A topic just created is empty (and its
    partitions may not have a leader to ask yet). Raises KafkaUnavailable when Kafka
    does not answer."""
    try:
        _check_fresh(kafka, events_topic_created)
    except KafkaException as error:
        raise KafkaUnavailable(
            f"cannot reach Kafka at {kafka.bootstrap_servers}: {error}"
        ) from None


def _check_fresh(kafka: KafkaSettings, events_topic_created: bool) -> None:
    highs = {} if events_topic_created else high_watermarks(kafka, kafka.events_topic)
    for partition, high in highs.items():
        if high == 0:
            continue

        def found(_: object) -> None:
            raise _Found

        try:
            read_partition(kafka, partition, found, found)
        except _Found:
            raise ImportRefused(
                f"the events topic {kafka.events_topic} already holds events (partition "
                f"{partition}): import rebuilds a fresh cluster only; give it a new "
                "kafka.topic_prefix and cassandra.keyspace"
            ) from None
    workers = KafkaGroups(kafka).members(f"{kafka.topic_prefix}-workers")
    if workers:
        raise ImportRefused(
            f"workers are running ({', '.join(sorted(workers))}): stop them, import, then "
            "start them, so they restore their partitions from the imported log"
        )


def import_log(
    kafka: KafkaSettings,
    entries: Sequence[Entry],
    progress: Progress | None = None,
    *,
    transaction_timeout_ms: int = TRANSACTION_TIMEOUT_MS,
) -> ImportCounts:
    """Produce every entry in one transaction. Call `check_fresh` first."""
    producer = Producer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "transactional.id": f"{kafka.topic_prefix}-import",
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 20,
            "transaction.timeout.ms": transaction_timeout_ms,
        }
    )
    counts = ImportCounts()
    hunts: set[str] = set()
    try:
        producer.init_transactions(30)
        producer.begin_transaction()
        for done, entry in enumerate(entries, 1):
            partition = partition_of(entry.hunt_id, kafka.partitions)
            if isinstance(entry, CommandRecord):
                value, kind = encode(entry), KIND_COMMAND
                counts.records += 1
            else:
                value, kind = encode_line(entry), KIND_EVENT
                counts.events += 1
                hunts.add(entry.hunt_id)
            _produce(producer, kafka.events_topic, entry.hunt_id, value, partition, kind)
            if progress is not None and done % 1000 == 0:
                progress(done, len(entries))
        producer.commit_transaction(transaction_timeout_ms / 1000)
    except KafkaException as error:
        with contextlib.suppress(KafkaException):  # else the broker aborts it at its timeout
            producer.abort_transaction(30)
        raise ImportRefused(f"Kafka refused the import ({error}); nothing was imported") from None
    if progress is not None:
        progress(len(entries), len(entries))
    counts.hunts = len(hunts)
    return counts


def _produce(
    producer: Producer, topic: str, key: str, value: bytes, partition: int, kind: bytes
) -> None:
    while True:
        try:
            producer.produce(
                topic, key=key.encode(), value=value, partition=partition, headers=[(KIND, kind)]
            )
            return
        except BufferError:  # the local queue is full: let it drain to the broker
            producer.poll(0.1)
