"""What the Kafka adapter raises when Kafka itself does not answer, so callers need
not know confluent_kafka's errors."""


class KafkaUnavailable(Exception):
    """Kafka could not be reached, or refused the request; the message says which."""
