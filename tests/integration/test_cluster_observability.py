"""Cluster observability on a real Kafka broker and a real Cassandra node: a worker and
a projector in threads report partitions owned, lag, transactions and projected events
on a metrics server's /metrics; their ECS log lines carry the correlation ids; an API
node's /readyz turns 503 once its read models fall behind the log (projector stopped)
and ready again when a projector catches up."""

import io
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, eventually, fresh_config

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import ApiNode, build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.worker import PartitionWorker
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.commands import RegisterTeam
from questline.observability.logs import configure_logging
from questline.observability.metrics_server import MetricsServer, serve_metrics
from questline.ports import CommandEnvelope, Outcome
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

PARTITIONS = 3
MAX_LAG = 5  # events a partition's read models may be behind with the node still ready

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass
class Observed:
    config: ClusterConfig
    store: CassandraStore
    node: ApiNode
    client: TestClient
    worker: PartitionWorker
    projector: ClusterProjector
    projector_stop: threading.Event
    projector_thread: threading.Thread
    metrics: MetricsServer
    logs: io.StringIO
    before: Samples
    threads: list[threading.Thread] = field(default_factory=list)
    stops: list[threading.Event] = field(default_factory=list)

    def scrape(self) -> Samples:
        text = httpx.get(f"http://127.0.0.1:{self.metrics.port}/metrics", timeout=5).text
        return parse(text)

    def log_lines(self, action: str) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in self.logs.getvalue().splitlines() if line]
        return [line for line in lines if line.get("event", {}).get("action") == action]

    def start_projector(self, name: str) -> ClusterProjector:
        projector = ClusterProjector(self.config, self.store, name)
        stop = threading.Event()
        thread = threading.Thread(target=projector.run, args=(stop,), daemon=True)
        thread.start()
        self.threads.append(thread)
        self.stops.append(stop)
        return projector


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def grown(now: Samples, before: Samples, name: str, **labels: str) -> float:
    return (value(now, name, **labels) or 0.0) - (value(before, name, **labels) or 0.0)


@pytest.fixture
def observed(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[Observed]:
    suffix = uuid.uuid4().hex[:8]
    logs = io.StringIO()
    handler = configure_logging(stream=logs, fmt="json", level="INFO")
    config = fresh_config(kafka_cluster, cassandra_cluster, partitions=PARTITIONS)
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    server = serve_metrics(0, "127.0.0.1")
    before = parse(httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5).text)
    worker_stop, projector_stop = threading.Event(), threading.Event()
    worker = PartitionWorker(config, f"w-{suffix}", SystemClock(), store.commands.find)
    projector = ClusterProjector(config, store, f"p-{suffix}")
    worker_thread = threading.Thread(target=worker.run, args=(worker_stop,), daemon=True)
    projector_thread = threading.Thread(target=projector.run, args=(projector_stop,), daemon=True)
    worker_thread.start()
    projector_thread.start()
    node = build_api_node(
        config, organizer_token=ORGANIZER, max_projection_lag=MAX_LAG, readiness_interval_s=0.3
    )
    observed: Observed | None = None
    try:
        eventually(lambda: len(worker.owned) == PARTITIONS, "the worker to own every partition")
        eventually(
            lambda: len(projector.partitions) == PARTITIONS, "the projector to own every partition"
        )
        with TestClient(node.app) as client:
            observed = Observed(
                config,
                store,
                node,
                client,
                worker,
                projector,
                projector_stop,
                projector_thread,
                server,
                logs,
                before,
                threads=[worker_thread, projector_thread],
                stops=[worker_stop, projector_stop],
            )
            yield observed
    finally:
        for stop in [worker_stop, projector_stop, *(observed.stops if observed else [])]:
            stop.set()
        for thread in [worker_thread, projector_thread, *(observed.threads if observed else [])]:
            thread.join(30)
        node.close()
        server.close()
        store.close()
        logging.getLogger().removeHandler(handler)


def test_workers_and_projectors_report_metrics_logs_and_readiness(observed: Observed) -> None:
    o = observed
    organizer = {"Authorization": f"Bearer {ORGANIZER}"}
    created = o.client.post(
        "/api/hunts",
        content=city_hunt_yaml(),
        headers={**organizer, "Content-Type": "application/yaml", "X-Correlation-ID": "obs-create"},
    )
    assert created.status_code == 201, created.text
    hunt = created.json()["id"]
    for name in ("Otters", "Foxes"):
        registered = o.client.post(
            f"/api/hunts/{hunt}/teams",
            json={"name": name},
            headers={"X-Correlation-ID": f"obs-{name.lower()}"},
        )
        assert registered.status_code == 201, registered.text

    # -- metrics: partitions owned, zero lag once caught up, transactions, projections --
    def caught_up() -> bool:
        now = o.scrape()
        partitions = [str(p) for p in range(PARTITIONS)]
        return (
            all(
                value(now, "questline_consumer_lag_messages", group="workers", partition=p) == 0
                for p in partitions
            )
            and all(
                value(now, "questline_consumer_lag_messages", group="projectors", partition=p) == 0
                for p in partitions
            )
            and all(
                value(now, "questline_projection_lag_events", partition=p) == 0 for p in partitions
            )
            and grown(now, o.before, "questline_projected_events_total", type="team_registered")
            >= 2
        )

    eventually(caught_up, "zero lag and the projected events on /metrics", 30)
    now = o.scrape()
    for role in ("worker", "projector"):
        assert grown(now, o.before, "questline_partitions_owned", role=role) == PARTITIONS
    assert grown(now, o.before, "questline_projected_events_total", type="hunt_created") >= 1
    assert grown(now, o.before, "questline_events_total", type="team_registered") >= 2
    assert grown(now, o.before, "questline_worker_batches_total") >= 3
    assert grown(now, o.before, "questline_worker_transaction_commit_seconds_count") >= 3
    assert (
        sum(
            grown(now, o.before, "questline_worker_commands_total", partition=str(p))
            for p in range(PARTITIONS)
        )
        >= 3
    )
    assert grown(now, o.before, "questline_dead_letters_total", stage="decide") == 0

    # -- logs: assignment, transactions and projected batches with the correlation ids --
    assigned = o.log_lines("partition-assigned")
    assert {(line["questline"]["role"], line["questline"]["partition"]) for line in assigned} >= {
        (role, p) for role in ("worker", "projector") for p in range(PARTITIONS)
    }
    transactions = o.log_lines("transaction-committed")
    otters = [t for t in transactions if "obs-otters" in t["questline"]["correlation_ids"]]
    assert otters and otters[0]["questline"]["commands"] >= 1
    assert otters[0]["questline"]["first_offset"] <= otters[0]["questline"]["last_offset"]
    events = [e for e in o.log_lines("event-committed") if e.get("trace", {}).get("id")]
    registered_line = next(e for e in events if e["trace"]["id"] == "obs-foxes")
    assert registered_line["questline"]["event_type"] == "team_registered"
    assert registered_line["questline"]["projected"] is False
    batches = o.log_lines("batch-projected")
    assert any("obs-create" in b["questline"]["correlation_ids"] for b in batches)
    assert all(b["questline"]["first_offset"] <= b["questline"]["last_offset"] for b in batches)

    # -- readiness: ready, then behind the log with the projector stopped, then ready --
    eventually(lambda: o.client.get("/readyz").status_code == 200, "/readyz to say ready", 15)
    o.projector_stop.set()
    o.projector_thread.join(30)
    assert not o.projector_thread.is_alive()
    pending: list[Future[Outcome]] = [
        o.node.bus.submit(
            CommandEnvelope(
                uuid.uuid4().hex,
                RegisterTeam(hunt, f"Late {n}", uuid.uuid4().hex),
                correlation_id=f"obs-late-{n}",
            )
        )
        for n in range(MAX_LAG)
    ]
    reasons: list[str] = []

    def not_ready() -> bool:
        answer = o.client.get("/readyz")
        if answer.status_code != 503:
            return False
        reasons[:] = answer.json()["reasons"]
        return True

    eventually(not_ready, "/readyz to say 503 with the read models behind", 20)
    assert any("read models are behind the log" in r for r in reasons), reasons
    partition_lags = [
        value(o.scrape(), "questline_projection_lag_events", partition=str(p))
        for p in range(PARTITIONS)
    ]
    assert max(v or 0 for v in partition_lags) > MAX_LAG

    o.start_projector(f"p2-{uuid.uuid4().hex[:8]}")
    eventually(lambda: o.client.get("/readyz").status_code == 200, "ready again", 30)
    for future in pending:
        assert future.result(15).events, "each late team was registered"
