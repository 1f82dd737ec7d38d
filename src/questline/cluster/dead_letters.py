"""Poison input goes to the dead-letter topic with its error and where it came from."""

from confluent_kafka import KafkaException, Message, Producer

from questline.cluster.config import KafkaSettings
from questline.cluster.decided_messages import too_large

VALUE_OMITTED = "value-omitted"  # header: the original was too large to copy (its size)


def dead_letter(
    producer: Producer, kafka: KafkaSettings, message: Message, error: str, stage: str
) -> None:
    headers: list[tuple[str, str | bytes | None]] = [
        ("error", error.encode("utf-8", "replace")[:4000]),
        ("stage", stage.encode()),
        ("source-topic", (message.topic() or "").encode()),
        ("source-partition", str(message.partition()).encode()),
        ("source-offset", str(message.offset()).encode()),
    ]
    value = message.value()
    try:
        producer.produce(kafka.dead_letters_topic, value=value, key=message.key(), headers=headers)
    except KafkaException as failure:
        if not too_large(failure):
            raise
        # A message too large to copy (the one a command set aside for its size came
        # in, say): the letter points at the original, which its topic keeps.
        headers.append((VALUE_OMITTED, str(len(value or b"")).encode()))
        producer.produce(kafka.dead_letters_topic, value=None, key=message.key(), headers=headers)
