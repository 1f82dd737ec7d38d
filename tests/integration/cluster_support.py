"""Shared pieces of the cluster tests: a fresh config per test (own topics and
keyspace on the session's servers), polling with a deadline."""

import threading
import time
import uuid
from collections.abc import Callable

import pytest

from questline.cluster.config import CassandraSettings, ClusterConfig, KafkaSettings
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

ORGANIZER = "cluster-organizer-token"


def eventually(check: Callable[[], bool], what: str, deadline_s: float = 60.0) -> float:
    """Poll a condition until it holds; fail with `what` after the deadline.
    Returns the seconds it took."""
    started = time.monotonic()
    give_up = started + deadline_s
    pause = threading.Event()
    while not check():
        if time.monotonic() > give_up:
            pytest.fail(f"timed out after {deadline_s} s waiting for {what}")
        pause.wait(0.1)
    return time.monotonic() - started


def fresh_config(
    kafka: KafkaCluster, cassandra: CassandraCluster, *, partitions: int = 3
) -> ClusterConfig:
    suffix = uuid.uuid4().hex[:8]
    return ClusterConfig(
        kafka=KafkaSettings(
            bootstrap_servers=kafka.bootstrap_servers,
            partitions=partitions,
            reply_partitions=2,
            topic_prefix=f"ql-{suffix}",
        ),
        cassandra=CassandraSettings(
            contact_points=tuple(cassandra.contact_points),
            port=cassandra.native_port,
            keyspace=f"ql_{suffix}",
        ),
        session_timeout_ms=6000,
        transaction_timeout_ms=6000,
    )
