"""Load shedding on an API node: while its workers cannot keep up (here: none is
running), at most `max_pending_commands` commands wait for a reply; the next is
answered 503 with Retry-After at once, reads keep being served, and nothing
already accepted is lost: once a worker is back every waiting command is decided,
and a shed command retried with its Idempotency-Key is decided exactly once."""

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import pytest
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, eventually, fresh_config

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.verification import projection_lag
from questline.cluster.worker import PartitionWorker
from questline.demo.sample_hunt import city_hunt_yaml
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

PENDING = 3


@dataclass
class Shedding:
    config: ClusterConfig
    store: CassandraStore
    client: TestClient
    threads: dict[str, tuple[threading.Thread, threading.Event]]

    def start_worker(self) -> PartitionWorker:
        worker = PartitionWorker(
            self.config, f"w-{uuid.uuid4().hex[:6]}", SystemClock(), self.store.commands.find
        )
        self._start("worker", worker.run)
        return worker

    def stop_worker(self) -> None:
        thread, stop = self.threads.pop("worker")
        stop.set()
        thread.join(30)

    def _start(self, name: str, target: Any) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=target, args=(stop,), daemon=True)
        thread.start()
        self.threads[name] = (thread, stop)


@pytest.fixture
def shedding(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[Shedding]:
    config = msgspec.structs.replace(
        fresh_config(kafka_cluster, cassandra_cluster),
        max_pending_commands=PENDING,
        command_timeout_s=120.0,
    )
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    node = build_api_node(config, organizer_token=ORGANIZER)
    running = Shedding(config, store, TestClient(node.app), {})
    running._start("projector", ClusterProjector(config, store, "p-shedding").run)
    try:
        with running.client:
            yield running
    finally:
        for thread, stop in running.threads.values():
            stop.set()
            thread.join(30)
        node.close()
        store.close()


def test_an_api_node_sheds_commands_past_its_bound_and_loses_none_it_accepted(
    shedding: Shedding,
) -> None:
    s = shedding
    worker = s.start_worker()
    eventually(lambda: len(worker.owned) == s.config.kafka.partitions, "the worker to own all")
    created = s.client.post(
        "/api/hunts",
        content=city_hunt_yaml(),
        headers={"Authorization": f"Bearer {ORGANIZER}", "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    hunt = created.json()["id"]
    teams = [
        s.client.post(f"/api/hunts/{hunt}/teams", json={"name": f"team {n}"}).json()
        for n in range(PENDING + 1)
    ]
    auth = [{"Authorization": f"Bearer {t['token']}"} for t in teams]
    eventually(
        lambda: s.client.get(f"/api/hunts/{hunt}", headers=auth[-1]).status_code == 200,
        "team tokens to reach Cassandra",
    )
    s.stop_worker()  # nobody decides now: commands wait for a reply

    def solve(n: int) -> httpx.Response:
        return s.client.post(
            f"/api/hunts/{hunt}/submissions",
            json={"clue": "town-hall", "answer": "Weather Vane!"},
            headers={**auth[n], "Idempotency-Key": f"solve-{n}"},
        )

    with ThreadPoolExecutor(PENDING) as pool:
        waiting: list[Future[httpx.Response]] = [pool.submit(solve, n) for n in range(PENDING)]
        eventually(
            lambda: (
                s.client.get("/metrics").status_code == 200
                and _pending(s.client.get("/metrics").text) >= PENDING
            ),
            f"{PENDING} commands waiting for a worker",
        )
        shed = solve(PENDING)
        assert shed.status_code == 503, shed.text
        assert shed.headers["Retry-After"].isdigit()
        assert "waiting" in shed.json()["error"]["message"]
        # Reads are still served while writes are shed.
        assert s.client.get(f"/api/hunts/{hunt}/leaderboard").status_code == 200
        assert s.client.get(f"/api/hunts/{hunt}", headers=auth[0]).status_code == 200
        assert all(not f.done() for f in waiting)

        s.start_worker()  # back: every accepted command is decided and answered
        answers = [f.result(timeout=120) for f in waiting]
    assert [a.status_code for a in answers] == [200] * PENDING, [a.text for a in answers]
    assert sorted(a.json()["bonus"] for a in answers) == [10, 25, 50]
    retried = solve(PENDING)  # the shed one, retried with its key
    assert retried.status_code == 200 and retried.json()["points"] == 100
    again = solve(PENDING)
    assert again.content == retried.content  # the first answer, once

    def caught_up() -> bool:
        return all(lag == 0 for lag in projection_lag(s.config, s.store).values())

    eventually(caught_up, "the projector to catch up")
    events = s.client.get(
        f"/api/hunts/{hunt}/events", headers={"Authorization": f"Bearer {ORGANIZER}"}
    ).json()["events"]
    solved = [e for e in events if e["type"] == "clue_solved"]
    assert sorted(e["payload"]["team_id"] for e in solved) == sorted(t["team_id"] for t in teams)


def _pending(exposition: str) -> float:
    for line in exposition.splitlines():
        if line.startswith("questline_command_queue_depth "):
            return float(line.split()[1])
    return 0.0
