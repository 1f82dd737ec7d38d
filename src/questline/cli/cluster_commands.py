"""Cluster processes: `questline worker`, `questline projector`, `serve --cluster`,
`verify --cluster` and `dlq`."""

import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from questline.cli.common import err, fail

if TYPE_CHECKING:
    from questline.cluster.config import ClusterConfig

ConfigOption = Annotated[Path, typer.Option("--cluster", help="The cluster config file.")]
MetricsPortOption = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        envvar="QUESTLINE_METRICS_PORT",
        help="Serve Prometheus metrics on http://0.0.0.0:PORT/metrics (default: none).",
    ),
]


def load_cluster_config(path: Path) -> "ClusterConfig":
    from questline.cluster.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as error:
        raise fail(str(error)) from None


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@contextmanager
def _metrics_server(port: int | None) -> Iterator[None]:
    """ECS log lines on stdout, and /metrics on `port` while the process runs."""
    from questline.observability.logs import ensure_logging
    from questline.observability.metrics_server import serve_metrics

    ensure_logging()
    if port is None:
        yield
        return
    try:
        server = serve_metrics(port)
    except OSError as error:
        raise fail(f"cannot serve metrics on port {port}: {error}") from None
    err.print(f"metrics on http://0.0.0.0:{server.port}/metrics")
    try:
        yield
    finally:
        server.close()


def worker(
    cluster: ConfigOption,
    worker_id: Annotated[
        str | None, typer.Option("--id", help="A stable id (default: host-pid).")
    ] = None,
    metrics_port: MetricsPortOption = None,
) -> None:
    """Run a partition worker: decide commands, write events in Kafka transactions."""
    import os

    from questline.adapters.cassandra.store import CassandraStore
    from questline.adapters.clocks import SystemClock
    from questline.adapters.kafka.topics import ensure_topics
    from questline.cluster.worker import PartitionWorker

    config = load_cluster_config(cluster)
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    ident = worker_id or f"{socket.gethostname()}-{os.getpid()}"
    stop = _stop_on_signals()
    err.print(f"worker {ident} joining {config.kafka.bootstrap_servers}")
    try:
        with _metrics_server(metrics_port):
            PartitionWorker(
                config, ident, SystemClock(), store.commands.find, snapshots=store.snapshots
            ).run(stop)
    finally:
        store.close()


def projector(
    cluster: ConfigOption,
    name: Annotated[str | None, typer.Option(help="A name for logs.")] = None,
    metrics_port: MetricsPortOption = None,
) -> None:
    """Run a projector: fold events into Cassandra read models."""
    import os

    from questline.adapters.cassandra.store import CassandraStore
    from questline.adapters.kafka.topics import ensure_topics
    from questline.cluster.projector import ClusterProjector

    config = load_cluster_config(cluster)
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    stop = _stop_on_signals()
    try:
        with _metrics_server(metrics_port):
            ClusterProjector(config, store, name or f"projector-{os.getpid()}").run(stop)
    finally:
        store.close()


def serve_cluster(config_path: Path, host: str, port: int, node_index: int) -> None:
    import uvicorn

    from questline.adapters.kafka.topics import ensure_topics
    from questline.cluster.api_node import build_api_node

    config = load_cluster_config(config_path)
    ensure_topics(config.kafka)
    node = build_api_node(config, node_index=node_index)
    typer.echo(f"Questline API node {node_index} on http://{host}:{port}")
    try:
        uvicorn.run(
            node.app, host=host, port=port, log_level="warning", loop="uvloop", http="httptools"
        )
    finally:
        node.close()


def verify_cluster_command(config_path: Path) -> None:
    from questline.adapters.cassandra.store import CassandraStore
    from questline.cli.common import progress_bar
    from questline.cluster.verification import projection_lag, verify_cluster

    config = load_cluster_config(config_path)
    store = CassandraStore.open(config.cassandra, create=False)
    try:
        lag = {p: n for p, n in projection_lag(config, store).items() if n}
        if lag:
            err.print(
                f"projections are still behind (events per partition: {lag}); "
                "the comparison may show that"
            )
        with progress_bar("verify partitions") as progress:
            differences = verify_cluster(config, store, progress)
    finally:
        store.close()
    if not differences:
        typer.echo("Cassandra read models equal a replay of the Kafka log: no drift")
        return
    for difference in differences[:50]:
        err.print(difference.describe(), markup=False, highlight=False, soft_wrap=True)
    raise fail(f"{len(differences)} difference(s) between Cassandra and a replay of the log")
