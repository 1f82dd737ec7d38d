"""Partition snapshots on the real servers: projectors write them as they go;
a worker restores from the newest one (and the log after it) to exactly the
state a full replay gives; a damaged snapshot is discarded and an older one
used; a projector restarted from a snapshot keeps the read models equal to a
replay."""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
from prometheus_client import REGISTRY
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, eventually, fresh_config, restore_decider
from tests.properties.model import dump_state

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import ApiNode, build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.verification import projection_lag, verify_cluster
from questline.cluster.worker import PartitionWorker
from questline.demo.sample_hunt import city_hunt_yaml
from questline.ports import partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

SNAPSHOT_EVERY = 10


@dataclass
class Process:
    thread: threading.Thread
    stop: threading.Event


@dataclass
class SnapshottingCluster:
    config: ClusterConfig
    store: CassandraStore
    node: ApiNode
    client: TestClient
    processes: list[Process] = field(default_factory=list)

    def start(self, target: Any) -> Process:
        stop = threading.Event()
        thread = threading.Thread(target=target, args=(stop,), daemon=True)
        thread.start()
        process = Process(thread, stop)
        self.processes.append(process)
        return process

    def create_hunt(self) -> tuple[str, int]:
        """The demo's city hunt: its id and its partition."""
        created = self.client.post(
            "/api/hunts",
            content=city_hunt_yaml(),
            headers={"Authorization": f"Bearer {ORGANIZER}", "Content-Type": "application/yaml"},
        )
        assert created.status_code == 201, created.text
        hunt: str = created.json()["id"]
        return hunt, partition_of(hunt, self.config.kafka.partitions)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        response = self.client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()


@contextmanager
def snapshotting_cluster(
    kafka: KafkaCluster, cassandra: CassandraCluster, **settings: Any
) -> Iterator[SnapshottingCluster]:
    """A fresh cluster config that snapshots every SNAPSHOT_EVERY events (with
    `settings` on top), its topics and keyspace, and an API node with a client."""
    config = msgspec.structs.replace(
        fresh_config(kafka, cassandra),
        snapshot_every=SNAPSHOT_EVERY,
        snapshot_min_interval_s=0.0,
        **settings,
    )
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    node = build_api_node(config, organizer_token=ORGANIZER)
    with TestClient(node.app) as client:
        running = SnapshottingCluster(config, store, node, client)
        try:
            yield running
        finally:
            for process in running.processes:
                process.stop.set()
            for process in running.processes:
                process.thread.join(30)
            node.close()
            store.close()


@pytest.fixture
def cluster(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[SnapshottingCluster]:
    with snapshotting_cluster(kafka_cluster, cassandra_cluster) as running:
        yield running


def play(c: SnapshottingCluster, hunt: str, teams: int) -> None:
    """New teams answer wrong (4 times each, under the rate limit, with an
    Idempotency-Key, so command records are kept) and two of them right; every
    command is acknowledged before the next."""
    registered = [
        c.post(f"/api/hunts/{hunt}/teams", {"name": f"team {uuid.uuid4().hex[:6]}"})
        for _ in range(teams)
    ]
    auth = [f"Bearer {t['token']}" for t in registered]
    eventually(
        lambda: (
            c.client.get(f"/api/hunts/{hunt}", headers={"Authorization": auth[-1]}).status_code
            == 200
        ),
        "team tokens to reach Cassandra",
    )
    for n in range(4):
        for token in auth:
            c.post(
                f"/api/hunts/{hunt}/submissions",
                {"clue": "town-hall", "answer": f"wrong {n}"},
                Authorization=token,
                **{"Idempotency-Key": f"wrong-{n}"},
            )
    for token in auth[:2]:
        c.post(
            f"/api/hunts/{hunt}/submissions",
            {"clue": "town-hall", "answer": "Weather Vane!"},
            Authorization=token,
        )


def caught_up(c: SnapshottingCluster) -> bool:
    return all(lag == 0 for lag in projection_lag(c.config, c.store).values())


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_worker_restores_from_the_newest_snapshot_to_the_state_a_replay_gives(
    cluster: SnapshottingCluster,
) -> None:
    c = cluster
    c.start(
        PartitionWorker(
            c.config, f"w-{uuid.uuid4().hex[:6]}", SystemClock(), c.store.commands.find
        ).run
    )
    projector = ClusterProjector(c.config, c.store, "p-snapshots")
    c.start(projector.run)
    hunt, partition = c.create_hunt()
    play(c, hunt, teams=8)
    eventually(lambda: caught_up(c), "the projector to catch up")
    eventually(
        lambda: len(c.store.snapshots.offsets(partition)) >= 2,
        "the projector to write at least two snapshots of the hunt's partition",
    )
    offsets = c.store.snapshots.offsets(partition)
    assert len(offsets) <= c.config.snapshots_kept  # older ones are pruned

    replayed = restore_decider(c.config, partition, None, 0)  # the whole log, no snapshot
    assert replayed.snapshot_offset is None
    from_snapshot = restore_decider(c.config, partition, c.store.snapshots, 0)
    assert from_snapshot.snapshot_offset == offsets[0]
    assert from_snapshot.replayed < replayed.replayed
    assert dump_state(from_snapshot.decider.states[hunt]) == dump_state(
        replayed.decider.states[hunt]
    )
    # The window of recent command ids too: the snapshot's, then the records after it.
    assert len(replayed.decider.recent) > 0
    assert from_snapshot.decider.recent.dump() == replayed.decider.recent.dump()

    # Damage the newest snapshot: it is refused (counted) and the next older one used.
    discarded = counter("questline_snapshots_discarded_total")
    c.store.session.execute(
        "UPDATE snapshot_chunks SET data = 0x00ff WHERE partition = %s AND offset = %s"
        " AND chunk = 0",
        (partition, offsets[0]),
    )
    fallback = restore_decider(c.config, partition, c.store.snapshots, 0)
    assert counter("questline_snapshots_discarded_total") == discarded + 1
    assert fallback.snapshot_offset == offsets[1]
    assert dump_state(fallback.decider.states[hunt]) == dump_state(replayed.decider.states[hunt])


def test_a_projector_restarted_from_a_snapshot_keeps_the_read_models_equal_to_a_replay(
    cluster: SnapshottingCluster,
) -> None:
    c = cluster
    c.start(
        PartitionWorker(
            c.config,
            f"w-{uuid.uuid4().hex[:6]}",
            SystemClock(),
            c.store.commands.find,
            snapshots=c.store.snapshots,
        ).run
    )
    first = c.start(ClusterProjector(c.config, c.store, "p-first").run)
    created = c.client.post(
        "/api/hunts",
        content=city_hunt_yaml(),
        headers={"Authorization": f"Bearer {ORGANIZER}", "Content-Type": "application/yaml"},
    )
    hunt = created.json()["id"]
    partition = partition_of(hunt, c.config.kafka.partitions)
    play(c, hunt, teams=6)
    eventually(lambda: caught_up(c), "the first projector to catch up")
    eventually(
        lambda: bool(c.store.snapshots.offsets(partition)), "a snapshot of the hunt's partition"
    )
    first.stop.set()
    first.thread.join(30)

    stored_to = c.store.read_models.checkpoint(partition)
    replayed_before = counter("questline_partition_restore_messages_total", role="projector")
    second = ClusterProjector(c.config, c.store, "p-second")
    c.start(second.run)
    eventually(lambda: partition in second.partitions, "the second projector to take over")
    # It started from the snapshot: it folded fewer messages than the log before it has.
    replayed = counter("questline_partition_restore_messages_total", role="projector")
    assert replayed - replayed_before < stored_to
    play(c, hunt, teams=3)  # new rows are written on top of the restored memory
    eventually(lambda: caught_up(c), "the second projector to catch up")
    assert verify_cluster(c.config, c.store) == []
    board = c.client.get(f"/api/hunts/{hunt}/leaderboard").json()["teams"]
    assert [t["score"] for t in board][:4] == [150, 125, 110, 100]  # first-solve bonuses 50, 25, 10
