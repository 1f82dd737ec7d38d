"""The real servers behave as the engine needs: Kafka transactions, Cassandra v5 + LWT."""

from __future__ import annotations

import time
import uuid

import pytest
from cassandra import ProtocolVersion  # type: ignore[import-untyped]
from cassandra.cluster import (  # type: ignore[import-untyped]
    EXEC_PROFILE_DEFAULT,
    Cluster,
    ExecutionProfile,
    Session,
)
from cassandra.policies import DCAwareRoundRobinPolicy  # type: ignore[import-untyped]
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration


def _create_topic(bootstrap: str, partitions: int = 1) -> str:
    topic = f"t-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result(30)
    return topic


def _consume(bootstrap: str, topic: str, isolation: str, expected: int) -> list[bytes]:
    """Read from the start until `expected` messages arrived or 30 s passed."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"g-{uuid.uuid4().hex[:10]}",
            "isolation.level": isolation,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    values: list[bytes] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 30
        while len(values) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            value = message.value()
            assert isinstance(value, bytes)
            values.append(value)
    finally:
        consumer.close()
    return values


def test_kafka_transaction_commit_and_abort(kafka_cluster: KafkaCluster) -> None:
    bootstrap = kafka_cluster.bootstrap_servers
    topic = _create_topic(bootstrap)
    producer = Producer(
        {"bootstrap.servers": bootstrap, "transactional.id": f"tx-{topic}", "linger.ms": 0}
    )
    producer.init_transactions(30)
    for value, commit in ((b"committed-1", True), (b"aborted", False), (b"committed-2", True)):
        producer.begin_transaction()
        producer.produce(topic, value=value)
        if commit:
            producer.commit_transaction(30)
        else:
            producer.flush(30)  # the aborted record really reaches the log
            producer.abort_transaction(30)

    # A message committed after the aborted one proves the reader went past it.
    assert _consume(bootstrap, topic, "read_committed", 2) == [b"committed-1", b"committed-2"]
    # And the aborted record is in the log: read_uncommitted sees it.
    assert b"aborted" in _consume(bootstrap, topic, "read_uncommitted", 3)


def test_kafka_broker_restarts_after_kill_9(kafka_cluster: KafkaCluster) -> None:
    bootstrap = kafka_cluster.bootstrap_servers
    topic = _create_topic(bootstrap)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topic, value=b"before-crash")
    assert producer.flush(30) == 0

    kafka_cluster.kill_broker(1)
    assert not kafka_cluster.broker(1).running()
    kafka_cluster.start_broker(1)

    assert _consume(bootstrap, topic, "read_committed", 1) == [b"before-crash"]


def _session(cluster: CassandraCluster) -> tuple[Cluster, Session]:
    profile = ExecutionProfile(
        load_balancing_policy=DCAwareRoundRobinPolicy(local_dc="datacenter1")
    )
    client = Cluster(
        cluster.contact_points,
        port=cluster.native_port,
        protocol_version=ProtocolVersion.V5,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )
    return client, client.connect()


def test_cassandra_protocol_v5_write_and_lwt(cassandra_cluster: CassandraCluster) -> None:
    client, session = _session(cassandra_cluster)
    try:
        assert client.protocol_version == ProtocolVersion.V5
        version = session.execute("SELECT release_version FROM system.local").one()
        assert version.release_version.startswith("5.0.")
        keyspace = f"ks_{uuid.uuid4().hex[:10]}"
        session.execute(
            f"CREATE KEYSPACE {keyspace} WITH replication = "
            "{'class': 'SimpleStrategy', 'replication_factor': 1}"
        )
        session.execute(f"CREATE TABLE {keyspace}.kv (k text PRIMARY KEY, v int)")
        session.execute(f"INSERT INTO {keyspace}.kv (k, v) VALUES ('plain', 1)")

        first = session.execute(f"INSERT INTO {keyspace}.kv (k, v) VALUES ('lwt', 1) IF NOT EXISTS")
        assert first.was_applied
        second = session.execute(
            f"INSERT INTO {keyspace}.kv (k, v) VALUES ('lwt', 2) IF NOT EXISTS"
        )
        assert not second.was_applied
        assert second.one().v == 1  # the losing LWT is told the current value
        swap = session.execute(f"UPDATE {keyspace}.kv SET v = 3 WHERE k = 'lwt' IF v = 1")
        assert swap.was_applied

        rows = {r.k: r.v for r in session.execute(f"SELECT k, v FROM {keyspace}.kv")}
        assert rows == {"plain": 1, "lwt": 3}
    finally:
        client.shutdown()
