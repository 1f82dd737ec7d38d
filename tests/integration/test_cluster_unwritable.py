"""A worker sets aside a command whose events cannot be produced, on real Kafka: a
hunt whose `hunt_created` event is larger than the worker's producer takes. It is
answered with `unwritable_command` and dead-lettered alone; the commands around
it in the same transaction of the commands topic are decided and committed, and
nothing else is dead-lettered. Before, the worker aborted the batch, rewound and
failed on it again, forever: its partition stopped."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from confluent_kafka import Producer
from prometheus_client import REGISTRY
from starlette.testclient import TestClient
from tests.integration.cluster_support import ORGANIZER, Members, eventually, fresh_config
from tests.rules.support import document, text_clue

from questline.adapters.kafka.dead_letter_queue import list_dead_letters
from questline.adapters.kafka.messages import encode
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.commands import CreateHunt, RegisterTeam
from questline.domain.definition_parsing import parse_definition
from questline.ports import CommandEnvelope, partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration
ORG = {"Authorization": f"Bearer {ORGANIZER}"}
MAX_MESSAGE_BYTES = 50_000  # the worker's producer; the hunts below are ~90 kB
HUNT = "city-lights"


@dataclass
class Cluster:
    config: ClusterConfig
    client: TestClient


@pytest.fixture
def cluster(kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster) -> Iterator[Cluster]:
    config = fresh_config(kafka_cluster, cassandra_cluster, partitions=2)
    kafka = msgspec.structs.replace(config.kafka, max_message_bytes=MAX_MESSAGE_BYTES)
    config = msgspec.structs.replace(config, kafka=kafka, command_timeout_s=20.0)
    members = Members(config, workers=1, projectors=1)
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        with TestClient(node.app) as client:
            yield Cluster(config, client)
    finally:
        node.close()
        members.close()


def _big_hunt(hunt_id: str) -> dict[str, Any]:
    """A valid hunt of ten clues with 9,000 characters of text each."""
    clues = [{**text_clue(f"c{i}"), "text": f"clue {i} " + "x" * 9_000} for i in range(10)]
    doc = document(*clues)
    doc["hunt"]["id"] = hunt_id
    return doc


def _same_partition(config: ClusterConfig, prefix: str) -> str:
    partitions = config.kafka.partitions
    return next(
        f"{prefix}-{i}"
        for i in range(1000)
        if partition_of(f"{prefix}-{i}", partitions) == partition_of(HUNT, partitions)
    )


def _unwritable_total() -> float:
    return REGISTRY.get_sample_value("questline_unwritable_commands_total") or 0.0


def _board_names(client: TestClient) -> list[str]:
    response = client.get(f"/api/hunts/{HUNT}/leaderboard")
    if response.status_code != 200:
        return []
    return sorted(team["name"] for team in response.json()["teams"])


def test_a_command_whose_event_kafka_refuses_is_set_aside_alone(cluster: Cluster) -> None:
    c = cluster
    kafka = c.config.kafka
    created = c.client.post(
        "/api/hunts", content=city_hunt_yaml(), headers={**ORG, "Content-Type": "application/yaml"}
    )
    assert created.status_code == 201, created.text
    before = _unwritable_total()

    # Three commands in one transaction of the commands partition (so the worker
    # reads them in one batch), the middle one too large to become an event.
    huge_id = _same_partition(c.config, "huge")
    huge = CreateHunt(huge_id, parse_definition(_big_hunt(huge_id)))
    commands = [
        CommandEnvelope(uuid.uuid4().hex, RegisterTeam(HUNT, "Otters", "h1")),
        CommandEnvelope(uuid.uuid4().hex, huge),
        CommandEnvelope(uuid.uuid4().hex, RegisterTeam(HUNT, "Gulls", "h2")),
    ]
    producer = Producer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "transactional.id": f"unwritable-test-{uuid.uuid4().hex}",
        }
    )
    producer.init_transactions(30)
    producer.begin_transaction()
    partition = partition_of(HUNT, kafka.partitions)
    for envelope in commands:
        producer.produce(kafka.commands_topic, value=encode(envelope), partition=partition)
    producer.commit_transaction(30)

    eventually(lambda: _board_names(c.client) == ["Gulls", "Otters"], "both teams registered")
    eventually(lambda: len(list_dead_letters(c.config.kafka)) >= 1, "a dead letter")
    [letter] = list_dead_letters(c.config.kafka)
    assert letter.stage == "produce" and letter.source_partition == partition
    assert "larger than Kafka takes" in letter.error
    assert letter.value_omitted  # too large to copy: it points at its source offset
    assert c.client.get(f"/api/hunts/{huge_id}", headers=ORG).status_code == 404
    assert _unwritable_total() == before + 1

    # Through the API: the caller is answered, not left to time out.
    answer = c.client.post(
        "/api/hunts", json=_big_hunt(_same_partition(c.config, "big")), headers=ORG
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "unwritable_command"
    assert c.client.post(f"/api/hunts/{HUNT}/teams", json={"name": "Herons"}).status_code == 201
    assert [d.stage for d in list_dead_letters(c.config.kafka)] == ["produce", "produce"]
