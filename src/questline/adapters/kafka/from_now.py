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


def from_now(
    consumer: Consumer, topic: str, partition: int, timeout: float = 30.0
) -> TopicPartition:
    """The partition at its current end, for `consumer.assign`.

    The consumer must read `read_committed`: librdkafka then answers the last
    stable offset, so a transaction still open now is read once it commits. Asks
    again while the broker cannot answer yet (no leader known for a new topic);
    after `timeout` it leaves the end to the consumer, and says so."""
    give_up = time.monotonic() + timeout
    pause = threading.Event()
    backoff = 0.05
    while True:
        remaining = give_up - time.monotonic()
        try:
            _, stable = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=max(remaining, 0.1), cached=False
            )
            return TopicPartition(topic, partition, stable)
        except KafkaException as error:
            if remaining <= 0:
                log.warning(
                    "no end offset for %s[%d] (%s); reading from the end", topic, partition, error
                )
                return TopicPartition(topic, partition, OFFSET_END)
        pause.wait(min(backoff, max(remaining, 0)))
        backoff = min(backoff * 2, 1.0)
