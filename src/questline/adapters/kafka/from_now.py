"""Where a read-committed reader that wants only what comes next starts: the
partition's last stable offset, asked now.

Assigning `OFFSET_END` instead defers the question to the consumer's first fetch,
which on a busy machine (or a topic created a moment ago, whose leader the client
does not know yet) can come a second or more later; whatever was committed in
between is skipped without a trace (a reply nobody gets, a solve no watcher sees)."""

import logging
import threading
import time

from confluent_kafka import OFFSET_END, Consumer, KafkaException, TopicPartition

log = logging.getLogger(__name__)


def stable_end(consumer: Consumer, topic: str, partition: int, timeout: float = 30.0) -> int:
    """The partition's end as `consumer` reads it (read committed: the last stable
    offset). A new client's first question about a topic created a moment ago fails
    at once (no leader known yet), so it is asked again until `timeout`; then the
    last error is raised."""
    give_up = time.monotonic() + timeout
    pause = threading.Event()
    backoff = 0.05
    while True:
        remaining = give_up - time.monotonic()
        try:
            _, end = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=max(remaining, 0.1), cached=False
            )
            return int(end)
        except KafkaException:
            if remaining <= 0:
                raise
        pause.wait(min(backoff, max(remaining, 0)))
        backoff = min(backoff * 2, 1.0)


def from_now(
    consumer: Consumer, topic: str, partition: int, timeout: float = 30.0
) -> TopicPartition:
    """The partition at its current end, for `consumer.assign` (the consumer must read
    `read_committed`, so a transaction still open now is read once it commits).
    When Kafka does not answer within `timeout` it leaves the end to the consumer,
    and says so."""
    try:
        return TopicPartition(topic, partition, stable_end(consumer, topic, partition, timeout))
    except KafkaException as error:
        log.warning("no end offset for %s[%d] (%s); reading from the end", topic, partition, error)
        return TopicPartition(topic, partition, OFFSET_END)
