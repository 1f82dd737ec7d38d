"""Fixtures every test directory may use: the session's real Kafka and Cassandra
(started on first use only, so tests that need neither never start them)."""

from tests.servers_fixtures import _drop_test_keyspaces, cassandra_cluster, kafka_cluster

__all__ = ["_drop_test_keyspaces", "cassandra_cluster", "kafka_cluster"]
