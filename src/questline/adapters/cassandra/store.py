"""The cluster's Cassandra side as a Store: what API nodes read, projectors write."""

from collections.abc import Iterator
from contextlib import contextmanager

from cassandra.cluster import Cluster, Session

from questline.adapters.cassandra.command_log import CassandraCommandLog
from questline.adapters.cassandra.event_archive import CassandraEventArchive
from questline.adapters.cassandra.partition_snapshot_store import CassandraPartitionSnapshotStore
from questline.adapters.cassandra.read_model_store import CassandraReadModelStore
from questline.adapters.cassandra.schema import create_schema
from questline.adapters.cassandra.session import connect
from questline.adapters.cassandra.settings import CassandraSettings
from questline.adapters.cassandra.token_store import CassandraTokenStore


class CassandraStore:
    def __init__(self, cluster: Cluster, session: Session) -> None:
        self._cluster = cluster
        self.session = session
        self.events = CassandraEventArchive(session)
        self.commands = CassandraCommandLog(session)
        self.read_models = CassandraReadModelStore(session)
        self.tokens = CassandraTokenStore(session)
        self.snapshots = CassandraPartitionSnapshotStore(session)

    @classmethod
    def open(cls, settings: CassandraSettings, *, create: bool = True) -> "CassandraStore":
        cluster, session = connect(settings, keyspace=False)
        if create:
            create_schema(session, settings.keyspace, settings.replication_factor)
        else:
            session.set_keyspace(settings.keyspace)
        return cls(cluster, session)

    @contextmanager
    def transaction(self) -> Iterator["CassandraStore"]:
        """Cassandra has no multi-table transactions: its writes are idempotent by offset."""
        yield self

    def close(self) -> None:
        self._cluster.shutdown()
