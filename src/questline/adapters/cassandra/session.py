"""Connecting to Cassandra: protocol v5, the local datacenter, quorum by default.

A request whose node stops answering (its connection declared dead by the
heartbeat) is otherwise only failed at the request timeout. Statements that are
safe to run twice are marked idempotent, so the driver sends them to the next
replica after `SPECULATIVE_DELAY_S` instead of waiting that long."""

import re

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, Session
from cassandra.policies import (
    ConstantSpeculativeExecutionPolicy,
    DCAwareRoundRobinPolicy,
    TokenAwarePolicy,
)
from cassandra.query import PreparedStatement

from questline.adapters.cassandra.settings import CassandraSettings

SPECULATIVE_DELAY_S = 1.0
REQUEST_TIMEOUT_S = 20.0

# A lightweight transaction (`... IF ...`) reads before it writes: a second try
# could find its own first write and fail, so it is never run speculatively.
_CONDITIONAL = re.compile(r"\bIF\b", re.IGNORECASE)


def connect(settings: CassandraSettings, *, keyspace: bool = True) -> tuple[Cluster, Session]:
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=settings.local_dc)),
        consistency_level=ConsistencyLevel.QUORUM,
        serial_consistency_level=ConsistencyLevel.SERIAL,
        request_timeout=REQUEST_TIMEOUT_S,
        speculative_execution_policy=ConstantSpeculativeExecutionPolicy(
            SPECULATIVE_DELAY_S, max_attempts=2
        ),
    )
    cluster = Cluster(
        contact_points=list(settings.contact_points),
        port=settings.port,
        protocol_version=5,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )
    session = cluster.connect(settings.keyspace if keyspace else None)
    return cluster, session


def prepare(session: Session, cql: str) -> PreparedStatement:
    """A prepared statement, idempotent unless conditional: every plain write here
    sets values (stamped with their own timestamps), never adds to them."""
    statement = session.prepare(cql)
    statement.is_idempotent = _CONDITIONAL.search(cql) is None
    return statement
