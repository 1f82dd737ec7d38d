"""The read-model, command-log, token and partition-snapshot conformance suites on
Cassandra: a real node (the session's), a fresh keyspace per test."""

import uuid
from collections.abc import Iterator

import pytest

from questline.adapters.cassandra.settings import CassandraSettings
from questline.adapters.cassandra.store import CassandraStore
from questline.ports import PartitionSnapshotStore, Store
from questline.servers.cassandra import CassandraCluster
from tests.conformance.command_log_cases import CommandLogConformance
from tests.conformance.partition_snapshot_store_cases import PartitionSnapshotStoreConformance
from tests.conformance.read_model_store_cases import ReadModelStoreConformance
from tests.conformance.token_store_cases import TokenStoreConformance

pytestmark = pytest.mark.integration


def open_fresh(cassandra_cluster: CassandraCluster) -> CassandraStore:
    return CassandraStore.open(
        CassandraSettings(
            contact_points=tuple(cassandra_cluster.contact_points),
            port=cassandra_cluster.native_port,
            keyspace=f"conformance_{uuid.uuid4().hex[:10]}",
        )
    )


class TestCassandraReadModelStore(ReadModelStoreConformance):
    @pytest.fixture
    def store(self, cassandra_cluster: CassandraCluster) -> Iterator[Store]:
        store = open_fresh(cassandra_cluster)
        try:
            yield store  # type: ignore[misc]
        finally:
            store.close()


class TestCassandraCommandLogAndTokens(CommandLogConformance, TokenStoreConformance):
    @pytest.fixture
    def store(self, cassandra_cluster: CassandraCluster) -> Iterator[Store]:
        store = open_fresh(cassandra_cluster)
        try:
            yield store  # type: ignore[misc]
        finally:
            store.close()


class TestCassandraPartitionSnapshotStore(PartitionSnapshotStoreConformance):
    @pytest.fixture
    def snapshots(self, cassandra_cluster: CassandraCluster) -> Iterator[PartitionSnapshotStore]:
        store = open_fresh(cassandra_cluster)
        try:
            yield store.snapshots
        finally:
            store.close()
