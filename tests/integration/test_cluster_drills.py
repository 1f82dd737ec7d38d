"""The cluster's kill loop: three worker and two projector processes under a keyed
command load, one of them killed with SIGKILL and restarted six times (workers and
projectors in turn). Which one, and where in the load, comes from the seed:

    QUESTLINE_DRILL_SEED=1234 uv run pytest tests/integration/test_cluster_drills.py

Afterwards every acknowledged command is in the log exactly once, each hunt's
versions run 1..n, and the read models in Cassandra equal a replay of Kafka. The
figures go to docs/drills.md."""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from tests.integration.cluster_support import (
    DRILL_SEED,
    PROJECTORS_ROLE,
    WORKERS_ROLE,
    CommandLoad,
    DrillCluster,
    audit_log,
    drill_cluster,
    eventually,
    hunts_on_every_partition,
    register_teams,
    report_drill,
    seconds_until_each,
)

from questline.adapters.kafka.group_status import high_watermarks
from questline.cluster.verification import verify_cluster
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration
KILLS = 6
WORKERS = 3
PROJECTORS = 2
PARTITIONS = 4


@dataclass(frozen=True)
class Kill:
    role: str
    victim: str
    partitions: list[int]
    seconds: dict[int, float]  # partition -> from the kill until it flowed again


def _flowing(
    c: DrillCluster, load: CommandLoad, role: str, killed_at: float, events_end: dict[int, int]
) -> Callable[[int], float | None]:
    """When a partition of the victim flows again (wall clock), or None while it does not."""

    def check(partition: int) -> float | None:
        if role == WORKERS_ROLE:  # a command sent after the kill was acknowledged
            return load.first_ack_sent_after(partition, killed_at)
        # an event written after the kill is in the read models
        if c.store.read_models.checkpoint(partition) > events_end[partition]:
            return time.time()
        return None

    return check


def test_kill_9_workers_and_projectors_in_a_loop_under_load(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> None:
    rng = random.Random(DRILL_SEED)
    started = time.monotonic()
    with drill_cluster(
        kafka_cluster,
        cassandra_cluster,
        tmp_path,
        workers=WORKERS,
        projectors=PROJECTORS,
        partitions=PARTITIONS,
    ) as c:
        hunts = hunts_on_every_partition(PARTITIONS)
        teams = register_teams(c.client, hunts.values(), per_hunt=4)
        load = CommandLoad(c.client, hunts, teams, DRILL_SEED)
        load.start()
        kills: list[Kill] = []
        try:
            eventually(lambda: load.count() >= 30, "the load to be acknowledged")
            for round_ in range(KILLS):
                role = WORKERS_ROLE if round_ % 2 == 0 else PROJECTORS_ROLE
                eventually(partial(c.processes.settled, role), f"the {role} group to settle", 60)
                owners = c.processes.owners(role)
                victim = rng.choice(sorted(n for n, parts in owners.items() if parts))
                partitions = owners[victim]
                threading.Event().wait(rng.uniform(0.2, 1.5))  # where in the load it lands
                events_end = high_watermarks(c.config.kafka, c.config.kafka.events_topic)
                killed_at = c.processes.kill(victim)
                c.processes.start(role, victim)  # restarted at once, as a supervisor would

                moments = seconds_until_each(
                    partitions,
                    _flowing(c, load, role, killed_at, events_end),
                    f"{victim}'s partitions to flow again",
                    90,
                )
                seconds = {p: round(t - killed_at, 2) for p, t in sorted(moments.items())}
                kills.append(Kill(role, victim, partitions, seconds))
        finally:
            load.stop()
        eventually(
            lambda: (
                c.processes.settled(WORKERS_ROLE, c.processes.names(WORKERS_ROLE))
                and c.processes.settled(PROJECTORS_ROLE, c.processes.names(PROJECTORS_ROLE))
            ),
            "every restarted process back in its group",
            60,
        )
        eventually(c.projections_caught_up, "the projections to catch up", 60)
        acknowledged = load.acknowledged()
        audit = audit_log(c.config, acknowledged)
        differences = verify_cluster(c.config, c.store)
        seconds_taken = time.monotonic() - started

    assert audit.lost == [], f"acknowledged but not in the log: {audit.lost[:5]}"
    assert audit.duplicated == [], f"decided more than once: {audit.duplicated[:5]}"
    assert audit.version_problems == []
    assert differences == [], differences[:5]
    assert load.unanswered == 0, "a command got no answer through 40 tries"
    figures = {
        "seed": DRILL_SEED,
        "kills": len(kills),
        "acknowledged": len(acknowledged),
        "lost": len(audit.lost),
        "duplicated": len(audit.duplicated),
        "retried_requests": load.retries,
        "events": audit.events,
        "recovery_s": [max(k.seconds.values()) for k in kills],
        "run_s": round(seconds_taken, 1),
    }
    rows = "\n".join(
        f"| {i + 1} | {k.role[:-1]} | {k.victim} | {k.partitions} | "
        + ", ".join(f"{p}: {s:.2f}" for p, s in k.seconds.items())
        + " |"
        for i, k in enumerate(kills)
    )
    report_drill(
        "cluster-kill-loop",
        figures,
        f"""## Cluster kill loop (tests/integration/test_cluster_drills.py)

`QUESTLINE_DRILL_SEED={DRILL_SEED} uv run pytest tests/integration/test_cluster_drills.py`

{WORKERS} `questline worker` and {PROJECTORS} `questline projector` processes,
{PARTITIONS} partitions, a hunt on each; six load threads send wrong answers with
Idempotency-Keys (retried with the same key on 503) while one process at a time is
killed with SIGKILL and restarted at once, workers and projectors in turn; the seed
picks the victim and the moment.

- commands acknowledged: {len(acknowledged):,}; lost: {len(audit.lost)};
  duplicated: {len(audit.duplicated)}; requests retried with their key: {load.retries:,}
- events in the log: {audit.events:,}; every hunt's versions run 1..n; the read
  models equal a replay of Kafka (`verify --cluster`: no difference)
- the whole drill: {seconds_taken:.0f} s

Time from each kill until the victim's partitions flowed again (a worker's: a command
sent after the kill acknowledged; a projector's: an event written after the kill in
the read models), seconds per partition:

| kill | role | victim | its partitions | seconds |
|---|---|---|---|---|
{rows}""",
    )
