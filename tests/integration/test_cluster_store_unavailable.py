"""When Cassandra cannot serve a quorum, an API node answers 503 with Retry-After
and a message, never a 500. The quorum is made impossible for real: the keyspace
asks for three replicas from a cluster of one node, so every read is refused by
Cassandra itself (Unavailable)."""

import msgspec
import pytest
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, fresh_config

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.cassandra.unavailable import UNAVAILABLE
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration


def test_reads_without_a_quorum_answer_503_with_retry_after(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> None:
    config = fresh_config(kafka_cluster, cassandra_cluster)
    assert len(cassandra_cluster.contact_points) == 1
    config = msgspec.structs.replace(
        config, cassandra=msgspec.structs.replace(config.cassandra, replication_factor=3)
    )
    ensure_topics(config.kafka)
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        with TestClient(node.app, raise_server_exceptions=False) as client:
            for path in ("/api/hunts/city-lights", "/api/hunts/city-lights/leaderboard"):
                response = client.get(path)
                assert response.status_code == 503, (path, response.text)
                assert response.headers["Retry-After"] == "1"
                error = response.json()["error"]
                assert error["code"] == "unavailable"
                assert "retry" in error["message"]
            submitted = client.post(
                "/api/hunts/city-lights/submissions",
                json={"clue": "town-hall", "answer": "x"},
                headers={"Authorization": "Bearer some-team-token", "Idempotency-Key": "k"},
            )
            assert submitted.status_code == 503, submitted.text
            assert submitted.json()["error"]["code"] == "unavailable"  # the token check's
            metrics = client.get("/metrics").text
            assert 'code="store_unavailable"' in metrics
    finally:
        node.close()


def test_a_command_record_lookup_without_a_quorum_raises_instead_of_finding_nothing(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> None:
    """ "Not found" would decide a retried command a second time: the worker must see
    the failure (and retry, then rewind its batch) instead."""
    config = fresh_config(kafka_cluster, cassandra_cluster)
    settings = msgspec.structs.replace(config.cassandra, replication_factor=3)
    store = CassandraStore.open(settings)
    try:
        with pytest.raises(UNAVAILABLE):
            store.commands.find(["a-command-id"])
    finally:
        store.close()
