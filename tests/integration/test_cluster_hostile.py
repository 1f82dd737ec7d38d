"""The cluster's API node applies the same limits as an embedded node (issue 12, item
10): it is the same app behind the same server options. Checked on a real Kafka and
Cassandra: a bogus token is 401 on the probes, bad tokens are limited, registrations
are limited, a head over the cap gets 431, and a short organizer token stops it."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.hostile.live_server import Live, read_response, serving
from tests.integration.cluster_support import ORGANIZER, Members, eventually, fresh_config

from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.demo.sample_hunt import city_hunt_yaml
from questline.http.abuse_limits import AbuseSettings
from questline.http.tokens import WeakOrganizerToken
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

ORG = {"Authorization": f"Bearer {ORGANIZER}"}


@pytest.fixture
def config(kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster) -> ClusterConfig:
    return fresh_config(kafka_cluster, cassandra_cluster, partitions=1)


@pytest.fixture
def live(config: ClusterConfig) -> Iterator[Live]:
    members = Members(config)
    node = build_api_node(
        config,
        organizer_token=ORGANIZER,
        abuse=AbuseSettings(registrations_per_address=3, token_failures_per_address=3),
    )
    try:
        with serving(node) as served:
            yield served
    finally:
        members.close()


def test_a_short_organizer_token_stops_an_api_node(config: ClusterConfig) -> None:
    with pytest.raises(WeakOrganizerToken):
        build_api_node(config, organizer_token="too-short")


def test_the_api_node_applies_the_embedded_limits(live: Live, tmp_path: Path) -> None:
    with live.client() as client:
        hunt_id = f"hostile-{uuid.uuid4().hex[:6]}"
        created = client.post(
            "/api/hunts",
            content=city_hunt_yaml(hunt_id=hunt_id),
            headers={**ORG, "Content-Type": "application/yaml"},
        )
        assert created.status_code == 201, created.text
        eventually(lambda: client.get(f"/api/hunts/{hunt_id}").status_code == 200, "the hunt row")

        bogus = {"Authorization": "Bearer bogus"}
        for path in ("/healthz", "/readyz", "/metrics"):
            assert client.get(path, headers=bogus).status_code == 401
        assert client.get(f"/api/hunts/{hunt_id}/photos/p-999").status_code == 401

        statuses = [
            client.post(f"/api/hunts/{hunt_id}/teams", json={"name": f"T{n}"}).status_code
            for n in range(4)
        ]
        assert statuses == [201, 201, 201, 429]

        limited = client.get("/healthz", headers=bogus)  # a fourth, after three in the minute
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["error"]["code"] == "too_many_bad_tokens"

    with live.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 40_000 + b"\r\n\r\n")
        status, _ = read_response(sock)
    assert status == 431
    assert httpx.get(f"{live.base_url}/healthz").status_code == 200
