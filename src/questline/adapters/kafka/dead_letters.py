"""Poison input goes to the dead-letter topic with its error and where it came from."""

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from questline.adapters.kafka.settings import KafkaSettings

VALUE_OMITTED = "value-omitted"  # header: the original was too large to copy (its size)


def too_large(error: KafkaException) -> bool:
    kafka_error = error.args[0] if error.args else None
    return isinstance(kafka_error, KafkaError) and (
        kafka_error.code() == KafkaError.MSG_SIZE_TOO_LARGE
    )


def dead_letter(
    producer: Producer, kafka: KafkaSettings, message: Message, error: str, stage: str
) -> None:
    send_dead_letter(
        producer,
        kafka,
        error,
        stage,
        topic=message.topic() or "",
        partition=message.partition() or 0,
        offset=message.offset() or 0,
        key=message.key(),
        value=message.value(),
    )


def send_dead_letter(
    producer: Producer,
    kafka: KafkaSettings,
    error: str,
    stage: str,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
) -> None:
    headers: list[tuple[str, str | bytes | None]] = [
        ("error", error.encode("utf-8", "replace")[:4000]),
        ("stage", stage.encode()),
        ("source-topic", topic.encode()),
        ("source-partition", str(partition).encode()),
        ("source-offset", str(offset).encode()),
    ]
    try:
        producer.produce(kafka.dead_letters_topic, value=value, key=key, headers=headers)
    except KafkaException as failure:
        if not too_large(failure):
            raise
        # A message too large to copy (the one a command set aside for its size came
        # in, say): the letter points at the original, which its topic keeps.
        headers.append((VALUE_OMITTED, str(len(value or b"")).encode()))
        producer.produce(kafka.dead_letters_topic, value=None, key=key, headers=headers)
