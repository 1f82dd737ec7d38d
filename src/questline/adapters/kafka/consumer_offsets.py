"""Where a consumer stands in a topic, for the lag gauges: cheap reads of what the
consumer already knows (cached watermarks, local positions), and the group's
committed offsets for partitions it has not read yet."""

from confluent_kafka import Consumer, TopicPartition


class ConsumerOffsets:
    def __init__(self, consumer: Consumer, topic: str) -> None:
        self.consumer = consumer
        self.topic = topic

    def high_watermark(self, partition: int) -> int | None:
        """The cached high watermark (read committed: the last stable offset), updated
        by the consumer's fetches; None while unknown."""
        offsets = self.consumer.get_watermark_offsets(
            TopicPartition(self.topic, partition), cached=True
        )
        if offsets is None:
            return None
        high = int(offsets[1])
        return high if high >= 0 else None

    def positions(self, partitions: list[int]) -> dict[int, int]:
        """The next offset the consumer reads in each partition (negative: none yet)."""
        tps = [TopicPartition(self.topic, p) for p in partitions]
        return {tp.partition: tp.offset for tp in self.consumer.position(tps)}

    def committed(self, partitions: list[int]) -> dict[int, int]:
        tps = [TopicPartition(self.topic, p) for p in partitions]
        return {tp.partition: tp.offset for tp in self.consumer.committed(tps, timeout=1)}
