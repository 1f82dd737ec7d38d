"""Reading the dead-letter topic, and sending dead commands back to be decided again
(after the bug that poisoned them is fixed). Retried letters are remembered by a
consumer group's committed offset, so each is retried once."""

from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

from questline.adapters.kafka.dead_letters import VALUE_OMITTED
from questline.adapters.kafka.messages import header, offset_of
from questline.adapters.kafka.settings import KafkaSettings

RETRY_GROUP_SUFFIX = "-dlq-retry"


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    error: str
    stage: str
    source_topic: str
    source_partition: int
    source_offset: int
    value: bytes
    key: bytes | None
    value_omitted: bool = False  # too large to copy: the value is at its source offset


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value is not None else ""


def _read(consumer: Consumer, topic: str, start: int | None) -> list[DeadLetter]:
    tp = TopicPartition(topic, 0, OFFSET_BEGINNING if start is None else start)
    _, high = consumer.get_watermark_offsets(tp, timeout=10, cached=False)
    consumer.assign([tp])
    letters: list[DeadLetter] = []
    position = 0 if start is None else start
    while position < high:
        batch = consumer.consume(num_messages=1000, timeout=2.0)
        if not batch:
            break
        for message in batch:
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    position = high
                continue
            position = offset_of(message) + 1
            headers = message.headers()
            letters.append(
                DeadLetter(
                    offset=offset_of(message),
                    error=_text(header(headers, "error")),
                    stage=_text(header(headers, "stage")),
                    source_topic=_text(header(headers, "source-topic")),
                    source_partition=int(_text(header(headers, "source-partition")) or -1),
                    source_offset=int(_text(header(headers, "source-offset")) or -1),
                    value=message.value() or b"",
                    key=message.key(),
                    value_omitted=header(headers, VALUE_OMITTED) is not None,
                )
            )
    return letters


def list_dead_letters(kafka: KafkaSettings) -> list[DeadLetter]:
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": "questline-dlq-list",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        return _read(consumer, kafka.dead_letters_topic, None)
    finally:
        consumer.close()


def retry_dead_commands(kafka: KafkaSettings) -> list[DeadLetter]:
    """Produce each not yet retried dead command to its partition again; return them."""

    group = f"{kafka.topic_prefix}{RETRY_GROUP_SUFFIX}"
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": group,
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "enable.idempotence": True})
    try:
        tp = TopicPartition(kafka.dead_letters_topic, 0)
        committed = consumer.committed([tp], timeout=10)[0].offset
        letters = _read(consumer, kafka.dead_letters_topic, committed if committed >= 0 else None)
        retried = [
            letter
            for letter in letters
            if letter.source_topic == kafka.commands_topic and letter.source_partition >= 0
        ]
        for letter in retried:
            value = letter.value
            if letter.value_omitted:
                value = _source_value(kafka, letter)
            producer.produce(
                kafka.commands_topic,
                value=value,
                key=letter.key,
                partition=letter.source_partition,
            )
        producer.flush(30)
        if letters:
            consumer.commit(
                offsets=[TopicPartition(kafka.dead_letters_topic, 0, letters[-1].offset + 1)],
                asynchronous=False,
            )
        return retried
    finally:
        consumer.close()


def _source_value(kafka: KafkaSettings, letter: DeadLetter) -> bytes:
    """The original of a letter whose value was too large to copy, from its topic."""
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "group.id": "questline-dlq-source",
            "enable.auto.commit": False,
        }
    )
    try:
        source = TopicPartition(letter.source_topic, letter.source_partition, letter.source_offset)
        consumer.assign([source])
        message = consumer.poll(10.0)
        if message is None or message.error() is not None or message.offset() != source.offset:
            raise RuntimeError(
                f"dead letter {letter.offset}: its original at {letter.source_topic}"
                f" {letter.source_partition}:{letter.source_offset} cannot be read"
            )
        return message.value() or b""
    finally:
        consumer.close()
