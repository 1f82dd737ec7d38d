"""The cluster end to end: closed-loop submissions through one API node (`questline
serve --cluster`, with a worker and a projector behind it), driven by the http suite's
client processes with the http suite's hunts, teams and mix; and its peer in the same
run, the embedded server (`questline serve --db`) driven the same way.

What a player waits for on a cluster is this path: HTTP, the commands topic, a worker's
transaction, the reply topic. The suite's other figures start at the command bus.

Both sides are measured warm: the same drive runs first in rounds of WARM_ROUND_S until
a round's rate is within WARM_WITHIN of the round before (at most WARM_ROUNDS), and
those rounds' rates are kept as `warm_up_per_second`. A cold Kafka broker and Cassandra
node (their JIT, the projector's write paths, which the suite's throughput runs do not
use) answered 44/s in the first 15 s and 345/s by the seventh, at 5.9 instead of 46.6
ms of the machine's CPU per answer: one cold drive measured mostly the JVMs' warm-up."""

import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from questline.adapters.kafka.command_bus import KafkaCommandBus
from questline.bench.cluster_load import (
    Processes,
    exactly_once_worker,
    fresh_config,
    poll_until,
    wait_owned,
    write_config,
)
from questline.bench.cluster_servers import Servers
from questline.bench.common import (
    Result,
    machine_cpu_seconds,
    process_cpu_seconds,
    tiny,
)
from questline.bench.http_suite import (
    HUNTS,
    clients,
    free_port,
    prepare,
    start_server,
    wait_ready,
)
from questline.cluster.config import ClusterConfig
from questline.domain.commands import Command, CreateHunt, RegisterTeam
from questline.http.tokens import token_hash
from questline.loadgen.workload import HOUR, workload_hunt
from questline.ports import CommandEnvelope

CLIENTS = 50  # callers at once, as many per client process
CLIENT_PROCESSES = 2
WORKERS = "workers"
WARM_ROUND_S = 10.0
WARM_ROUNDS = 12
WARM_WITHIN = 0.1


def _set_up(config: ClusterConfig, teams: int) -> list[str]:
    """The http suite's hunts and teams (tokens `bench-{i}`), through the workers."""
    hunt_ids = [f"w-{i:03d}" for i in range(HUNTS)]
    starts = int(time.time() * 1_000_000) - HOUR
    commands: list[Command] = [CreateHunt(h, workload_hunt(h, starts)) for h in hunt_ids]
    commands += [
        RegisterTeam(hunt_ids[i % HUNTS], f"team {i}", token_hash(f"bench-{i}"))
        for i in range(teams)
    ]
    bus = KafkaCommandBus(config.kafka, 1)
    bus.start()
    try:
        for start in range(0, len(commands), 1000):
            batch = commands[start : start + 1000]
            futures = [
                bus.submit(CommandEnvelope(f"{config.kafka.topic_prefix}-setup-{start + i}", c))
                for i, c in enumerate(batch)
            ]
            for future in futures:  # (a hunt's commands keep their order: one partition)
                future.result(timeout=120)
    finally:
        bus.stop()
    return hunt_ids


def _answers(url: str, path: str, token: str) -> bool:
    request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def api_node(servers: Servers, directory: Path, teams: int, duration: float) -> Result:
    config = fresh_config(servers.kafka, servers.cassandra)
    directory.mkdir()
    path = write_config(config, directory)
    processes = Processes(directory)
    cli = [sys.executable, "-m", "questline"]
    try:
        processes.start("worker", exactly_once_worker(path, "worker"))
        processes.start("projector", [*cli, "projector", "--cluster", str(path)])
        wait_owned(config, WORKERS, 1)
        hunt_ids = _set_up(config, teams)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        processes.start("api", [*cli, "serve", "--cluster", str(path), "--port", str(port)])
        wait_ready(url)
        last = [teams - HUNTS + h for h in range(HUNTS)]  # each hunt's last team

        def projected() -> bool:  # every team's token is in Cassandra
            return all(
                _answers(url, f"/api/hunts/{hunt_ids[i % HUNTS]}", f"bench-{i}") for i in last
            )

        poll_until(projected, "the projector to write every team", 120)
        pids = {name: p.pid for name, p in processes.pids.items()}
        pids["kafka"] = servers.kafka.brokers[0].pid() or 0
        pids["cassandra"] = servers.cassandra.nodes[0].pid() or 0
        return _measured_warm(url, hunt_ids, teams, duration, pids)
    finally:
        processes.stop_all()


def _measured_warm(
    url: str, hunt_ids: list[str], teams: int, duration: float, pids: dict[str, int]
) -> Result:
    """The drive once warm, with where the CPU of `pids` went per answer."""
    warm_up = _warm_up(url, hunt_ids, teams)
    before = _cpu(pids)
    result = _drive(url, hunt_ids, teams, duration)
    return {
        **result,
        "cpu_ms_per_answer": _per_answer(before, _cpu(pids), result["ok"]),
        "warm_up_per_second": warm_up,
    }


def _warm_up(url: str, hunt_ids: list[str], teams: int) -> list[float]:
    """Drive in rounds until the rate settles; the rounds' rates."""
    rates: list[float] = []
    rounds, seconds = (1, 0.5) if tiny() else (WARM_ROUNDS, WARM_ROUND_S)
    for _ in range(rounds):
        rates.append(_drive(url, hunt_ids, teams, seconds)["ok_per_second"])
        if len(rates) >= 2 and rates[-1] <= rates[-2] * (1 + WARM_WITHIN):
            break
    return rates


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    used = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    used["machine"] = machine_cpu_seconds()
    return used


def _per_answer(before: dict[str, float], after: dict[str, float], answered: int) -> Result:
    """Where the machine's CPU went per answered submission: each process of the cluster,
    and the rest (the client processes, everything else running)."""
    spent = {name: after[name] - before[name] for name in after}
    spent["rest"] = spent["machine"] - sum(v for k, v in spent.items() if k != "machine")
    return {name: round(v * 1000 / max(answered, 1), 2) for name, v in spent.items()}


def embedded_server(teams: int, duration: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        db = Path(tmp) / "http.db"
        hunt_ids = prepare(db, teams)
        port = free_port()
        server = start_server(db, port)
        try:
            url = f"http://127.0.0.1:{port}"
            return _measured_warm(url, hunt_ids, teams, duration, {"server": server.pid})
        finally:
            server.terminate()
            server.wait(timeout=30)


def _drive(url: str, hunt_ids: list[str], teams: int, duration: float) -> Result:
    spec = {
        "url": url,
        "hunts": hunt_ids,
        "per_hunt": teams // HUNTS,
        "duration": duration,
        "target": "submit",
        "mode": "closed",
        "concurrency": CLIENTS // CLIENT_PROCESSES,
    }
    return clients(spec, CLIENT_PROCESSES)
