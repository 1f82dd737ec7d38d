"""cluster: the cluster shape on a real Kafka broker and Cassandra node that the
suite starts itself. Commands per second through the partition workers (1 and
2 worker processes) on a backlog of the realistic mix; the peers, run in the
same run: the usual at-least-once loop (same decider and command window, no
transactions, offsets committed after the produce is acked;
at_least_once_worker.py), and the embedded engine deciding the same workload
into SQLite in process (engine.py's measurement). Each is measured more than once
and the best run kept (a shared machine only ever slows a run down). Then, with 2
workers: command latency through Kafka as an API node sees it (produce, wait
for the reply by command id; open loop at fixed rates), and the time from a
worker's kill -9 to its partitions answering again. Last, end to end: closed-loop
submissions through one API node against the embedded server (cluster_http.py)."""

import dataclasses
import itertools
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from pathlib import Path
from typing import Any

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import SystemClock
from questline.adapters.kafka.command_bus import KafkaCommandBus
from questline.bench.at_least_once_worker import ROLE as ALO_ROLE
from questline.bench.cluster_http import CLIENTS, api_node, embedded_server
from questline.bench.cluster_load import (
    Backlog,
    Processes,
    at_least_once_worker,
    drained,
    envelopes,
    exactly_once_worker,
    fresh_config,
    owners,
    poll_until,
    produce,
    wait_owned,
    write_config,
)
from questline.bench.cluster_servers import Servers, running_servers
from questline.bench.common import Result, goal, percentiles, scaled, scaled_time
from questline.bench.engine import run_questline
from questline.bench.failover_timeline import broker_moments, timeline
from questline.bench.http_suite import HUNTS
from questline.cluster.config import ClusterConfig
from questline.domain.commands import Command
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope, Outcome, partition_of

WorkerArgv = Callable[[Path, str], list[str]]
WORKERS = "workers"
MINUTE = 60_000_000
HOUR = 60 * MINUTE


def _workload(plays: int) -> Workload:
    """20 hunts with teams enough that a team sends about 40 commands of the mix:
    with fewer, teams soon solve everything and most commands decide nothing. The
    hunts started an hour ago by the clock the workers decide by (the machine's): a
    fixed date would have them not open yet, or over, and every command refused."""
    now = SystemClock().now()
    return Workload(hunts=20, teams=max(2_000, plays // 40), starts_at=now - now % MINUTE - HOUR)


def _set_up(config: ClusterConfig, role: str, prefix: str, plays: int) -> None:
    """Create the hunts and register the teams (not timed)."""
    produce(config, envelopes(_workload(plays).setup(), f"{prefix}-setup"))
    poll_until(drained(config, role), "the setup commands to be decided", 180)


def throughput(config: ClusterConfig, role: str, plays: int, prefix: str) -> Result:
    """A backlog of `plays` commands produced at once; the seconds until the group
    has committed them all (decided, events and replies written)."""
    backlog = Backlog(config, envelopes(_workload(plays).play(plays), f"{prefix}-play"))
    started = time.perf_counter()
    backlog.send()
    produced = time.perf_counter() - started
    poll_until(drained(config, role), f"{plays:,} commands to be decided", 900)
    seconds = time.perf_counter() - started
    return {
        "commands": plays,
        "seconds": round(seconds, 2),
        "produce_seconds": round(produced, 2),
        "commands_per_second": round(plays / seconds),
    }


def measure_throughput(
    servers: Servers, directory: Path, argv: WorkerArgv, role: str, workers: int, plays: int
) -> Result:
    config = fresh_config(servers.kafka, servers.cassandra)
    path = write_config(config, directory)
    processes = Processes(directory)
    try:
        for index in range(workers):
            processes.start(f"{role}-{index}", argv(path, f"{role}-{index}"))
        wait_owned(config, role, workers)
        prefix = config.kafka.topic_prefix
        _set_up(config, role, prefix, plays)
        return {"workers": workers, **throughput(config, role, plays, prefix)}
    finally:
        processes.stop_all()


class OpenLoop:
    """Submissions through the API node's command bus at a fixed rate; each latency
    counted from its intended send time (no coordinated omission)."""

    def __init__(self, bus: KafkaCommandBus, commands: Iterator[Command], prefix: str) -> None:
        self.bus = bus
        self.commands = commands
        self.prefix = prefix
        self.sent: list[tuple[float, str, Future[Outcome]]] = []  # intended time, hunt, reply
        self.answered: dict[int, float] = {}  # index -> when the reply came
        self._count = itertools.count()

    def run(self, rate: float, seconds: float, stop: threading.Event | None = None) -> None:
        interval = 1 / rate
        start = time.perf_counter() + 0.05
        for i in range(int(rate * seconds)):
            if stop is not None and stop.is_set():
                return
            intended = start + i * interval
            pause = intended - time.perf_counter()
            if pause > 0:
                time.sleep(pause)  # pacing the arrivals, not waiting for anything
            command = next(self.commands)
            index = next(self._count)
            future = self.bus.submit(CommandEnvelope(f"{self.prefix}-{index:09d}", command))
            future.add_done_callback(self._on_reply(index))
            self.sent.append((intended, command.hunt_id, future))

    def _on_reply(self, index: int) -> Callable[[Future[Outcome]], None]:
        def done(_: Future[Outcome]) -> None:
            self.answered[index] = time.perf_counter()

        return done

    def settle(self, deadline_s: float = 120) -> int:
        """Wait for every reply; the number still unanswered at the deadline."""
        _, pending = wait_futures([f for _, _, f in self.sent], timeout=deadline_s)
        return len(pending)

    def latencies(self, since: int = 0) -> list[float]:
        return [
            self.answered[i] - intended
            for i, (intended, _, _) in enumerate(self.sent)
            if i >= since and i in self.answered
        ]


def measure_latency(
    config: ClusterConfig, workload: Workload, rate: float, seconds: float, prefix: str
) -> Result:
    bus = KafkaCommandBus(config.kafka, 0)
    bus.start()
    try:
        load = OpenLoop(bus, workload.play(10**9), prefix)
        load.run(rate, seconds)
        unanswered = load.settle()
    finally:
        bus.stop()
    p50, p95, p99 = percentiles(load.latencies(), 50, 95, 99)
    return {
        "rate": rate,
        "commands": len(load.sent),
        "unanswered": unanswered,
        "p50_ms": round(p50 * 1e3, 1),
        "p95_ms": round(p95 * 1e3, 1),
        "p99_ms": round(p99 * 1e3, 1),
    }


def measure_failover(
    config: ClusterConfig,
    processes: Processes,
    workload: Workload,
    rate: float,
    prefix: str,
    broker_log: Path,
) -> Result:
    """Steady load over every partition; kill -9 one worker; the seconds until a
    command sent after the kill to one of its partitions is answered, and where they
    went (failover_timeline.py: from the broker's and the other worker's logs)."""
    held = owners(config, WORKERS)
    victim = next(name for name, parts in sorted(held.items()) if parts)
    survivor = next(name for name in sorted(held) if name != victim)
    lost = set(held[victim])
    bus = KafkaCommandBus(config.kafka, 0)
    bus.start()
    stop = threading.Event()
    load = OpenLoop(bus, workload.play(10**9), prefix)
    runner = threading.Thread(target=load.run, args=(rate, 600, stop), daemon=True)
    try:
        runner.start()
        poll_until(lambda: len(load.answered) >= rate, "steady load before the kill", 60)
        killed_wall = time.time()
        processes.kill(victim)
        killed = time.perf_counter()
        first = len(load.sent)
        partitions = config.kafka.partitions

        def flowing() -> bool:
            return any(
                i in load.answered and partition_of(hunt, partitions) in lost
                for i, (_, hunt, _) in enumerate(load.sent[first:], start=first)
            )

        poll_until(flowing, "the killed worker's partitions to answer again", 180)
        recovered = min(
            load.answered[i]
            for i, (_, hunt, _) in enumerate(load.sent[first:], start=first)
            if i in load.answered and partition_of(hunt, partitions) in lost
        )
        stop.set()
        runner.join(30)
        unanswered = load.settle()
    finally:
        stop.set()
        bus.stop()
    during = load.latencies(first)
    group = f"{config.kafka.topic_prefix}-{WORKERS}"
    # Replies of both workers share the replies partitions: read committed, they wait
    # behind the killed worker's open transaction until it times out.
    kept = [
        load.answered[i] - intended
        for i, (intended, hunt, _) in enumerate(load.sent[first:], start=first)
        if i in load.answered and partition_of(hunt, partitions) not in lost
    ]
    return {
        "killed": victim,
        "its_partitions": sorted(lost),
        "rate": rate,
        "seconds_from_kill_to_flowing": round(recovered - killed, 2),
        "session_timeout_ms": config.session_timeout_ms,
        "transaction_timeout_ms": config.transaction_timeout_ms,
        "commands_after_kill": len(load.sent) - first,
        "max_latency_after_kill_ms": round(max(during, default=0) * 1e3),
        "max_latency_after_kill_other_partitions_ms": round(max(kept, default=0) * 1e3),
        "unanswered": unanswered,
        "timeline": timeline(
            killed_wall,
            killed_wall + (recovered - killed),
            processes.directory / f"{survivor}.log",
            lost,
            broker_moments(broker_log, group, victim, killed_wall),
        ),
    }


def two_workers(
    servers: Servers, directory: Path, plays: int, rates: list[float], seconds: float
) -> Result:
    """Throughput with 2 workers, then latency and the kill on the same cluster."""
    config = fresh_config(servers.kafka, servers.cassandra)
    path = write_config(config, directory)
    processes = Processes(directory)
    prefix = config.kafka.topic_prefix
    try:
        for name in ("worker-a", "worker-b"):
            processes.start(name, exactly_once_worker(path, name))
        wait_owned(config, WORKERS, 2)
        _set_up(config, WORKERS, prefix, plays)
        result = {"workers": 2, **throughput(config, WORKERS, plays, prefix)}
        # Same hunts and teams, other draws of the mix than the backlog's.
        workload = _workload(plays)
        latency = [
            measure_latency(
                config,
                dataclasses.replace(workload, seed=2 + index),
                rate,
                seconds,
                f"{prefix}-lat{int(rate)}",
            )
            for index, rate in enumerate(rates)
        ]
        failover = measure_failover(
            config,
            processes,
            dataclasses.replace(workload, seed=100),
            min(rates),
            f"{prefix}-kill",
            servers.kafka.brokers[0].log_path,
        )
    finally:
        processes.stop_all()
    return {"throughput": result, "latency": latency, "failover": failover}


def embedded_engine(directory: Path, plays: int) -> Result:
    """The embedded engine deciding the same workload into SQLite (engine.py's way)."""
    directory.mkdir()
    result, _ = run_questline(directory, "normal", _workload(plays), plays)
    return result


def best(runs: list[Result]) -> Result:
    """The run with the most commands per second, with every run's figure beside it."""
    kept = max(runs, key=lambda r: r["commands_per_second"])
    return {**kept, "runs_commands_per_second": [r["commands_per_second"] for r in runs]}


def run(quick: bool) -> tuple[Result, Any]:
    plays = scaled(30_000 if quick else 50_000)
    rates = [200.0] if quick else [200.0, 1_000.0]
    seconds = scaled_time(5.0 if quick else 15.0)
    with tempfile.TemporaryDirectory(prefix="questline-bench-cluster-") as tmp:
        directory = Path(tmp)
        # The embedded engine first as it runs, in one process with no servers beside it
        # (a broker and a node just started take CPU while they warm up); then again
        # in each round beside the idle servers.
        embeddeds = [embedded_engine(directory / "embedded-0", plays)]
        with running_servers(directory / "servers") as servers:
            config = fresh_config(servers.kafka, servers.cassandra)
            CassandraStore.open(config.cassandra).close()  # the keyspace, once, before workers
            started = time.perf_counter()
            # Each loop twice, in turn, the better of each kept: the machine is shared,
            # and another process's burst only ever slows a run down.
            ones, peers = [], []
            for round_ in (1, 2):
                embeddeds.append(embedded_engine(directory / f"embedded-{round_}", plays))
                ones.append(
                    measure_throughput(servers, directory, exactly_once_worker, WORKERS, 1, plays)
                )
                peers.append(
                    measure_throughput(servers, directory, at_least_once_worker, ALO_ROLE, 1, plays)
                )
            one, peer, embedded = best(ones), best(peers), best(embeddeds)
            two = two_workers(servers, directory, plays, rates, seconds)
            teams = scaled(2_000, HUNTS)
            through_node = api_node(servers, directory / "api-node", teams, seconds)
            measured = time.perf_counter() - started
        through_embedded = embedded_server(teams, seconds)  # as it runs: no servers beside
    vs_peer = round(one["commands_per_second"] / peer["commands_per_second"], 2)
    vs_embedded = round(one["commands_per_second"] / embedded["commands_per_second"], 3)
    node_rate, embedded_rate = through_node["ok_per_second"], through_embedded["ok_per_second"]
    end_to_end = round(node_rate / embedded_rate, 3) if embedded_rate else 0.0
    body: Result = {
        "workload": {
            "hunts": 20,
            "teams": _workload(plays).teams,
            "plays": plays,
            "partitions": 4,
        },
        "servers_start_seconds": round(servers.start_seconds, 1),
        "measure_seconds": round(measured, 1),
        "exactly_once_1_worker": one,
        "exactly_once_2_workers": two["throughput"],
        "at_least_once_1_worker": peer,
        "embedded_engine": embedded,
        "ratio_exactly_once_vs_at_least_once": vs_peer,
        "ratio_exactly_once_vs_embedded": vs_embedded,
        "scaling_2_workers_vs_1": round(
            two["throughput"]["commands_per_second"] / one["commands_per_second"], 2
        ),
        "latency": two["latency"],
        "failover": two["failover"],
        "end_to_end": {
            "clients": CLIENTS,
            "api_node": through_node,
            "embedded_server": through_embedded,
            "ratio_api_node_vs_embedded_server": end_to_end,
        },
        "goals": [
            goal(
                "1 worker exactly-once vs the embedded engine",
                vs_embedded >= 0.25,
                f"{vs_embedded:.0%}",
                ">= 25%",
            ),
            goal(
                "1 worker exactly-once vs at-least-once",
                vs_peer >= 0.85,
                f"{vs_peer:.0%}",
                ">= 85%",
            ),
            goal(
                f"end to end: submissions/s through one API node vs the embedded server "
                f"({CLIENTS} callers, closed loop)",
                end_to_end >= 0.5,
                f"{end_to_end:.0%} ({node_rate:,.0f}/s vs {embedded_rate:,.0f}/s)",
                ">= 50%",
            ),
            goal(
                "end to end: p99 through one API node",
                through_node["p99_ms"] < 100,
                f"{through_node['p99_ms']} ms",
                "< 100 ms",
            ),
        ],
    }
    return body, body


def plot(target: Path, body: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 4))
    labels = ["exactly-once\n1 worker", "exactly-once\n2 workers", "at-least-once\n1 worker"]
    values = [
        body["exactly_once_1_worker"]["commands_per_second"],
        body["exactly_once_2_workers"]["commands_per_second"],
        body["at_least_once_1_worker"]["commands_per_second"],
    ]
    colors = ["#3b6ea5", "#3b6ea5", "#999999"]
    if "embedded_engine" in body:
        labels.append("embedded\nengine")
        values.append(body["embedded_engine"]["commands_per_second"])
        colors.append("#cccccc")
    left.bar(labels, values, color=colors)
    left.set_title("commands/s through Kafka")
    for index, value in enumerate(values):
        left.text(index, value, f"{value:,}", ha="center", va="bottom", fontsize=8)
    for point in body["latency"]:
        middle.plot(
            ["p50", "p95", "p99"],
            [point["p50_ms"], point["p95_ms"], point["p99_ms"]],
            marker="o",
            label=f"{point['rate']:,.0f}/s",
        )
    middle.set_title("command latency (2 workers), ms")
    middle.legend()
    middle.grid(alpha=0.3)
    failover = body["failover"]
    right.bar(
        ["kill -9 to flowing", "session timeout", "transaction timeout"],
        [
            failover["seconds_from_kill_to_flowing"],
            failover["session_timeout_ms"] / 1000,
            failover["transaction_timeout_ms"] / 1000,
        ],
        color=["#a53b3b", "#cccccc", "#cccccc"],
    )
    right.set_title("worker failover, seconds")
    right.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)
