"""``python -m questline.servers fetch|up|status|down``: a local Kafka + Cassandra for humans.

``up`` returns once every server is ready and leaves them running in the background; what
it started is described in ``DIR/servers.json`` and each JVM's pid is in a file under DIR,
so ``status`` and ``down`` work from any later shell.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster
from questline.servers.maven import SERVER_NAMES, fetch_jars
from questline.servers.process import JvmNode, ServerError, port_open

STATE_FILE = "servers.json"


def load_clusters(directory: Path) -> tuple[KafkaCluster | None, CassandraCluster | None]:
    try:
        state: dict[str, Any] = json.loads((directory / STATE_FILE).read_text())
    except FileNotFoundError:
        return None, None
    kafka = state.get("kafka")
    cassandra = state.get("cassandra")
    return (
        KafkaCluster.from_description(directory / "kafka", kafka) if kafka else None,
        CassandraCluster.from_description(directory / "cassandra", cassandra)
        if cassandra
        else None,
    )


def _nodes(kafka: KafkaCluster | None, cassandra: CassandraCluster | None) -> list[JvmNode]:
    return [*(kafka.brokers if kafka else []), *(cassandra.nodes if cassandra else [])]


def _stop(
    kafka: KafkaCluster | None, cassandra: CassandraCluster | None, timeout: float = 60.0
) -> None:
    """Stop both clusters side by side: each has its own shutdown rules and timeouts."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(c.stop, timeout) for c in (kafka, cassandra) if c is not None]
        for future in futures:
            future.result()


def cmd_fetch(_: argparse.Namespace) -> int:
    for name in SERVER_NAMES:
        started = time.monotonic()
        path = fetch_jars(name)
        size = sum(f.stat().st_size for f in path.glob("*.jar")) / 2**20
        print(f"{name}: {path} ({size:.0f} MiB) in {time.monotonic() - started:.1f} s")
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    directory: Path = args.dir.resolve()
    if args.kafka_brokers < 0 or args.cassandra_nodes < 0:
        print("error: node counts cannot be negative", file=sys.stderr)
        return 2
    old_kafka, old_cassandra = load_clusters(directory)
    kafka = (
        KafkaCluster(directory / "kafka", args.kafka_brokers, port=args.kafka_port)
        if args.kafka_brokers
        else None
    )
    cassandra = (
        CassandraCluster(
            directory / "cassandra", args.cassandra_nodes, native_port=args.cassandra_port
        )
        if args.cassandra_nodes
        else None
    )
    # Data formatted for another shape (broker count, ports, replication) cannot be reused.
    for old, new in ((old_kafka, kafka), (old_cassandra, cassandra)):
        if old is not None and (new is None or old.describe() != new.describe()):
            print(
                f"error: {directory} holds servers of another shape; use another --dir or "
                f"`down --dir {directory} --purge` first",
                file=sys.stderr,
            )
            return 2
    if any(n.running() for n in _nodes(old_kafka, old_cassandra)):
        # Idempotent when everything is up already; a half-running set needs a `down`.
        print(f"servers from {directory} were already started:")
        if cmd_status(args) == 0:
            return 0
        print(f"some are not ready; `down --dir {directory}` and `up` again", file=sys.stderr)
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    # Both downloads happen before anything starts, so a fetch failure leaves nothing behind.
    if kafka:
        fetch_jars("kafka")
    if cassandra:
        fetch_jars("cassandra")
    # Written first, so `down` can clean up even after an interrupted `up`.
    state = {
        "kafka": kafka.describe() if kafka else None,
        "cassandra": cassandra.describe() if cassandra else None,
    }
    (directory / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
    started = time.monotonic()
    try:
        # Kafka's brokers boot while Cassandra's nodes start one after another.
        if kafka:
            kafka.launch()
        if cassandra:
            cassandra.start(args.timeout_cassandra)
            print(f"cassandra ready after {time.monotonic() - started:.1f} s")
        if kafka:
            kafka.wait_ready(args.timeout_kafka)
            print(f"kafka ready after {time.monotonic() - started:.1f} s")
    except BaseException:
        _stop(kafka, cassandra)
        raise
    if kafka:
        print(f"kafka bootstrap.servers: {kafka.bootstrap_servers}")
    if cassandra:
        points = ",".join(cassandra.contact_points)
        print(f"cassandra contact points: {points} (CQL port {cassandra.native_port})")
    print(f"stop with: python -m questline.servers down --dir {directory}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    directory: Path = args.dir.resolve()
    kafka, cassandra = load_clusters(directory)
    nodes = _nodes(kafka, cassandra)
    if not nodes:
        print(f"no servers were started in {directory}")
        return 3
    healthy = True
    for node in nodes:
        pid = node.pid()
        host, port = node.listen_addresses()[0]
        if pid is None:
            state, healthy = "stopped", False
        elif port_open(host, port):
            state = "ready"
        else:
            state, healthy = "starting/unresponsive", False
        rss = node.rss_mib()
        memory = f" rss={rss:.0f}MiB" if rss is not None else ""
        print(f"{node.name:12} {state:22} {host}:{port} pid={pid or '-'}{memory}  {node.log_path}")
    return 0 if healthy else 1


def cmd_down(args: argparse.Namespace) -> int:
    directory: Path = args.dir.resolve()
    kafka, cassandra = load_clusters(directory)
    _stop(kafka, cassandra, args.timeout)
    print(f"stopped {len(_nodes(kafka, cassandra))} server(s) from {directory}")
    if args.purge:
        for sub in ("kafka", "cassandra"):
            shutil.rmtree(directory / sub, ignore_errors=True)
        (directory / STATE_FILE).unlink(missing_ok=True)
        print("removed their data and logs")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m questline.servers", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    fetch = sub.add_parser("fetch", help="copy the servers' jars from Maven Central into the cache")
    fetch.set_defaults(func=cmd_fetch)

    up = sub.add_parser("up", help="start Kafka and Cassandra in the background")
    up.add_argument("--dir", type=Path, required=True, help="folder for data, logs and pids")
    up.add_argument("--kafka-brokers", type=int, default=1, help="0 for none (default 1)")
    up.add_argument("--cassandra-nodes", type=int, default=1, help="0 for none (default 1)")
    up.add_argument("--kafka-port", type=int, default=9092, help="first broker's port")
    up.add_argument("--cassandra-port", type=int, default=9042, help="CQL port of every node")
    up.add_argument("--timeout-kafka", type=float, default=60.0, help="seconds per broker")
    up.add_argument("--timeout-cassandra", type=float, default=120.0, help="seconds per node")
    up.set_defaults(func=cmd_up)

    status = sub.add_parser("status", help="show what runs; exit 0 only if all is ready")
    status.add_argument("--dir", type=Path, required=True)
    status.set_defaults(func=cmd_status)

    down = sub.add_parser("down", help="stop what `up` started (SIGTERM, SIGKILL after timeout)")
    down.add_argument("--dir", type=Path, required=True)
    down.add_argument("--timeout", type=float, default=60.0)
    down.add_argument("--purge", action="store_true", help="also delete data and logs")
    down.set_defaults(func=cmd_down)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
