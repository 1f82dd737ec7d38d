"""The cluster shape end to end, on a real Kafka broker and a real Cassandra node:
an API node sends commands through Kafka to a partition worker, a projector
writes read models to Cassandra, and verify finds them equal to a replay."""

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, eventually, fresh_config

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.verification import projection_lag, verify_cluster
from questline.cluster.worker import PartitionWorker
from questline.demo.sample_hunt import city_hunt_yaml
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration


@dataclass
class RunningCluster:
    config: ClusterConfig
    store: CassandraStore
    client: TestClient
    workers: list[PartitionWorker]
    projector: ClusterProjector

    @property
    def organizer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ORGANIZER}"}


@pytest.fixture
def cluster(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[RunningCluster]:
    suffix = uuid.uuid4().hex[:8]
    config = fresh_config(kafka_cluster, cassandra_cluster)
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    stop = threading.Event()
    worker = PartitionWorker(config, f"w-{suffix}", SystemClock(), store.commands.find)
    projector = ClusterProjector(config, store, f"p-{suffix}")
    threads = [
        threading.Thread(target=worker.run, args=(stop,), daemon=True),
        threading.Thread(target=projector.run, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    eventually(lambda: len(worker.owned) == 3, "the worker to own all 3 partitions")
    eventually(lambda: len(projector.partitions) == 3, "the projector to own all 3 partitions")
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        with TestClient(node.app) as client:
            yield RunningCluster(config, store, client, [worker], projector)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        node.close()
        store.close()


def _post(c: RunningCluster, path: str, body: Any = None, **kwargs: Any) -> Any:
    return c.client.post(path, json=body, **kwargs)


def test_a_hunt_played_through_kafka_lands_in_cassandra_equal_to_a_replay(
    cluster: RunningCluster,
) -> None:
    c = cluster
    created = c.client.post(
        "/api/hunts",
        content=city_hunt_yaml(),
        headers={**c.organizer, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    hunt = created.json()["id"]
    teams = []
    for name in ("Otters", "Foxes", "Gulls"):
        registered = _post(c, f"/api/hunts/{hunt}/teams", {"name": name})
        assert registered.status_code == 201, registered.text
        teams.append(registered.json())
    taken = _post(c, f"/api/hunts/{hunt}/teams", {"name": "otters"})
    assert taken.status_code == 409
    auth = [{"Authorization": f"Bearer {t['token']}"} for t in teams]
    # (the team token is found in Cassandra only once the projector wrote it)
    eventually(
        lambda: c.client.get(f"/api/hunts/{hunt}", headers=auth[2]).status_code == 200,
        "team tokens to reach Cassandra",
    )
    wrong = _post(
        c,
        f"/api/hunts/{hunt}/submissions",
        {"clue": "town-hall", "answer": "clock"},
        headers=auth[0],
    )
    assert wrong.json() == {"result": "incorrect", "points": 0, "bonus": 0, "score": 0}
    first = _post(
        c,
        f"/api/hunts/{hunt}/submissions",
        {"clue": "town-hall", "answer": "Weather Vane!"},
        headers={**auth[1], "Idempotency-Key": "k-1"},
    )
    assert first.json() == {"result": "correct", "points": 100, "bonus": 50, "score": 150}
    again = _post(
        c,
        f"/api/hunts/{hunt}/submissions",
        {"clue": "town-hall", "answer": "Weather Vane!"},
        headers={**auth[1], "Idempotency-Key": "k-1"},
    )
    assert again.status_code == 200 and again.content == first.content
    second = _post(
        c,
        f"/api/hunts/{hunt}/submissions",
        {"clue": "town-hall", "answer": "weathervane"},
        headers=auth[0],
    )
    assert second.json() == {"result": "correct", "points": 100, "bonus": 25, "score": 125}
    eventually(
        lambda: (
            [t["name"] for t in c.client.get(f"/api/hunts/{hunt}/leaderboard").json()["teams"]]
            == ["Foxes", "Otters", "Gulls"]
        ),
        "the leaderboard to show both solves in rank order",
    )
    events = c.client.get(f"/api/hunts/{hunt}/events", headers=c.organizer).json()["events"]
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["type"] == "clue_solved" for e in events) == 2
    eventually(
        lambda: not any(projection_lag(c.config, c.store).values()), "projections to catch up"
    )
    assert verify_cluster(c.config, c.store) == []
