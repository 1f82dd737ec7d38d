"""Backup and restore of a cluster on the real servers: `export --cluster` reads the
events topic, `import --cluster` rebuilds a FRESH cluster from the file (a new topic
prefix and keyspace), its projector builds read models equal to a replay and to the
first cluster's, and retries of old commands get their first answer. An embedded
export imports too (the migration path); a bad file imports nothing. An event that
reaches the log without following its hunt's hash chain is named by `verify
--cluster`."""

from pathlib import Path
from typing import Any

import msgspec
import pytest
from confluent_kafka import KafkaException, Producer
from starlette.testclient import TestClient
from tests.integration.cluster_support import (
    ORGANIZER,
    Members,
    eventually,
    fresh_config,
)
from typer.testing import CliRunner

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import ManualClock
from questline.adapters.kafka.group_status import high_watermarks
from questline.adapters.kafka.messages import KIND, KIND_EVENT, encode_event
from questline.adapters.kafka.topics import ensure_topics
from questline.adapters.sqlite.store import SqliteStore
from questline.cli.app import app
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.verification import projection_lag
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.events import AnnouncementMade, RecordedEvent
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope, ReadModelStore, partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

ORG = {"Authorization": f"Bearer {ORGANIZER}"}
runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def write_config(config: ClusterConfig, folder: Path) -> Path:
    path = folder / f"{config.kafka.topic_prefix}.json"
    path.write_bytes(msgspec.json.encode(config))
    return path


def caught_up(config: ClusterConfig, store: CassandraStore) -> None:
    eventually(lambda: not any(projection_lag(config, store).values()), "projections to catch up")


def board_and_teams(store: ReadModelStore, hunt: str) -> tuple[list[Any], list[Any]]:
    board = store.leaderboard(hunt, "live", 100, 0)
    teams = sorted((key, msgspec.to_builtins(row)) for _, key, row in store.rows("teams", hunt))
    return board, teams


def _play(client: TestClient, hunt: str) -> tuple[list[dict[str, str]], Any]:
    created = client.post(
        "/api/hunts",
        content=city_hunt_yaml(hunt_id=hunt),
        headers={**ORG, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    auth = []
    for name in ("Otters", "Foxes", "Gulls"):
        registered = client.post(f"/api/hunts/{hunt}/teams", json={"name": name})
        assert registered.status_code == 201, registered.text
        auth.append({"Authorization": f"Bearer {registered.json()['token']}"})
    eventually(
        lambda: client.get(f"/api/hunts/{hunt}", headers=auth[2]).status_code == 200,
        "team tokens to reach Cassandra",
    )
    submit = f"/api/hunts/{hunt}/submissions"
    client.post(submit, json={"clue": "town-hall", "answer": "clock"}, headers=auth[0])
    first = client.post(
        submit,
        json={"clue": "town-hall", "answer": "Weather Vane!"},
        headers={**auth[1], "Idempotency-Key": "k-1"},
    )
    assert first.json()["result"] == "correct", first.text
    solved = client.post(
        submit, json={"clue": "town-hall", "answer": "weathervane"}, headers=auth[0]
    )
    assert solved.json()["result"] == "correct", solved.text
    return auth, first


def test_a_cluster_exported_imports_into_a_fresh_cluster_equal_to_it(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> None:
    a = fresh_config(kafka_cluster, cassandra_cluster)
    members_a = Members(a)
    node_a = build_api_node(a, organizer_token=ORGANIZER)
    try:
        with TestClient(node_a.app) as client:
            auth, first = _play(client, "harbour")
            _play(client, "old-town")
        caught_up(a, members_a.store)
        expected = board_and_teams(members_a.store.read_models, "harbour")
    finally:
        node_a.close()
        members_a.close()
    backup = tmp_path / "cluster.jsonl"
    code, output = run("export", "--cluster", write_config(a, tmp_path), "--out", backup)
    assert code == 0, output
    lines = backup.read_bytes().splitlines()
    # the Idempotency-Key commands (one per hunt) left command records: they come along
    assert sum(line.startswith(b'{"record"') for line in lines) == 2
    only = tmp_path / "harbour.jsonl"
    code, output = run("export", "--cluster", write_config(a, tmp_path), "--hunt", "harbour")
    assert code == 0 and '"hunt_id":"harbour"' in output and '"old-town"' not in output
    code, output = run(
        "export", "--cluster", write_config(a, tmp_path), "--hunt", "harbour", "--out", only
    )
    assert code == 0, output
    harbour_lines = only.read_bytes().splitlines()
    assert harbour_lines and all(b'"hunt_id":"harbour"' in line for line in harbour_lines)
    assert set(harbour_lines) < set(lines)

    b = fresh_config(kafka_cluster, cassandra_cluster)
    config_b = write_config(b, tmp_path)
    code, output = run("import", "--cluster", config_b, backup)
    assert code == 0, output
    assert "imported" in output and "2 hunt(s)" in output
    code, output = run("import", "--cluster", config_b, backup)
    assert code == 1
    assert "already holds events" in output and "nothing was imported" in output

    members_b = Members(b)
    node_b = build_api_node(b, organizer_token=ORGANIZER)
    try:
        caught_up(b, members_b.store)
        code, output = run("verify", "--cluster", config_b)
        assert code == 0, output
        assert board_and_teams(members_b.store.read_models, "harbour") == expected
        with TestClient(node_b.app) as client:
            # the retry of a command decided on cluster A gets A's answer, not a new one
            again = client.post(
                "/api/hunts/harbour/submissions",
                json={"clue": "town-hall", "answer": "Weather Vane!"},
                headers={**auth[1], "Idempotency-Key": "k-1"},
            )
            assert again.status_code == 200 and again.content == first.content
            # and play goes on where A left it
            more = client.post(
                "/api/hunts/harbour/submissions",
                json={"clue": "town-hall", "answer": "weather vane"},
                headers=auth[2],
            )
            assert more.json()["result"] == "correct", more.text
        caught_up(b, members_b.store)
        code, output = run("verify", "--cluster", config_b)
        assert code == 0, output
    finally:
        node_b.close()
        members_b.close()


def _embedded_db(path: Path) -> Path:
    workload = Workload(hunts=3, teams=60, seed=8)
    store = SqliteStore(path)
    clock = ManualClock(workload.starts_at + 1)
    engine = HuntEngine(store, clock)
    commands = [*workload.setup(), *workload.play(1500)]
    for start in range(0, len(commands), 250):
        clock.advance(1000)
        engine.execute(
            [
                CommandEnvelope(f"c{start + i}", command)
                for i, command in enumerate(commands[start : start + 250])
            ]
        )
    store.close()
    return path


def test_an_embedded_export_imports_into_a_cluster(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> None:
    db = _embedded_db(tmp_path / "embedded.db")
    exported = tmp_path / "embedded.jsonl"
    code, output = run("export", "--db", db, "--out", exported)
    assert code == 0, output
    config = fresh_config(kafka_cluster, cassandra_cluster)
    code, output = run("import", "--cluster", write_config(config, tmp_path), exported)
    assert code == 0, output
    members = Members(config, workers=0)
    embedded = SqliteStore(db, create=False)
    try:
        caught_up(config, members.store)
        code, output = run("verify", "--cluster", write_config(config, tmp_path))
        assert code == 0, output
        for hunt in Workload(hunts=3).hunt_ids():
            assert board_and_teams(members.store.read_models, hunt) == board_and_teams(
                embedded.read_models, hunt
            )
        # Written past the engine, an event whose hash does not follow the chain.
        hunt = Workload(hunts=3).hunt_ids()[0]
        head = embedded.events.version(hunt)
        forged = RecordedEvent(
            hunt, head + 1, 0, "forged", AnnouncementMade("all solved"), hash="0" * 64
        )
        producer = Producer({"bootstrap.servers": config.kafka.bootstrap_servers})
        producer.produce(
            config.kafka.events_topic,
            key=hunt.encode(),
            value=encode_event(forged),
            partition=partition_of(hunt, config.kafka.partitions),
            headers=[(KIND, KIND_EVENT)],
        )
        assert producer.flush(30) == 0
        code, output = run("verify", "--cluster", write_config(config, tmp_path))
        assert code == 1
        assert f"hunt {hunt}: the hash of version {head + 1} does not follow the chain" in output
        assert "1 hash chain(s) broken" in output
    finally:
        embedded.close()
        members.close()


def _nothing_in(config: ClusterConfig) -> bool:
    ensure_topics(config.kafka)
    highs: dict[int, int] = {}

    def answered() -> bool:  # a topic just created may have no partition leader yet
        try:
            highs.update(high_watermarks(config.kafka, config.kafka.events_topic))
        except KafkaException:
            return False
        return True

    eventually(answered, "the events topic's partitions to have leaders")
    return set(highs.values()) == {0}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda lines: [*lines[:4], b'{"position": 5, "hunt_id": "w-000", "oops', *lines[5:]],
            "line 5",
        ),
        (lambda lines: [*lines[:6], *lines[7:]], "line 7: hunt"),
    ],
    ids=["malformed line", "version gap"],
)
def test_a_bad_file_imports_nothing_naming_the_line(
    kafka_cluster: KafkaCluster,
    cassandra_cluster: CassandraCluster,
    tmp_path: Path,
    damage: Any,
    message: str,
) -> None:
    db = tmp_path / "small.db"
    store = SqliteStore(db)
    clock = ManualClock(Workload(hunts=1).starts_at + 1)
    workload = Workload(hunts=1, teams=10, seed=3)
    HuntEngine(store, clock).execute(
        [CommandEnvelope(f"c{i}", c) for i, c in enumerate([*workload.setup()])]
    )
    store.close()
    exported = tmp_path / "small.jsonl"
    assert run("export", "--db", db, "--out", exported)[0] == 0
    exported.write_bytes(b"\n".join(damage(exported.read_bytes().splitlines())) + b"\n")
    config = fresh_config(kafka_cluster, cassandra_cluster)
    code, output = run("import", "--cluster", write_config(config, tmp_path), exported)
    assert code == 1
    assert message in output and "nothing was imported" in output, output
    assert "Traceback" not in output
    assert _nothing_in(config)


def test_import_is_refused_while_workers_run(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> None:
    exported = tmp_path / "one.jsonl"
    assert run("export", "--db", _embedded_db(tmp_path / "one.db"), "--out", exported)[0] == 0
    config = fresh_config(kafka_cluster, cassandra_cluster)
    workers = Members(config, workers=1, projectors=0)
    try:
        code, output = run("import", "--cluster", write_config(config, tmp_path), exported)
    finally:
        workers.close()
    assert code == 1
    assert "workers are running" in output and "nothing was imported" in output, output
    assert _nothing_in(config)
