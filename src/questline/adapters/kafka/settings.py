"""Where the Kafka adapter finds its brokers and topics: plain values, read from a
cluster file by the entry points (cluster/config.py) and handed in."""

import msgspec


class KafkaSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    bootstrap_servers: str = "127.0.0.1:9092"
    partitions: int = 6
    replication_factor: int = 1
    min_insync_replicas: int = 1
    topic_prefix: str = "questline"
    reply_partitions: int = 4
    # The largest message a worker produces (librdkafka's message.max.bytes; keep it
    # at most the broker's max.message.bytes, 1,048,588 by default). A command whose
    # event or reply is larger is refused alone (422 unwritable_command) and
    # dead-lettered; the rest of its batch is committed.
    max_message_bytes: int = 1_000_000

    @property
    def commands_topic(self) -> str:
        return f"{self.topic_prefix}.commands"

    @property
    def events_topic(self) -> str:
        return f"{self.topic_prefix}.events"

    @property
    def replies_topic(self) -> str:
        return f"{self.topic_prefix}.replies"

    @property
    def dead_letters_topic(self) -> str:
        return f"{self.topic_prefix}.dead-letters"

    @property
    def meta_topic(self) -> str:
        """What is recorded about the log itself: its partitioning scheme."""
        return f"{self.topic_prefix}.meta"
