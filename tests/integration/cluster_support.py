"""Shared pieces of the cluster tests: a fresh config per test (own topics and
keyspace on the session's servers), polling with a deadline; for the fault drills,
worker and projector processes, a keyed command load and audits of the log."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from confluent_kafka import Producer
from starlette.testclient import TestClient
from tests.drills.report import write_section

from questline.adapters.cassandra.settings import CassandraSettings
from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.group_status import KafkaGroups
from questline.adapters.kafka.partition_log import KafkaPartitionLog
from questline.adapters.kafka.partition_reader import read_partition
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.local_cluster import ProcessSpec, alive, start_process
from questline.cluster.verification import projection_lag
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.events import RecordedEvent
from questline.engine.partition_restore import Restored, restore_partition
from questline.http.command_runner import idempotency_command_id
from questline.observability.ecs_reading import ecs_lines
from questline.ports import CommandRecord, PartitionSnapshotStore, partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster
from questline.servers.process import java_home

ORGANIZER = "cluster-organizer-token"


def eventually(check: Callable[[], bool], what: str, deadline_s: float = 60.0) -> float:
    """Poll a condition until it holds; fail with `what` after the deadline.
    Returns the seconds it took."""
    started = time.monotonic()
    give_up = started + deadline_s
    pause = threading.Event()
    while not check():
        if time.monotonic() > give_up:
            pytest.fail(f"timed out after {deadline_s} s waiting for {what}")
        pause.wait(0.1)
    return time.monotonic() - started


def fresh_config(
    kafka: KafkaCluster, cassandra: CassandraCluster, *, partitions: int = 3
) -> ClusterConfig:
    suffix = uuid.uuid4().hex[:8]
    return ClusterConfig(
        kafka=KafkaSettings(
            bootstrap_servers=kafka.bootstrap_servers,
            partitions=partitions,
            reply_partitions=2,
            topic_prefix=f"ql-{suffix}",
        ),
        cassandra=CassandraSettings(
            contact_points=tuple(cassandra.contact_points),
            port=cassandra.native_port,
            keyspace=f"ql_{suffix}",
        ),
        transaction_timeout_ms=6000,
    )


class Members:
    """Partition workers and projectors running on threads of this process."""

    def __init__(self, config: ClusterConfig, *, workers: int = 1, projectors: int = 1) -> None:
        from questline.adapters.cassandra.store import CassandraStore
        from questline.adapters.clocks import SystemClock
        from questline.adapters.kafka.topics import ensure_topics
        from questline.cluster.projector import ClusterProjector
        from questline.cluster.worker import PartitionWorker

        ensure_topics(config.kafka)
        suffix = uuid.uuid4().hex[:6]
        self.store = CassandraStore.open(config.cassandra)
        self.stop = threading.Event()
        self.workers = [
            PartitionWorker(config, f"w{i}-{suffix}", SystemClock(), self.store.commands.find)
            for i in range(workers)
        ]
        self.projectors = [
            ClusterProjector(config, self.store, f"p{i}-{suffix}") for i in range(projectors)
        ]
        runs = [w.run for w in self.workers] + [p.run for p in self.projectors]
        self.threads = [threading.Thread(target=r, args=(self.stop,), daemon=True) for r in runs]
        for thread in self.threads:
            thread.start()
        partitions = config.kafka.partitions
        if self.workers:
            eventually(
                lambda: sum(len(w.owned) for w in self.workers) == partitions,
                "the workers to own every partition",
            )
        if self.projectors:
            eventually(
                lambda: sum(len(p.partitions) for p in self.projectors) == partitions,
                "the projectors to own every partition",
            )

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        self.store.close()


# -- the cluster fault drills (tests/integration/test_cluster_drills*.py) -------------
# Worker and projector subprocesses to kill, pause and restart, a keyed command load
# that records what was acknowledged, an audit of the log, and the broker's own view
# of which producer wrote each record batch and whether it was committed.

WORKERS_ROLE = "workers"
PROJECTORS_ROLE = "projectors"
DRILL_SEED = int(os.environ.get("QUESTLINE_DRILL_SEED", "8"))


def restore_decider(
    config: ClusterConfig, partition: int, snapshots: PartitionSnapshotStore | None, _since: int = 0
) -> Restored:
    """A partition's memory as a worker restores it (a snapshot, then the log)."""
    log = KafkaPartitionLog(config.kafka, partition)  # only read
    return restore_partition(log, snapshots, config.window_size)


def write_config_file(config: ClusterConfig, path: Path) -> Path:
    path.write_text(yaml.safe_dump(msgspec.to_builtins(config), sort_keys=False))
    return path


def hunts_on_every_partition(partitions: int, prefix: str = "drill") -> dict[int, str]:
    """A hunt id per partition (partition -> hunt), so the load reaches every worker."""
    hunts: dict[int, str] = {}
    index = 0
    while len(hunts) < partitions:
        hunt_id = f"{prefix}-{index}"
        hunts.setdefault(partition_of(hunt_id, partitions), hunt_id)
        index += 1
    return dict(sorted(hunts.items()))


def group_owners(
    config: ClusterConfig, role: str, groups: KafkaGroups | None = None
) -> dict[str, list[int]]:
    """Member name -> partitions it holds, as the group coordinator sees it now."""
    groups = groups or KafkaGroups(config.kafka)
    return groups.members(f"{config.kafka.topic_prefix}-{role}")


class DrillProcesses:
    """`questline worker` and `questline projector` subprocesses of one cluster config,
    each with its log in `directory/logs/<name>.log`."""

    def __init__(self, config: ClusterConfig, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self.config_path = write_config_file(config, directory / "cluster.yaml")
        self.pids: dict[str, int] = {}
        self.roles: dict[str, str] = {}
        self.groups = KafkaGroups(config.kafka)

    def start(self, role: str, name: str) -> int:
        command = "worker" if role == WORKERS_ROLE else "projector"
        flag = "--id" if role == WORKERS_ROLE else "--name"
        argv = [sys.executable, "-m", "questline", command, "--cluster", str(self.config_path)]
        pid = start_process(self.directory, ProcessSpec(name, [*argv, flag, name]))
        self.pids[name] = pid
        self.roles[name] = role
        return pid

    def names(self, role: str) -> list[str]:
        return sorted(n for n, r in self.roles.items() if r == role)

    def kill(self, name: str) -> float:
        """SIGKILL; returns the wall-clock time of the kill once the process is gone."""
        os.kill(self.pids[name], signal.SIGKILL)
        killed_at = time.time()
        eventually(lambda: not alive(self.pids[name]), f"{name} to die", 10)
        return killed_at

    def pause(self, name: str) -> float:
        os.kill(self.pids[name], signal.SIGSTOP)
        return time.time()

    def resume(self, name: str) -> float:
        os.kill(self.pids[name], signal.SIGCONT)
        return time.time()

    def alive(self, name: str) -> bool:
        return alive(self.pids[name])

    def owners(self, role: str) -> dict[str, list[int]]:
        return group_owners(self.config, role, self.groups)

    def settled(self, role: str, members: Iterable[str] | None = None) -> bool:
        """Every partition owned once, by live members (all of `members` if given)."""
        owners = self.owners(role)
        owned = sorted(p for parts in owners.values() for p in parts)
        wanted = set(members) if members is not None else set()
        return owned == list(range(self.config.kafka.partitions)) and wanted <= set(owners)

    def log(self, name: str) -> list[dict[str, Any]]:
        return ecs_lines(self.directory / "logs" / f"{name}.log")

    def stop_all(self) -> None:
        for pid in self.pids.values():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def drill_hunt_yaml(hunt_id: str) -> str:
    """The city hunt, with room for a steady stream of wrong answers from each team."""
    return city_hunt_yaml(hunt_id=hunt_id).replace(
        "wrong_per_minute: 5", "wrong_per_minute: 100000"
    )


def team_command_id(hunt_id: str, team_id: str, key: str) -> str:
    return idempotency_command_id(hunt_id, f"team:{team_id}", key)[0]


@dataclass(frozen=True)
class Ack:
    command_id: str
    hunt_id: str
    partition: int
    sent_at: float  # wall clock, seconds
    acked_at: float


@dataclass
class CommandLoad:
    """Wrong answers from registered teams, each with its own Idempotency-Key and retried
    with it on 503 (a worker gone, a timeout) until answered; an answer 200 is an
    acknowledged command. The hunt and team of every command come from `seed`."""

    client: TestClient
    hunts: dict[int, str]  # partition -> hunt
    teams: dict[str, list[dict[str, Any]]]  # hunt -> registered teams
    seed: int
    threads: int = 6
    acks: list[Ack] = field(default_factory=list)
    retries: int = 0
    unanswered: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for index in range(self.threads):
            thread = threading.Thread(target=self._client, args=(index,), daemon=True)
            thread.start()
            self._running.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._running:
            thread.join(120)
            assert not thread.is_alive(), "a load thread did not finish"

    def acknowledged(self) -> set[str]:
        with self._lock:
            return {a.command_id for a in self.acks}

    def count(self) -> int:
        with self._lock:
            return len(self.acks)

    def first_ack_sent_after(self, partition: int, moment: float) -> float | None:
        """When the first command sent after `moment` to `partition` was acknowledged."""
        with self._lock:
            times = [
                a.acked_at for a in self.acks if a.partition == partition and a.sent_at > moment
            ]
        return min(times, default=None)

    def _client(self, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        serial = 0
        while not self._stop.is_set():
            partition = rng.choice(sorted(self.hunts))
            hunt = self.hunts[partition]
            team = rng.choice(self.teams[hunt])
            serial += 1
            key = f"drill-{self.seed}-{index}-{serial}"
            body = {"clue": "town-hall", "answer": f"guess {rng.randrange(10**6)}"}
            headers = {"Authorization": f"Bearer {team['token']}", "Idempotency-Key": key}
            url = f"/api/hunts/{hunt}/submissions"
            sent_at = time.time()
            for attempt in range(40):
                response = self.client.post(url, json=body, headers=headers)
                if response.status_code == 200:
                    ack = Ack(
                        team_command_id(hunt, team["team_id"], key),
                        hunt,
                        partition,
                        sent_at,
                        time.time(),
                    )
                    with self._lock:
                        self.acks.append(ack)
                        self.retries += attempt
                    break
                assert response.status_code == 503, response.text
            else:
                with self._lock:
                    self.unanswered += 1


def register_teams(
    client: TestClient, hunts: Iterable[str], per_hunt: int
) -> dict[str, list[dict[str, Any]]]:
    """Create each hunt (as the organizer) and register `per_hunt` teams in it."""
    teams: dict[str, list[dict[str, Any]]] = {}
    organizer = {"Authorization": f"Bearer {ORGANIZER}", "Content-Type": "application/yaml"}
    for hunt in hunts:
        created = client.post("/api/hunts", content=drill_hunt_yaml(hunt), headers=organizer)
        assert created.status_code == 201, created.text
        teams[hunt] = []
        for index in range(per_hunt):
            response = client.post(f"/api/hunts/{hunt}/teams", json={"name": f"Team {index}"})
            assert response.status_code == 201, response.text
            teams[hunt].append(response.json())
    return teams


@dataclass
class LogAudit:
    """What the events topic holds, checked against what was acknowledged."""

    events: int
    command_records: int
    lost: list[str]  # acknowledged, but no event and no command record in the log
    duplicated: list[str]  # decided more than once (two runs of events, two records)
    version_problems: list[str]  # hunts whose versions are not 1..n in log order


def audit_log(config: ClusterConfig, acknowledged: Iterable[str]) -> LogAudit:
    events: list[RecordedEvent] = []
    records: list[CommandRecord] = []
    for partition in range(config.kafka.partitions):
        read_partition(config.kafka, partition, events.append, records.append)
    versions: dict[str, list[int]] = defaultdict(list)
    runs: Counter[str] = Counter()
    previous: dict[str, str] = {}
    for event in events:  # log order within each hunt's partition
        versions[event.hunt_id].append(event.version)
        if previous.get(event.hunt_id) != event.command_id:
            runs[event.command_id] += 1
        previous[event.hunt_id] = event.command_id
    recorded = Counter(r.command_id for r in records)
    lost = sorted(c for c in set(acknowledged) if not runs[c] and not recorded[c])
    duplicated = sorted(
        {c for c, n in runs.items() if n > 1} | {c for c, n in recorded.items() if n > 1}
    )
    problems = [
        f"{hunt}: {v[:3]}...{v[-3:]} ({len(v)} events)"
        for hunt, v in sorted(versions.items())
        if v != list(range(1, len(v) + 1))
    ]
    return LogAudit(len(events), len(records), lost, duplicated, problems)


# -- the broker's view: which producer wrote each batch, and was it committed ----------


@dataclass(frozen=True)
class RecordBatch:
    """One record batch of a partition's log segments (kafka.tools.DumpLogSegments)."""

    partition: int
    base_offset: int
    last_offset: int
    producer_id: int
    producer_epoch: int
    transactional: bool
    control: bool
    create_time_ms: int
    marker: str | None  # COMMIT or ABORT for a control batch


_BATCH = re.compile(
    r"baseOffset: (?P<base>\d+) lastOffset: (?P<last>\d+) .*?producerId: (?P<pid>-?\d+)"
    r" producerEpoch: (?P<epoch>-?\d+) .*?isTransactional: (?P<txn>\w+)"
    r" isControl: (?P<control>\w+).*?CreateTime: (?P<time>-?\d+)"
)
_MARKER = re.compile(r"endTxnMarker: (?P<marker>\w+)")
_TXN_STATE = re.compile(r"transactionalId=(?P<tid>[^\s,]+).*?producerId:(?P<pid>\d+)")


def _dump_log_segments(kafka: KafkaCluster, files: list[Path], *extra: str) -> str:
    if not files:
        return ""
    argv = [
        str(java_home() / "bin" / "java"),
        "-Xmx256m",
        f"-Dlog4j.configuration=file:{kafka.log4j_path}",
        "-cp",
        f"{kafka.lib}/*",
        "kafka.tools.DumpLogSegments",
        "--print-data-log",
        *extra,
        "--files",
        ",".join(str(f) for f in files),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def _segments(kafka: KafkaCluster, topic: str) -> list[Path]:
    return sorted(
        segment
        for broker in kafka.brokers
        for folder in broker.data_dir.glob(f"{topic}-*")
        if folder.name.rsplit("-", 1)[1].isdigit()
        for segment in sorted(folder.glob("*.log"))
    )


def record_batches(kafka: KafkaCluster, topic: str) -> list[RecordBatch]:
    """Every batch of the topic as the (single) broker stored it, in offset order."""
    batches: list[RecordBatch] = []
    partition = -1
    current: dict[str, str] | None = None
    for line in _dump_log_segments(kafka, _segments(kafka, topic)).splitlines():
        if line.startswith("Dumping "):  # a segment of folder <topic>-<partition>
            partition = int(Path(line.removeprefix("Dumping ")).parent.name.rsplit("-", 1)[1])
            current = None
            continue
        found = _BATCH.search(line)
        if found:
            current = found.groupdict()
            if current["control"] != "true":
                batches.append(_batch(partition, current, None))
            continue
        marker = _MARKER.search(line)
        if marker and current is not None:
            batches.append(_batch(partition, current, marker["marker"]))
    return batches


def _batch(partition: int, found: dict[str, str], marker: str | None) -> RecordBatch:
    return RecordBatch(
        partition,
        int(found["base"]),
        int(found["last"]),
        int(found["pid"]),
        int(found["epoch"]),
        found["txn"] == "true",
        found["control"] == "true",
        int(found["time"]),
        marker,
    )


def transactional_producers(kafka: KafkaCluster) -> dict[str, int]:
    """Transactional id -> producer id, from the transaction coordinator's own log."""
    text = _dump_log_segments(
        kafka, _segments(kafka, "__transaction_state"), "--transaction-log-decoder"
    )
    return {m["tid"]: int(m["pid"]) for m in _TXN_STATE.finditer(text)}


def batch_markers(batches: Iterable[RecordBatch]) -> dict[RecordBatch, RecordBatch | None]:
    """Each transactional data batch -> the control batch (COMMIT or ABORT marker) its
    producer wrote next in that partition; None while its transaction is open."""
    markers: dict[RecordBatch, RecordBatch | None] = {}
    pending: dict[tuple[int, int], list[RecordBatch]] = defaultdict(list)
    for batch in sorted(batches, key=lambda b: (b.partition, b.base_offset)):
        if not batch.transactional:
            continue
        key = (batch.partition, batch.producer_id)
        if batch.control:
            for data in pending.pop(key, []):
                markers[data] = batch
        else:
            pending[key].append(batch)
    for waiting in pending.values():
        for data in waiting:
            markers[data] = None
    return markers


# -- a whole drill cluster: processes, an in-process API node, the read models ---------


@dataclass
class DrillCluster:
    config: ClusterConfig
    processes: DrillProcesses
    store: CassandraStore
    client: TestClient
    traps: dict[str, Path]  # worker -> its trap file (trapped workers only)

    def projections_caught_up(self) -> bool:
        return not any(projection_lag(self.config, self.store).values())


@contextmanager
def drill_cluster(
    kafka: KafkaCluster,
    cassandra: CassandraCluster,
    directory: Path,
    *,
    workers: int,
    projectors: int,
    partitions: int = 4,
    trapped_workers: bool = False,
    transaction_timeout_ms: int = 6000,
) -> Iterator[DrillCluster]:
    """`workers` worker and `projectors` projector processes on a fresh config, every
    partition owned in both groups, and an API node answering in this process (a
    command is answered 503 after 5 s without a reply, and then retried). Trapped
    workers can be made to stop themselves mid-batch (`start_trapped_worker`)."""
    config = msgspec.structs.replace(
        fresh_config(kafka, cassandra, partitions=partitions),
        command_timeout_s=5.0,
        transaction_timeout_ms=transaction_timeout_ms,
    )
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)  # the schema, before the processes race
    processes = DrillProcesses(config, directory)
    worker_names = [f"worker-{i}" for i in range(1, workers + 1)]
    projector_names = [f"projector-{i}" for i in range(1, projectors + 1)]
    traps = {}
    for name in worker_names:
        if trapped_workers:
            traps[name] = start_trapped_worker(processes, name)
        else:
            processes.start(WORKERS_ROLE, name)
    for name in projector_names:
        processes.start(PROJECTORS_ROLE, name)
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        eventually(
            lambda: (
                processes.settled(WORKERS_ROLE, worker_names)
                and processes.settled(PROJECTORS_ROLE, projector_names)
            ),
            "every worker and projector to hold partitions",
            120,
        )
        with TestClient(node.app) as client:
            yield DrillCluster(config, processes, store, client, traps)
    finally:
        processes.stop_all()
        node.close()
        store.close()


def seconds_until_each(
    keys: Iterable[int], flowing: Callable[[int], float | None], what: str, deadline_s: float
) -> dict[int, float]:
    """Poll `flowing(key)` (a wall-clock time once it holds) for every key; return each
    key's time. Fails naming the keys still waiting after the deadline."""
    waiting = set(keys)
    found: dict[int, float] = {}

    def check() -> bool:
        for key in sorted(waiting):
            moment = flowing(key)
            if moment is not None:
                found[key] = moment
                waiting.discard(key)
        return not waiting

    eventually(check, f"{what} (still waiting: {sorted(waiting)})", deadline_s)
    return found


def report_drill(section: str, figures: Mapping[str, Any], markdown: str) -> None:
    """The figures three ways: a parseable `cluster-drill {json}` line on stdout, a line
    in test-artifacts/cluster-drills.jsonl, and a section of docs/drills.md."""
    line = json.dumps({"drill": section, **figures}, sort_keys=True)
    print(f"cluster-drill {line}")
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    with (artifacts / "cluster-drills.jsonl").open("a") as out:
        out.write(line + "\n")
    write_section(section, markdown + f"\n\nParseable: `cluster-drill {line}`")


def dotted(line: Mapping[str, Any], name: str) -> Any:
    """A field of a nested ECS line by its dotted name (`event.action`), or None."""
    value: Any = line
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


MID_BATCH = "mid-batch"  # trap points: commands consumed, no events written yet
BEFORE_COMMIT = "before-commit"  # events written, offsets sent, the commit not yet asked


class _TrappedProducer:
    """The worker's transactional producer, stopping the process once a transaction
    is begun (the commands decided, nothing produced) or before a commit."""

    def __init__(self, inner: Any, spring: Callable[[str], None]) -> None:
        self._inner = inner
        self._spring = spring

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def begin_transaction(self, *args: Any) -> Any:
        began = self._inner.begin_transaction(*args)
        self._spring(MID_BATCH)
        return began

    def commit_transaction(self, *args: Any) -> Any:
        self._spring(BEFORE_COMMIT)
        return self._inner.commit_transaction(*args)


def run_trapped_worker(config_path: str, worker_id: str, trap: str) -> None:
    """`questline worker`'s loop, except that when the file `trap` exists the worker
    stops itself (SIGSTOP) at the point the file names, once: in the middle of its next
    batch (`mid-batch`, the default) or just before committing it (`before-commit`).
    Resumed later, it carries on with that batch as a zombie would.
    Started by `start_trapped_worker`."""
    from questline.adapters.clocks import SystemClock
    from questline.cluster.config import load_config
    from questline.cluster.worker import PartitionWorker
    from questline.observability.logs import ensure_logging

    config = load_config(Path(config_path))
    store = CassandraStore.open(config.cassandra)
    ensure_logging()

    springing = threading.Lock()  # partitions are handled on threads side by side

    def spring(point: str) -> None:
        with springing:  # one thread takes the trap; the others find it gone
            try:
                armed = Path(trap).read_text().strip() or MID_BATCH
            except FileNotFoundError:
                return
            if armed != point:
                return
            os.unlink(trap)
        os.kill(os.getpid(), signal.SIGSTOP)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        worker = PartitionWorker(
            config,
            worker_id,
            SystemClock(),
            store.commands.find,
            producer_factory=lambda settings: _TrappedProducer(Producer(settings), spring),  # type: ignore[arg-type,return-value]
        )
        worker.run(stop)
    finally:
        store.close()


def start_trapped_worker(processes: DrillProcesses, name: str) -> Path:
    """A worker process that stops itself mid-batch once its trap file (returned, not
    yet made) exists."""
    trap = processes.directory / f"{name}.trap"
    code = (
        "from tests.integration.cluster_support import run_trapped_worker;"
        f" run_trapped_worker({str(processes.config_path)!r}, {name!r}, {str(trap)!r})"
    )
    pid = start_process(processes.directory, ProcessSpec(name, [sys.executable, "-c", code]))
    processes.pids[name] = pid
    processes.roles[name] = WORKERS_ROLE
    return trap


def stopped(pid: int) -> bool:
    """Whether a process is stopped (SIGSTOP): state T in /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False
