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
        # The driver's defaults (5 s, 2 s) give up on a node that is only slow: a busy
        # node (or a busy 2-core machine) still answers within these.
        connect_timeout=15.0,
        control_connection_timeout=15.0,
    )
    session = cluster.connect(settings.keyspace if keyspace else None)
    return cluster, session
