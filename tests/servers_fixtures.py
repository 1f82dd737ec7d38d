"""Session fixtures for every test directory: a real Kafka broker and Cassandra node.

Both are started once per test session into a temporary folder and stopped at its end. When
Java 17 or Maven (for an empty jar cache) is missing, the tests that need them are skipped
with the reason printed on the terminal; set QUESTLINE_REQUIRE_SERVERS=1 (as CI should) to
make that a failure instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from cassandra.cluster import Cluster

from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster
from questline.servers.maven import ServerName, fetch_jars
from questline.servers.process import (
    JavaNotFoundError,
    MavenNotFoundError,
    free_ports,
    java_home,
)


def require_server(request: pytest.FixtureRequest, server: ServerName) -> None:
    """Skip loudly (or fail, under QUESTLINE_REQUIRE_SERVERS=1) if the server cannot run."""
    try:
        java_home()
        fetch_jars(server)
    except (JavaNotFoundError, MavenNotFoundError) as exc:
        reason = f"cannot run a real {server}: {exc}"
        if os.environ.get("QUESTLINE_REQUIRE_SERVERS") == "1":
            pytest.fail(reason)
        # Written past pytest's output capture, so the skip is seen as it happens.
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"\nSKIPPING {server} integration tests: {reason}", red=True)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def kafka_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KafkaCluster]:
    """One KRaft broker (transactions enabled: RF 1, min ISR 1); ``.bootstrap_servers``."""
    require_server(request, "kafka")
    port, controller_port = free_ports(2)
    cluster = KafkaCluster(
        tmp_path_factory.mktemp("kafka"), 1, port=port, controller_port=controller_port
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def cassandra_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CassandraCluster]:
    """One Cassandra 5.0 node on 127.0.0.1; ``.contact_points`` and ``.native_port``."""
    require_server(request, "cassandra")
    native_port, storage_port = free_ports(2)
    cluster = CassandraCluster(
        tmp_path_factory.mktemp("cassandra"),
        1,
        native_port=native_port,
        storage_port=storage_port,
        cluster_name="questline-test",
        disposable=True,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def _drop_test_keyspaces(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that used the session's Cassandra, drop the keyspaces it made.

    Every cluster test makes its own keyspace (about a dozen tables); a node keeps
    per-table memory, so hundreds of them would slow the one test node to a crawl."""
    yield
    if "cassandra_cluster" not in request.fixturenames:
        return
    cluster: CassandraCluster = request.getfixturevalue("cassandra_cluster")
    driver = Cluster(list(cluster.contact_points), port=cluster.native_port)
    try:
        session = driver.connect()
        rows = session.execute("SELECT keyspace_name FROM system_schema.keyspaces")
        for row in rows:
            name = row.keyspace_name
            if not name.startswith("system"):
                session.execute(f"DROP KEYSPACE IF EXISTS {name}", timeout=60)
    finally:
        driver.shutdown()
