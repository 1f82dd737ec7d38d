"""Cluster processes: `questline worker`, `questline projector`, `serve --cluster`,
`verify --cluster`, `reconcile --cluster` and `dlq`."""

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from questline.cli.common import err, fail

if TYPE_CHECKING:
    from questline.cluster.config import ClusterConfig
    from questline.http.abuse_limits import AbuseSettings
    from questline.http.admission import AdmissionSettings
    from questline.http.server_limits import ServerLimits

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


def open_topics(config: "ClusterConfig", path: Path) -> list[str]:
    """The cluster's topics, created where missing; a clear failure when Kafka does not
    answer or its log has another partitioning scheme than the file says."""
    from questline.adapters.kafka.errors import KafkaUnavailable
    from questline.adapters.kafka.topics import ensure_topics
    from questline.ports import PartitioningMismatch

    try:
        return ensure_topics(config.kafka)
    except PartitioningMismatch as mismatch:
        raise fail(f"refusing to run with {path}: {mismatch}") from None
    except KafkaUnavailable as error:
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
    from questline.adapters.kafka.group_member import GroupRefused
    from questline.cluster.worker import PartitionWorker

    config = load_cluster_config(cluster)
    open_topics(config, cluster)
    store = CassandraStore.open(config.cassandra)
    ident = worker_id or f"{socket.gethostname()}-{os.getpid()}"
    stop = _stop_on_signals()
    err.print(f"worker {ident} joining {config.kafka.bootstrap_servers}")
    try:
        with _metrics_server(metrics_port):
            PartitionWorker(
                config, ident, SystemClock(), store.commands.find, snapshots=store.snapshots
            ).run(stop)
    except GroupRefused as refused:
        raise fail(str(refused)) from None
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
    from questline.adapters.kafka.group_member import GroupRefused
    from questline.cluster.projector import ClusterProjector

    config = load_cluster_config(cluster)
    open_topics(config, cluster)
    store = CassandraStore.open(config.cassandra)
    stop = _stop_on_signals()
    try:
        with _metrics_server(metrics_port):
            ClusterProjector(config, store, name or f"projector-{os.getpid()}").run(stop)
    except GroupRefused as refused:
        raise fail(str(refused)) from None
    finally:
        store.close()


def serve_cluster(
    config_path: Path,
    host: str,
    port: int,
    node_index: int,
    *,
    organizer_token: str | None = None,
    limits: "ServerLimits | None" = None,
    abuse: "AbuseSettings | None" = None,
    admission: "AdmissionSettings | None" = None,
) -> None:
    """An API node: the same app, limits and server options as `serve --db`."""
    import uvicorn

    from questline.cluster.api_node import build_api_node
    from questline.http.uvicorn_setup import uvicorn_config
    from questline.observability.logs import ensure_logging, get_logger

    config = load_cluster_config(config_path)
    open_topics(config, config_path)
    ensure_logging()
    node = build_api_node(
        config, node_index=node_index, organizer_token=organizer_token or "", abuse=abuse
    )
    if admission is not None:
        node.app.state.admission.configure(admission)
    get_logger("questline.serve").info(
        f"Questline API node {node_index} on http://{host}:{port}",
        **{"event.action": "serving", "url.full": f"http://{host}:{port}"},
    )
    try:
        uvicorn.Server(uvicorn_config(node.app, host=host, port=port, limits=limits)).run()
    finally:
        node.close()


def verify_cluster_command(config_path: Path) -> None:
    from questline.adapters.cassandra.store import CassandraStore
    from questline.cli.common import progress_bar
    from questline.cluster.verification import projection_lag, verify_cluster
    from questline.domain.hash_chain import ChainBreak

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
        typer.echo(
            "every hash chain holds and Cassandra's read models equal a replay of the "
            "Kafka log: no drift"
        )
        return
    for difference in differences[:50]:
        err.print(difference.describe(), markup=False, highlight=False, soft_wrap=True)
    breaks = sum(1 for d in differences if isinstance(d, ChainBreak))
    if breaks:
        raise fail(
            f"{breaks} hash chain(s) broken: the Kafka log holds events other than those "
            f"recorded (and {len(differences) - breaks} read-model difference(s))"
        )
    raise fail(f"{len(differences)} difference(s) between Cassandra and a replay of the log")


def reconcile_cluster_command(
    config_path: Path, hunt: str | None, wait_s: float, max_shown: int
) -> None:
    """Find the hunts whose rows differ from a replay of the log, print the
    differences, and wait for the projectors that own them to heal them: only a
    partition's projector may write its rows (one writer), and its reconciler
    checks every hunt in turn."""
    from questline.adapters.cassandra.store import CassandraStore
    from questline.cli.common import progress_bar
    from questline.cluster.reconciler import CHECKED_TABLES
    from questline.cluster.verification import verify_cluster
    from questline.engine.verification import Difference

    config = load_cluster_config(config_path)
    store = CassandraStore.open(config.cassandra, create=False)

    def differences() -> list[Difference]:
        with progress_bar("replay and compare partitions") as progress:
            found = verify_cluster(config, store, progress)
        # A broken chain is not a read model's to heal: `verify --cluster` reports it.
        return [
            d for d in found if isinstance(d, Difference) and (hunt is None or d.hunt_id == hunt)
        ]

    try:
        found = differences()
        if not found:
            typer.echo("Cassandra read models equal a replay of the Kafka log: nothing to heal")
            return
        by_hunt: dict[str, list[Difference]] = {}
        for difference in found:
            by_hunt.setdefault(difference.hunt_id, []).append(difference)
        for hunt_id, hunt_differences in sorted(by_hunt.items()):
            typer.echo(f"hunt {hunt_id}: {len(hunt_differences)} difference(s)")
            for difference in hunt_differences[:max_shown]:
                err.print(f"  {difference.describe()}", markup=False, highlight=False)
        healable = [d for d in found if d.table in CHECKED_TABLES]
        if len(healable) < len(found):
            err.print(
                "audit feed rows are append-only and kept in no projector's memory: the "
                "reconciler leaves them alone (the differences above say which)"
            )
        if config.reconcile_interval_s <= 0:
            raise fail(
                "reconciliation is off in this config (reconcile_interval_s = 0): set it "
                "(e.g. 5) and restart the projectors; they heal these rows on their own"
            )
        typer.echo(
            f"waiting up to {wait_s:.0f} s for the owning projectors to heal them "
            f"(each checks one hunt every {config.reconcile_interval_s:g} s)"
        )
        started = time.monotonic()
        pace = threading.Event()
        remaining = healable
        while remaining and time.monotonic() - started < wait_s:
            pace.wait(min(config.reconcile_interval_s, 5.0))
            remaining = [d for d in differences() if d.table in CHECKED_TABLES]
    finally:
        store.close()
    if remaining:
        raise fail(
            f"{len(remaining)} difference(s) remain after {wait_s:.0f} s: are the projectors "
            "running (`questline cluster status`)?"
        )
    hunts = ", ".join(sorted({d.hunt_id for d in healable}))
    typer.echo(
        f"healed by the owning projectors in {time.monotonic() - started:.1f} s: "
        f"{len(healable)} row(s) of hunt(s) {hunts}"
    )
