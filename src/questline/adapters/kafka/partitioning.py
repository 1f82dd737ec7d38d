"""The partitioning scheme, recorded with the log: the first process to start on a set
of topics writes its scheme (hash name and partition count) to the `{prefix}.meta`
topic; every later one reads it and refuses to run with another (PartitioningMismatch
names both). The topic is never compacted or expired, so the first record of the
scheme stays the one that counts: two processes starting at once with different
settings cannot both win.

A log from before the record (topics without it) is recorded with the partition count
its events topic really has."""

import msgspec
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from questline.adapters.kafka.from_now import stable_end
from questline.adapters.kafka.settings import KafkaSettings
from questline.ports import PARTITION_HASH, PartitioningMismatch, PartitionScheme

SCHEME_KEY = b"partitioning"
_decoder = msgspec.json.Decoder(PartitionScheme)


def configured(kafka: KafkaSettings) -> PartitionScheme:
    return PartitionScheme(PARTITION_HASH, kafka.partitions)


def recorded_scheme(kafka: KafkaSettings, timeout_s: float = 30.0) -> PartitionScheme | None:
    """The first scheme recorded on the meta topic, or None."""
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": f"{kafka.topic_prefix}-meta-reader",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        # A topic created a moment ago may have no leader yet: asked until it has.
        if stable_end(consumer, kafka.meta_topic, 0, timeout=timeout_s) <= 0:
            return None
        consumer.assign([TopicPartition(kafka.meta_topic, 0, OFFSET_BEGINNING)])
        while True:
            # consume() waits out its timeout unless it fills the batch: a short one.
            for message in consumer.consume(num_messages=100, timeout=0.05):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        return None
                    continue
                if message.key() == SCHEME_KEY:
                    try:
                        return _decoder.decode(message.value() or b"")
                    except msgspec.DecodeError:
                        continue  # not ours to understand: the next record may be
    finally:
        consumer.close()


def _record(kafka: KafkaSettings, scheme: PartitionScheme) -> None:
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "acks": "all"})
    producer.produce(kafka.meta_topic, key=SCHEME_KEY, value=msgspec.json.encode(scheme))
    producer.flush(30)


def _events_topic_partitions(kafka: KafkaSettings, admin: AdminClient) -> int | None:
    described = admin.list_topics(topic=kafka.events_topic, timeout=30).topics.get(
        kafka.events_topic
    )
    if described is None or described.error is not None:
        return None
    return len(described.partitions)


def check_unrecorded_log(kafka: KafkaSettings, admin: AdminClient) -> None:
    """A log from before the record: PartitioningMismatch when its events topic has
    another partition count than configured."""
    actual = _events_topic_partitions(kafka, admin)
    if actual is not None and actual != kafka.partitions:
        raise PartitioningMismatch(PartitionScheme(PARTITION_HASH, actual), configured(kafka))


def check_partitioning(kafka: KafkaSettings, admin: AdminClient) -> PartitionScheme:
    """The log's scheme (recorded now if it was not yet); PartitioningMismatch when it
    is not the configured one."""
    ours = configured(kafka)
    recorded = recorded_scheme(kafka)
    if recorded is None:
        check_unrecorded_log(kafka, admin)
        _record(kafka, ours)
        recorded = recorded_scheme(kafka) or ours  # the first record wins a race
    if recorded != ours:
        raise PartitioningMismatch(recorded, ours)
    return recorded
