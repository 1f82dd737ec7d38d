"""Three Kafka brokers and three Cassandra nodes (replication factor 3, quorum reads
and writes): one broker and one Cassandra node are stopped in the middle of load
and started again. Nothing acknowledged is lost or doubled and processing goes on."""

import hashlib
import random
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, eventually
from tests.integration.conftest import require_server

from questline.adapters.cassandra.settings import CassandraSettings
from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.partition_reader import read_partition
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.verification import projection_lag, verify_cluster
from questline.cluster.worker import PartitionWorker
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.events import RecordedEvent
from questline.ports import partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration
ORG = {"Authorization": f"Bearer {ORGANIZER}"}


def _free_run(length: int) -> int:
    """A base port with `length` free ports after it (and 100 above, for controllers)."""
    for _ in range(200):
        base = random.randrange(20_000, 40_000)
        ports = [*range(base, base + length), *range(base + 100, base + 100 + length)]
        sockets = []
        try:
            for port in ports:
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free run of ports")


@pytest.fixture(scope="module")
def replicated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[KafkaCluster, CassandraCluster]]:
    require_server(request, "kafka")
    require_server(request, "cassandra")
    kafka = KafkaCluster(tmp_path_factory.mktemp("kafka3"), 3, port=_free_run(3))
    base = _free_run(2)
    cassandra = CassandraCluster(
        tmp_path_factory.mktemp("cassandra3"),
        3,
        native_port=base,
        storage_port=base + 1,
        cluster_name="questline-rf3",
    )
    kafka.start()
    try:
        cassandra.start()
        try:
            yield kafka, cassandra
        finally:
            cassandra.stop()
    finally:
        kafka.stop()


def test_stopping_a_broker_and_a_cassandra_node_under_load_loses_nothing(
    replicated: tuple[KafkaCluster, CassandraCluster], tmp_path: Path
) -> None:
    kafka, cassandra = replicated
    suffix = uuid.uuid4().hex[:8]
    config = ClusterConfig(
        kafka=KafkaSettings(
            bootstrap_servers=kafka.bootstrap_servers,
            partitions=3,
            replication_factor=3,
            min_insync_replicas=2,
            reply_partitions=1,
            topic_prefix=f"ql-{suffix}",
        ),
        cassandra=CassandraSettings(
            contact_points=tuple(cassandra.contact_points),
            port=cassandra.native_port,
            keyspace=f"ql_{suffix}",
            replication_factor=3,
        ),
        photos_dir=str(tmp_path / "photos"),
        session_timeout_ms=6000,
        transaction_timeout_ms=6000,
        command_timeout_s=15.0,
    )
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
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        eventually(
            lambda: len(worker.owned) == 3 and len(projector.partitions) == 3,
            "the worker and projector to own the partitions",
            120,
        )
        with TestClient(node.app) as client:
            _play_through_outages(client, config, store, kafka, cassandra)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        node.close()
        store.close()


def _play_through_outages(
    client: TestClient,
    config: ClusterConfig,
    store: CassandraStore,
    kafka: KafkaCluster,
    cassandra: CassandraCluster,
) -> None:
    hunt = "city-lights"
    created = client.post(
        "/api/hunts", content=city_hunt_yaml(), headers={**ORG, "Content-Type": "application/yaml"}
    )
    assert created.status_code == 201, created.text
    teams = [
        client.post(f"/api/hunts/{hunt}/teams", json={"name": f"Team {i}"}).json()
        for i in range(25)
    ]
    acknowledged: set[str] = set()
    lock = threading.Lock()

    def submit(index: int) -> None:
        team = teams[index % len(teams)]
        key = f"k-{index}"
        headers = {"Authorization": f"Bearer {team['token']}", "Idempotency-Key": key}
        body = {"clue": "town-hall", "answer": f"guess {index}"}
        for _ in range(40):
            response = client.post(f"/api/hunts/{hunt}/submissions", json=body, headers=headers)
            if response.status_code == 200:
                digest = hashlib.sha256(f"{hunt}\x00team:{team['team_id']}\x00{key}".encode())
                with lock:
                    acknowledged.add(digest.hexdigest())
                return
            assert response.status_code == 503, response.text  # shed or timed out: retry
        pytest.fail("a submission was never answered")

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(submit, i) for i in range(100)]
        eventually(lambda: len(acknowledged) >= 25, "load before the outage", 120)
        kafka.stop_broker(2)
        cassandra.stop_node(2)
        eventually(lambda: len(acknowledged) >= 60, "load flowing during the outage", 180)
        kafka.start_broker(2)
        cassandra.start_node(2)
        for future in futures:
            future.result()
    assert len(acknowledged) == 100
    eventually(lambda: not any(projection_lag(config, store).values()), "projections", 120)
    log: list[RecordedEvent] = []
    read_partition(config.kafka, partition_of(hunt, config.kafka.partitions), log.append)
    answers = Counter(e.command_id for e in log if e.type in ("answer_wrong", "kept_going"))
    assert sorted(answers) == sorted(acknowledged)  # every acknowledged answer, once each
    assert set(answers.values()) == {1}
    assert verify_cluster(config, store) == []
