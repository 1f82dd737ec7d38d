"""Poison input goes to the dead-letter topic with its error and where it came from."""

from confluent_kafka import Message, Producer

from questline.cluster.config import KafkaSettings


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
    producer.produce(
        kafka.dead_letters_topic, value=message.value(), key=message.key(), headers=headers
    )
