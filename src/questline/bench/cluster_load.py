"""What the cluster suite drives: worker processes, a fresh set of topics per
measurement, commands produced onto the commands topic as an API node would
(key hunt id, the hunt's partition, a reply-to header), and the group's
committed offsets watched until a backlog is done."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import yaml
from confluent_kafka import KafkaException, Producer

from questline.adapters.cassandra.settings import CassandraSettings
from questline.adapters.kafka.group_status import KafkaGroups, high_watermarks
from questline.adapters.kafka.messages import REPLY_TO, encode
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.config import ClusterConfig
from questline.domain.commands import Command
from questline.ports import CommandEnvelope, partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

PARTITIONS = 4
KEYSPACE = "questline_bench"


def fresh_config(kafka: KafkaCluster, cassandra: CassandraCluster) -> ClusterConfig:
    """Topics of their own (a new prefix), on the run's servers; one shared keyspace
    (command ids never repeat across measurements). The session timeout the product
    ships with; the transaction timeout the fault tests use."""
    return ClusterConfig(
        kafka=KafkaSettings(
            bootstrap_servers=kafka.bootstrap_servers,
            partitions=PARTITIONS,
            reply_partitions=2,
            topic_prefix=f"bench-{uuid.uuid4().hex[:8]}",
        ),
        cassandra=CassandraSettings(
            contact_points=tuple(cassandra.contact_points),
            port=cassandra.native_port,
            keyspace=KEYSPACE,
        ),
        transaction_timeout_ms=6000,
    )


def write_config(config: ClusterConfig, directory: Path) -> Path:
    ensure_topics(config.kafka)
    path = directory / f"{config.kafka.topic_prefix}.yaml"
    path.write_text(yaml.safe_dump(msgspec.to_builtins(config)))
    return path


@dataclass
class Processes:
    """Worker processes of one measurement, by member id."""

    directory: Path
    pids: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str]) -> None:
        log = (self.directory / f"{name}.log").open("ab")
        self.pids[name] = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    def kill(self, name: str) -> None:
        os.kill(self.pids[name].pid, signal.SIGKILL)
        self.pids[name].wait()

    def stop_all(self) -> None:
        for process in self.pids.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.pids.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def exactly_once_worker(config_path: Path, name: str) -> list[str]:
    """The product's partition worker, as `questline cluster up` starts it."""
    return [
        sys.executable,
        "-m",
        "questline",
        "worker",
        "--cluster",
        str(config_path),
        "--id",
        name,
    ]


def at_least_once_worker(config_path: Path, name: str) -> list[str]:
    return [sys.executable, "-m", "questline.bench.at_least_once_worker", str(config_path), name]


def poll_until(check: Callable[[], bool], what: str, deadline_s: float) -> float:
    """Poll with a deadline; the seconds it took."""
    started = time.monotonic()
    pause = threading.Event()
    while not check():
        if time.monotonic() - started > deadline_s:
            raise TimeoutError(f"timed out after {deadline_s:.0f} s waiting for {what}")
        pause.wait(0.02)
    return time.monotonic() - started


def owners(config: ClusterConfig, role: str) -> dict[str, list[int]]:
    """Member id -> partitions it holds; empty while the group is not described yet
    (no coordinator, or the broker is slow to answer under load)."""
    try:
        return KafkaGroups(config.kafka).members(f"{config.kafka.topic_prefix}-{role}")
    except (KafkaException, FutureTimeout):
        return {}


def wait_owned(config: ClusterConfig, role: str, members: int, deadline_s: float = 120) -> None:
    def shared() -> bool:
        held = owners(config, role)
        owned = sorted(p for parts in held.values() for p in parts)
        busy = sum(1 for parts in held.values() if parts)
        return owned == list(range(PARTITIONS)) and busy == members

    poll_until(shared, f"{members} {role} to own all {PARTITIONS} partitions", deadline_s)


def drained(config: ClusterConfig, role: str) -> Callable[[], bool]:
    """Whether the group has committed every command produced so far."""
    kafka = config.kafka
    groups = KafkaGroups(kafka)
    high = high_watermarks(config.kafka, kafka.commands_topic)

    def check() -> bool:
        done = groups.committed(f"{kafka.topic_prefix}-{role}", kafka.commands_topic)
        return all(done.get(p, -1) >= h for p, h in high.items())

    return check


def envelopes(commands: Iterator[Command], prefix: str) -> list[CommandEnvelope]:
    return [CommandEnvelope(f"{prefix}-{i:09d}", c) for i, c in enumerate(commands)]


class Backlog:
    """Commands encoded and a producer connected up front, so that timing `send`
    measures the cluster, not the encoding or the client's first connection."""

    def __init__(self, config: ClusterConfig, batch: list[CommandEnvelope]) -> None:
        kafka = config.kafka
        self.topic = kafka.commands_topic
        self.messages = [
            (
                e.command.hunt_id.encode(),
                encode(e),
                partition_of(e.command.hunt_id, kafka.partitions),
            )
            for e in batch
        ]
        self.producer = Producer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "queue.buffering.max.messages": 2_000_000,
            }
        )
        self.producer.list_topics(self.topic, timeout=30)

    def send(self) -> None:
        """Onto the commands topic as fast as the client goes; returns once acked."""
        # The workers reply, as they would to an API node (on a partition nobody reads).
        headers: list[tuple[str, str | bytes | None]] = [(REPLY_TO, b"1")]
        producer = self.producer
        for index, (key, value, partition) in enumerate(self.messages):
            producer.produce(self.topic, key=key, value=value, partition=partition, headers=headers)
            if index % 10_000 == 0:
                producer.poll(0)
        producer.flush(120)


def produce(config: ClusterConfig, batch: list[CommandEnvelope]) -> None:
    Backlog(config, batch).send()
