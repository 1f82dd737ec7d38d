"""The newcomer's path of docs/cluster.md, command by command, as a user types it:
`questline cluster up` (its own Kafka and Cassandra, two workers, a projector, an
API node), the demo played against it, `kill -9` of worker-1, `cluster status`
showing its partitions on worker-2 within seconds, the demo again (commands flow),
`verify --cluster` finding the read models equal to a replay, `cluster down`."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.integration.cluster_support import eventually

from questline.cluster.local_cluster import alive
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster
from questline.servers.process import free_ports

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

PARTITIONS = 6  # cluster up's default


def questline(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "questline", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
    )


def api_port() -> int:
    """A free port whose metrics neighbours (+100 workers, +200 projectors) are free too."""
    for port in free_ports(20):
        neighbours = [port, port + 100, port + 101, port + 200]
        if all(_free(p) for p in neighbours):
            return port
    pytest.fail("no free API port with free metrics ports beside it")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def cluster_dir(
    tmp_path: Path, kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[Path]:
    """A folder for `cluster up`; `cluster down --purge` afterwards, whatever happened.
    (The session's servers are asked for only so the jars are known to be installed.)"""
    directory = tmp_path / "cluster"
    try:
        yield directory
    finally:
        questline("cluster", "down", "--dir", str(directory), "--purge", timeout=300)


def status(directory: Path) -> dict[str, Any]:
    result = questline("cluster", "status", "--dir", str(directory), "--json", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def owners(directory: Path) -> dict[str, list[int]]:
    workers: dict[str, list[int]] = status(directory)["workers"]
    return {member: sorted(parts) for member, parts in workers.items() if parts}


def play(directory: Path, port: int, seconds: int) -> str:
    token = (directory / "organizer-token").read_text().strip()
    result = questline(
        "demo",
        "--target",
        f"http://127.0.0.1:{port}",
        "--organizer-token",
        token,
        "--duration",
        str(seconds),
        "--teams",
        "6",
        "--rate",
        "10",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def answered(output: str) -> tuple[int, int]:
    """The demo's last (sent, answered) counts."""
    found = re.findall(r"sent (\d+),? answered (\d+)", output)
    assert found, output[-2000:]
    sent, done = found[-1]
    return int(sent), int(done)


def test_cluster_up_play_kill_a_worker_verify_and_down(cluster_dir: Path) -> None:
    port = api_port()
    up = questline(
        "cluster", "up", "--dir", str(cluster_dir), "--workers", "2", "--api-port", str(port)
    )
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    assert f"http://127.0.0.1:{port}" in up.stdout
    eventually(
        lambda: (
            sum(len(p) for p in owners(cluster_dir).values()) == PARTITIONS
            and len(owners(cluster_dir)) == 2
        ),
        "both workers to own partitions",
        deadline_s=180,
    )
    eventually(lambda: _ready(port), "the API node to be ready", deadline_s=180)

    sent, done = answered(play(cluster_dir, port, 10))
    assert sent > 0 and done == sent

    before = owners(cluster_dir)
    pid = int((cluster_dir / "pids" / "worker-1.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    took = eventually(
        lambda: owners(cluster_dir) == {"worker-2": list(range(PARTITIONS))},
        "worker-1's partitions to move to worker-2",
        deadline_s=120,
    )
    print(
        f"cluster up: worker-1 held {before.get('worker-1')}; worker-2 held all"
        f" {PARTITIONS} partitions {time.monotonic() - killed_at:.1f} s after the kill"
        f" (status polled for {took:.1f} s)"
    )
    assert status(cluster_dir)["processes"]["worker-1"] is False

    # Commands flow through the partitions worker-2 took over.
    sent, done = answered(play(cluster_dir, port, 8))
    assert sent > 0 and done == sent

    config = str(cluster_dir / "cluster.yaml")
    eventually(
        lambda: questline("verify", "--cluster", config, timeout=300).returncode == 0,
        "verify --cluster to find the read models equal to a replay",
        deadline_s=180,
    )
    started = [int(f.read_text()) for f in (cluster_dir / "pids").glob("*.pid")]
    assert len(started) == 4  # two workers, a projector, an API node
    down = questline("cluster", "down", "--dir", str(cluster_dir), timeout=300)
    assert down.returncode == 0, down.stdout + down.stderr
    assert not [pid for pid in started if alive(pid)]


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
