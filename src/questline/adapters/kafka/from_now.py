"""Where a read-committed reader that wants only what comes next starts: the
partition's last stable offset, asked now.

Assigning `OFFSET_END` instead defers the question to the consumer's first fetch,
which on a busy machine can come a second or more later; whatever was committed in
between is skipped without a trace (a reply nobody gets, a solve no watcher sees)."""

import logging

from confluent_kafka import OFFSET_END, Consumer, KafkaException, TopicPartition

log = logging.getLogger(__name__)


def from_now(
    consumer: Consumer, topic: str, partition: int, timeout: float = 10.0
) -> TopicPartition:
    """The partition at its current end, for `consumer.assign`.

    The consumer must read `read_committed`: librdkafka then answers the last
    stable offset, so a transaction still open now is read once it commits."""
    try:
        _, stable = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=timeout, cached=False
        )
    except KafkaException as error:  # Kafka not answering yet: the consumer finds the end
        log.warning("no end offset for %s[%d] (%s); reading from the end", topic, partition, error)
        return TopicPartition(topic, partition, OFFSET_END)
    return TopicPartition(topic, partition, stable)
