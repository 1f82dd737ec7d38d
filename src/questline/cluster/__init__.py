"""The cluster shape: partition workers, projectors and API nodes over Kafka and Cassandra."""
