"""Faults on the real cluster: a worker process killed with SIGKILL, or stopped with
SIGTERM, in the middle of load, and poison messages produced with kcat. Nothing
acknowledged is lost or doubled, the partitions keep flowing, and the read models
equal a replay."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient
from tests.integration.cluster_support import (
    ORGANIZER,
    dotted,
    drill_hunt_yaml,
    eventually,
    fresh_config,
    hunts_on_every_partition,
)

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.dead_letter_queue import list_dead_letters
from questline.adapters.kafka.group_status import KafkaGroups
from questline.adapters.kafka.partition_reader import read_partition
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.local_cluster import ProcessSpec, alive, start_process
from questline.cluster.projector import ClusterProjector
from questline.cluster.verification import projection_lag, verify_cluster
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.events import RecordedEvent
from questline.observability.ecs_reading import ecs_lines
from questline.ports import partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration
ORG = {"Authorization": f"Bearer {ORGANIZER}"}
WORKERS = ("worker-a", "worker-b")
ANSWER_EVENTS = ("answer_wrong", "kept_going", "clue_solved")


@dataclass
class Cluster:
    config: ClusterConfig
    directory: Path
    store: CassandraStore
    client: TestClient
    pids: dict[str, int]

    def owners(self) -> dict[str, list[int]]:
        return KafkaGroups(self.config.kafka).members(f"{self.config.kafka.topic_prefix}-workers")

    def owned(self) -> list[int]:
        return sorted(p for parts in self.owners().values() for p in parts)

    def owner_of(self, partition: int) -> str | None:
        return next((n for n, parts in self.owners().items() if partition in parts), None)


@pytest.fixture
def cluster(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> Iterator[Cluster]:
    config = fresh_config(kafka_cluster, cassandra_cluster, partitions=4)
    ensure_topics(config.kafka)
    config_path = tmp_path / "cluster.yaml"
    config_path.write_text(yaml.safe_dump(json.loads(json.dumps(_plain(config)))))
    store = CassandraStore.open(config.cassandra)
    pids = {
        name: start_process(
            tmp_path,
            ProcessSpec(
                name,
                [
                    sys.executable,
                    "-m",
                    "questline",
                    "worker",
                    "--cluster",
                    str(config_path),
                    "--id",
                    name,
                ],
            ),
        )
        for name in WORKERS
    }
    stop = threading.Event()
    projector = ClusterProjector(config, store, "p-faults")
    projector_thread = threading.Thread(target=projector.run, args=(stop,), daemon=True)
    projector_thread.start()
    node = build_api_node(config, organizer_token=ORGANIZER)
    c = Cluster(config, tmp_path, store, TestClient(node.app), pids)
    try:
        eventually(
            lambda: c.owned() == [0, 1, 2, 3] and len(c.owners()) == 2,
            "the two workers to share all 4 partitions",
            120,
        )
        with c.client:
            yield c
    finally:
        for pid in pids.values():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        stop.set()
        projector_thread.join(30)
        node.close()
        store.close()


def _plain(config: ClusterConfig) -> dict[str, object]:
    import msgspec

    return msgspec.to_builtins(config)  # type: ignore[no-any-return]


def _command_id(hunt: str, team_id: str, key: str) -> str:
    return hashlib.sha256(f"{hunt}\x00team:{team_id}\x00{key}".encode()).hexdigest()


def _all_events(c: Cluster, hunt: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    after = 0
    while True:
        page = c.client.get(f"/api/hunts/{hunt}/events?after={after}&limit=1000", headers=ORG)
        batch = page.json()["events"]
        events.extend(batch)
        if len(batch) < 1000:
            return events
        after = int(batch[-1]["position"])


def _group_dropped(kafka: KafkaCluster, group: str, member: str) -> str | None:
    """Why the group coordinator dropped `member` from `group`, as its log says:
    "LeaveGroup" (the member left) or "heartbeat expiration" (its session ran out)."""
    pattern = re.compile(
        rf"group {re.escape(group)} .*reason: removing member {re.escape(member)}-\S+ "
        r"on (LeaveGroup|heartbeat expiration)",
        re.IGNORECASE,
    )
    for broker in kafka.brokers:
        found = pattern.search(broker.log_path.read_text(errors="replace"))
        if found:
            return found.group(1)
    return None


@pytest.mark.parametrize(
    ("stop", "dropped_on"),
    [(signal.SIGKILL, "heartbeat expiration"), (signal.SIGTERM, "LeaveGroup")],
    ids=["kill-9", "sigterm"],
)
def test_a_worker_stopped_mid_load_loses_and_doubles_nothing(
    cluster: Cluster, kafka_cluster: KafkaCluster, stop: signal.Signals, dropped_on: str
) -> None:
    """kill -9: the group notices when the session runs out; SIGTERM: the worker
    finishes its batch and leaves the group at once. Either way the other worker
    takes every partition and nothing is lost, doubled or left unanswered."""
    c = cluster
    hunt = "city-lights"
    created = c.client.post(
        "/api/hunts", content=city_hunt_yaml(), headers={**ORG, "Content-Type": "application/yaml"}
    )
    assert created.status_code == 201, created.text
    teams = []
    for index in range(30):  # 4 answers each: under the hunt's 5 wrong a minute
        response = c.client.post(f"/api/hunts/{hunt}/teams", json={"name": f"Team {index}"})
        assert response.status_code == 201, response.text
        teams.append(response.json())
    owner_partition = partition_of(hunt, c.config.kafka.partitions)
    eventually(lambda: c.owner_of(owner_partition) is not None, "an owner of the hunt")
    owner = c.owner_of(owner_partition)
    assert owner is not None
    [other] = [w for w in WORKERS if w != owner]
    held = c.owners()[owner]

    acknowledged: dict[str, str] = {}  # command id -> result
    lock = threading.Lock()
    killed_at: list[float] = []
    answered_after_kill: list[float] = []

    def submit(index: int) -> None:
        team = teams[index % len(teams)]
        key = f"k-{index}-{uuid.uuid4().hex[:6]}"
        body = {"clue": "town-hall", "answer": f"guess {index}"}
        headers = {"Authorization": f"Bearer {team['token']}", "Idempotency-Key": key}
        for _ in range(60):  # a client retrying with the same key until it is answered
            response = c.client.post(f"/api/hunts/{hunt}/submissions", json=body, headers=headers)
            if response.status_code == 200:
                with lock:
                    command_id = _command_id(hunt, team["team_id"], key)
                    acknowledged[command_id] = response.json()["result"]
                    if killed_at:
                        answered_after_kill.append(time.monotonic())
                return
            assert response.status_code in (429, 503), response.text
            if response.status_code == 429:
                return  # refused, recorded nothing: not acknowledged
        pytest.fail("a submission was never answered")

    with ThreadPoolExecutor(8) as pool:
        before = [pool.submit(submit, i) for i in range(40)]
        eventually(lambda: len(acknowledged) >= 30, "some submissions acknowledged before the kill")
        os.kill(c.pids[owner], stop)
        killed_at.append(time.monotonic())
        after = [pool.submit(submit, i) for i in range(40, 120)]  # load goes on through it
        for future in [*before, *after]:
            future.result()
    assert answered_after_kill, "nothing was answered after the kill"
    recovery = min(answered_after_kill) - killed_at[0]
    eventually(lambda: not alive(c.pids[owner]), f"{owner} to exit", 30)
    eventually(
        lambda: c.owners() == {other: [0, 1, 2, 3]},
        "the other worker to hold every partition",
        60,
    )
    group = f"{c.config.kafka.topic_prefix}-workers"
    eventually(lambda: _group_dropped(kafka_cluster, group, owner) is not None, "the drop logged")
    assert _group_dropped(kafka_cluster, group, owner) == dropped_on
    # Every partition answers: a hunt created on each (201 once its worker decided it).
    for other_hunt in hunts_on_every_partition(c.config.kafka.partitions, "after").values():
        made = c.client.post(
            "/api/hunts",
            content=drill_hunt_yaml(other_hunt),
            headers={**ORG, "Content-Type": "application/yaml"},
        )
        assert made.status_code == 201, made.text
    if stop == signal.SIGTERM:  # it said so on its way out, naming what it handed back
        left = [
            dotted(line, "questline.partitions")
            for line in ecs_lines(c.directory / "logs" / f"{owner}.log")
            if dotted(line, "event.action") == "group-left"
        ]
        assert left == [held]
    assert len(acknowledged) >= 60
    eventually(
        lambda: not any(projection_lag(c.config, c.store).values()), "projections to catch up"
    )
    log: list[RecordedEvent] = []
    read_partition(c.config.kafka, owner_partition, log.append)
    answers = [e for e in log if e.hunt_id == hunt and e.type in ANSWER_EVENTS]
    by_id = Counter(e.command_id for e in answers)
    lost = [cid for cid in acknowledged if by_id[cid] == 0]
    doubled = [cid for cid, n in by_id.items() if n > 1]
    assert lost == [] and doubled == []
    events = _all_events(c, hunt)
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert verify_cluster(c.config, c.store) == []
    figures = {
        "drill": f"worker {stop.name} under load",
        "acknowledged": len(acknowledged),
        "lost": 0,
        "doubled": 0,
        "seconds_from_kill_to_first_answer": round(recovery, 2),
    }
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    with (artifacts / "cluster-drills.jsonl").open("a") as out:
        out.write(json.dumps(figures) + "\n")
    print(figures)


def _kcat(config: ClusterConfig, topic: str, partition: int, line: bytes, *headers: str) -> None:
    argv = ["kcat", "-P", "-b", config.kafka.bootstrap_servers, "-t", topic, "-p", str(partition)]
    for item in headers:
        argv += ["-H", item]
    subprocess.run(argv, input=line + b"\n", check=True, timeout=30)


def _poison_create_hunt(hunt_id: str) -> bytes:
    """A well-formed command the decider cannot take: a definition that skipped
    validation and carries a regular expression that does not compile."""
    clue = {
        "id": "c",
        "title": "c",
        "text": "",
        "points": 1,
        "answer": {"kind": "text", "accept": ["x"], "accept_regex": ["("]},
    }
    definition = {
        "id": hunt_id,
        "title": "Poison",
        "starts_at": 0,
        "ends_at": 10**17,
        "clues": [clue],
    }
    envelope = {
        "command_id": uuid.uuid4().hex,
        "command": {"type": "create_hunt", "hunt_id": hunt_id, "definition": definition},
    }
    return json.dumps(envelope).encode()


def test_poison_messages_go_to_the_dead_letter_topic_and_nothing_stops(cluster: Cluster) -> None:
    c = cluster
    kafka = c.config.kafka
    hunt = "city-lights"
    created = c.client.post(
        "/api/hunts", content=city_hunt_yaml(), headers={**ORG, "Content-Type": "application/yaml"}
    )
    assert created.status_code == 201
    team = c.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Otters"}).json()
    auth = {"Authorization": f"Bearer {team['token']}"}
    partition = partition_of(hunt, kafka.partitions)
    _kcat(c.config, kafka.commands_topic, partition, b"\x00\xffnot a command")
    _kcat(
        c.config,
        kafka.commands_topic,
        partition_of("poison", kafka.partitions),
        _poison_create_hunt("poison"),
    )
    unknown_event = json.dumps(
        {
            "position": 0,
            "hunt_id": hunt,
            "version": 99,
            "type": "no_such_event",
            "schema": 1,
            "time": "2026-12-01T18:00:00Z",
            "time_us": 0,
            "command_id": "x",
            "payload": {},
        }
    ).encode()
    _kcat(c.config, kafka.events_topic, partition, unknown_event, "kind=event")

    # the partitions keep flowing: a good command after the poison is decided and projected
    answer = c.client.post(
        f"/api/hunts/{hunt}/submissions",
        json={"clue": "town-hall", "answer": "weather vane"},
        headers=auth,
    )
    assert answer.status_code == 200 and answer.json()["result"] == "correct"
    eventually(lambda: len(list_dead_letters(c.config.kafka)) >= 3, "three dead letters")
    letters = {letter.stage: letter for letter in list_dead_letters(c.config.kafka)}
    assert set(letters) == {"decode command", "decide", "project"}
    assert letters["decode command"].source_topic == kafka.commands_topic
    assert letters["decode command"].source_partition == partition
    assert letters["decode command"].value == b"\x00\xffnot a command"
    assert "(" in letters["decide"].value.decode() and letters["decide"].error
    assert letters["project"].source_topic == kafka.events_topic
    assert "no_such_event" in letters["project"].error
    progress = c.client.get(f"/api/hunts/{hunt}/teams/{team['team_id']}", headers=auth).json()
    assert progress["score"] == 150
    eventually(
        lambda: not any(projection_lag(c.config, c.store).values()), "projections to catch up"
    )
    assert verify_cluster(c.config, c.store) == []
