"""The photo folder on the cluster shape, with a real Kafka broker and Cassandra node:
a refused photo leaves nothing, an accepted one is kept, and the API node's photo
sweeper removes what no committed event refers to once the projections have caught up
with the log (issue 12, item 4)."""

import hashlib
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, eventually, fresh_config

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import ApiNode, build_api_node
from questline.cluster.projector import ClusterProjector
from questline.cluster.worker import PartitionWorker
from questline.demo.sample_hunt import city_hunt_yaml
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(64))


@dataclass
class PhotoCluster:
    node: ApiNode
    client: TestClient
    photos: Path


@pytest.fixture
def photo_cluster(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> Iterator[PhotoCluster]:
    config = msgspec.structs.replace(
        fresh_config(kafka_cluster, cassandra_cluster),
        photos_dir=str(tmp_path / "photos"),
        photo_sweep_interval_s=3600.0,  # the test sweeps when it means to
    )
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    stop = threading.Event()
    suffix = uuid.uuid4().hex[:8]
    worker = PartitionWorker(config, f"w-{suffix}", SystemClock(), store.commands.find)
    projector = ClusterProjector(config, store, f"p-{suffix}")
    threads = [
        threading.Thread(target=worker.run, args=(stop,), daemon=True),
        threading.Thread(target=projector.run, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    eventually(
        lambda: len(worker.owned) == 3 and len(projector.partitions) == 3,
        "the worker and the projector to own the partitions",
        120,
    )
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        with TestClient(node.app) as client:
            yield PhotoCluster(node, client, tmp_path / "photos")
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        node.close()
        store.close()


def _files(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


def _age(path: Path) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime - 3600, stat.st_mtime - 3600))


def test_the_cluster_keeps_only_photos_its_events_refer_to(photo_cluster: PhotoCluster) -> None:
    c = photo_cluster
    organizer = {"Authorization": f"Bearer {ORGANIZER}"}
    created = c.client.post(
        "/api/hunts",
        content=city_hunt_yaml(),
        headers={**organizer, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    hunt = created.json()["id"]
    team = c.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Otters"}).json()
    auth = {"Authorization": f"Bearer {team['token']}"}
    eventually(
        lambda: c.client.get(f"/api/hunts/{hunt}", headers=auth).status_code == 200,
        "the team token to reach Cassandra",
    )

    def send(clue: str, data: bytes) -> int:
        response = c.client.post(
            f"/api/hunts/{hunt}/submissions",
            data={"clue": clue},
            files={"photo": ("p.png", data, "image/png")},
            headers=auth,
        )
        return response.status_code

    assert send("town-hall", JPEG) == 422  # a text clue: refused, nothing kept
    assert send("statue-selfie", PNG) == 200
    kept = hashlib.sha256(PNG).hexdigest()
    assert _files(c.photos) == {kept}
    orphan = c.photos / hashlib.sha256(JPEG).hexdigest()
    orphan.write_bytes(JPEG)
    _age(orphan)
    _age(c.photos / kept)
    assert c.node.photo_sweeper is not None
    result = c.node.photo_sweeper.sweep()  # waits for the projections to pass the log's end
    assert result is not None and result.orphans_removed == 1
    assert _files(c.photos) == {kept}
