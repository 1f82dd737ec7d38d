"""Connecting to Cassandra: protocol v5, the local datacenter, quorum by default."""

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, Session
from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy

from questline.cluster.config import CassandraSettings


def connect(settings: CassandraSettings, *, keyspace: bool = True) -> tuple[Cluster, Session]:
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=settings.local_dc)),
        consistency_level=ConsistencyLevel.QUORUM,
        serial_consistency_level=ConsistencyLevel.SERIAL,
        request_timeout=20.0,
    )
    cluster = Cluster(
        contact_points=list(settings.contact_points),
        port=settings.port,
        protocol_version=5,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )
    session = cluster.connect(settings.keyspace if keyspace else None)
    return cluster, session
