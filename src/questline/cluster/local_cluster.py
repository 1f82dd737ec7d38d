"""`questline cluster up|status|down`: a whole cluster on one machine — Kafka and
Cassandra from Maven Central jars, then workers, a projector and API nodes as
background processes — with its data, logs, pids and config in one folder."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from questline.cluster.config import ClusterConfig, load_config
from questline.servers.__main__ import load_clusters
from questline.servers.__main__ import main as servers_main

CONFIG_FILE = "cluster.yaml"


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]


def process_specs(
    config_path: Path, workers: int, projectors: int, api_nodes: int, api_port: int
) -> list[ProcessSpec]:
    me = [sys.executable, "-m", "questline"]
    cluster = ["--cluster", str(config_path)]
    # Workers and projectors serve /metrics on ports after the API nodes' (+100, +200).
    specs = [
        ProcessSpec(
            f"worker-{i}",
            [
                *me,
                "worker",
                *cluster,
                "--id",
                f"worker-{i}",
                "--metrics-port",
                str(api_port + 100 + i - 1),
            ],
        )
        for i in range(1, workers + 1)
    ]
    specs += [
        ProcessSpec(
            f"projector-{i}",
            [
                *me,
                "projector",
                *cluster,
                "--name",
                f"projector-{i}",
                "--metrics-port",
                str(api_port + 200 + i - 1),
            ],
        )
        for i in range(1, projectors + 1)
    ]
    specs += [
        ProcessSpec(
            f"api-{i}",
            [*me, "serve", *cluster, "--port", str(api_port + i - 1), "--node-index", str(i - 1)],
        )
        for i in range(1, api_nodes + 1)
    ]
    return specs


def _pid_file(directory: Path, name: str) -> Path:
    return directory / "pids" / f"{name}.pid"


def start_process(directory: Path, spec: ProcessSpec, env: dict[str, str] | None = None) -> int:
    (directory / "logs").mkdir(parents=True, exist_ok=True)
    (directory / "pids").mkdir(parents=True, exist_ok=True)
    log = (directory / "logs" / f"{spec.name}.log").open("ab")
    process = subprocess.Popen(
        spec.argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    _pid_file(directory, spec.name).write_text(str(process.pid))
    return process.pid


def process_pids(directory: Path) -> dict[str, int]:
    pids = {}
    for path in sorted((directory / "pids").glob("*.pid")):
        try:
            pids[path.stem] = int(path.read_text().strip())
        except ValueError:
            continue
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def stop_process(directory: Path, name: str, grace: float = 20.0) -> None:
    pid = process_pids(directory).get(name)
    if pid is None:
        return
    if alive(pid):
        os.kill(pid, signal.SIGTERM)
        give_up = time.monotonic() + grace
        while alive(pid) and time.monotonic() < give_up:
            time.sleep(0.1)  # polling a process's exit: there is no event to wait on
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    _pid_file(directory, name).unlink(missing_ok=True)


def write_config(directory: Path, partitions: int, replication: int, api_nodes: int) -> Path:
    kafka, cassandra = load_clusters(directory / "servers")
    if kafka is None or cassandra is None:
        raise RuntimeError(f"no Kafka and Cassandra described under {directory / 'servers'}")
    document = {
        "kafka": {
            "bootstrap_servers": kafka.bootstrap_servers,
            "partitions": partitions,
            "replication_factor": replication,
            "min_insync_replicas": 2 if replication >= 3 else 1,
            "reply_partitions": max(api_nodes, 1),
        },
        "cassandra": {
            "contact_points": list(cassandra.contact_points),
            "port": cassandra.native_port,
            "replication_factor": replication,
        },
        "photos_dir": str(directory / "photos"),
    }
    path = directory / CONFIG_FILE
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    load_config(path)  # refuse to leave a config the processes would refuse
    return path


def _organizer_token(directory: Path, config: ClusterConfig) -> str:
    """The cluster's first organizer token: made once, its digest in Cassandra, the token
    itself in DIR/organizer-token (readable by this user only)."""
    path = directory / "organizer-token"
    if path.exists():
        return path.read_text().strip()
    from questline.adapters.cassandra.store import CassandraStore
    from questline.adapters.clocks import SystemClock
    from questline.http.tokens import new_organizer_token, token_hash

    token = new_organizer_token()
    store = CassandraStore.open(config.cassandra)
    try:
        store.tokens.add(token_hash(token), "organizer", SystemClock().now())
    finally:
        store.close()
    path.touch(mode=0o600)
    path.write_text(token)
    return token


def organizer_token(directory: Path) -> str:
    return (directory.resolve() / "organizer-token").read_text().strip()


def up(
    directory: Path,
    *,
    brokers: int = 1,
    cassandra_nodes: int = 1,
    workers: int = 2,
    projectors: int = 1,
    api_nodes: int = 1,
    partitions: int = 6,
    api_port: int = 8080,
) -> tuple[Path, list[ProcessSpec]]:
    directory = directory.resolve()
    code = servers_main(
        [
            "up",
            "--dir",
            str(directory / "servers"),
            "--kafka-brokers",
            str(brokers),
            "--cassandra-nodes",
            str(cassandra_nodes),
        ]
    )
    if code != 0:
        raise RuntimeError("the Kafka and Cassandra servers did not start (see above)")
    replication = 3 if brokers >= 3 and cassandra_nodes >= 3 else 1
    config_path = write_config(directory, partitions, replication, api_nodes)
    _organizer_token(directory, load_config(config_path))
    specs = process_specs(config_path, workers, projectors, api_nodes, api_port)
    running = process_pids(directory)
    for spec in specs:
        if spec.name not in running or not alive(running[spec.name]):
            start_process(directory, spec)
    return config_path, specs


def down(directory: Path, *, purge: bool = False) -> None:
    directory = directory.resolve()
    for name in process_pids(directory):
        stop_process(directory, name)
    args = ["down", "--dir", str(directory / "servers")]
    servers_main([*args, "--purge"] if purge else args)


def config_of(directory: Path) -> ClusterConfig:
    return load_config(directory.resolve() / CONFIG_FILE)
