"""The read-model conformance suite on Cassandra: a real node (the session's), a
fresh keyspace per test."""

import uuid
from collections.abc import Iterator

import pytest

from questline.adapters.cassandra.store import CassandraStore
from questline.cluster.config import CassandraSettings
from questline.ports import Store
from questline.servers.cassandra import CassandraCluster
from tests.conformance.read_model_store_cases import ReadModelStoreConformance

pytestmark = pytest.mark.integration


class TestCassandraReadModelStore(ReadModelStoreConformance):
    @pytest.fixture
    def store(self, cassandra_cluster: CassandraCluster) -> Iterator[Store]:
        settings = CassandraSettings(
            contact_points=tuple(cassandra_cluster.contact_points),
            port=cassandra_cluster.native_port,
            keyspace=f"conformance_{uuid.uuid4().hex[:10]}",
        )
        store = CassandraStore.open(settings)
        try:
            yield store  # type: ignore[misc]
        finally:
            store.close()
