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


class Members:
    """Partition workers and projectors running on threads of this process."""

    def __init__(self, config: ClusterConfig, *, workers: int = 1, projectors: int = 1) -> None:
        from questline.adapters.cassandra.store import CassandraStore
        from questline.adapters.clocks import SystemClock
        from questline.adapters.kafka.topics import ensure_topics
        from questline.cluster.projector import ClusterProjector
        from questline.cluster.worker import PartitionWorker

        ensure_topics(config.kafka)
        suffix = uuid.uuid4().hex[:6]
        self.store = CassandraStore.open(config.cassandra)
        self.stop = threading.Event()
        self.workers = [
            PartitionWorker(config, f"w{i}-{suffix}", SystemClock(), self.store.commands.find)
            for i in range(workers)
        ]
        self.projectors = [
            ClusterProjector(config, self.store, f"p{i}-{suffix}") for i in range(projectors)
        ]
        runs = [w.run for w in self.workers] + [p.run for p in self.projectors]
        self.threads = [threading.Thread(target=r, args=(self.stop,), daemon=True) for r in runs]
        for thread in self.threads:
            thread.start()
        partitions = config.kafka.partitions
        if self.workers:
            eventually(
                lambda: sum(len(w.owned) for w in self.workers) == partitions,
                "the workers to own every partition",
            )
        if self.projectors:
            eventually(
                lambda: sum(len(p.partitions) for p in self.projectors) == partitions,
                "the projectors to own every partition",
            )

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        self.store.close()
