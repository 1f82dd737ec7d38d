"""Apache Kafka: the event log and the transport (confluent-kafka)."""
