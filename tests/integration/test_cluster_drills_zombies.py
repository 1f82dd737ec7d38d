"""Zombies: a worker, then a projector, paused with SIGSTOP past its session timeout
while the load goes on. The group hands its partitions to another member; once it
is resumed with SIGCONT, nothing it still had in hand may land: the new owner
opened the partition's transactional producer, which bumped its epoch and aborted
the zombie's open transaction, so the zombie's commit is refused (fenced); the
projector's checkpoint writes are refused by Cassandra (an old epoch, `Fenced`).
Who wrote each record batch, and whether it was committed, is read from the
broker's log segments (kafka.tools.DumpLogSegments) and its transaction log.

    QUESTLINE_DRILL_SEED=1234 uv run pytest tests/integration/test_cluster_drills_zombies.py
"""

import random
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from tests.integration.cluster_support import (
    BEFORE_COMMIT,
    DRILL_SEED,
    MID_BATCH,
    PROJECTORS_ROLE,
    WORKERS_ROLE,
    CommandLoad,
    DrillCluster,
    audit_log,
    batch_markers,
    dotted,
    drill_cluster,
    eventually,
    hunts_on_every_partition,
    record_batches,
    register_teams,
    report_drill,
    seconds_until_each,
    stopped,
    transactional_producers,
)

from questline.adapters.cassandra.read_model_store import Fenced
from questline.adapters.kafka.group_status import high_watermarks
from questline.adapters.kafka.partition_log import transactional_id
from questline.cluster.verification import projection_lag, verify_cluster
from questline.observability.ecs_reading import ecs_time
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration
STOP_POINTS = {
    MID_BATCH: "in the middle of a batch: commands consumed, a transaction begun, no events",
    BEFORE_COMMIT: "just before committing a batch: events produced, offsets sent",
}
PARTITIONS = 4
MODULE = "tests/integration/test_cluster_drills_zombies.py"


def _loaded(c: DrillCluster) -> CommandLoad:
    hunts = hunts_on_every_partition(PARTITIONS)
    load = CommandLoad(c.client, hunts, register_teams(c.client, hunts.values(), 4), DRILL_SEED)
    load.start()
    eventually(lambda: load.count() >= 20, "the load to be acknowledged")
    return load


def _pick(c: DrillCluster, role: str, rng: random.Random) -> tuple[str, list[int]]:
    owners = c.processes.owners(role)
    zombie = rng.choice(sorted(n for n, parts in owners.items() if parts))
    return zombie, owners[zombie]


def _assigned_after(c: DrillCluster, member: str, moment: float, partition: int) -> float | None:
    """When `member` logged owning `partition` after `moment` (wall clock), if it did."""
    times = [
        ecs_time(line)
        for line in c.processes.log(member)
        if dotted(line, "event.action") == "partition-assigned"
        and dotted(line, "questline.partition") == partition
        and ecs_time(line) > moment
    ]
    return min(times, default=None)


def _settle_and_check(c: DrillCluster, load: CommandLoad) -> tuple[int, int]:
    """After the load: (acknowledged, events), with nothing lost or doubled and the
    read models equal to a replay."""
    last: list[object] = []

    def caught_up() -> bool:
        lag = projection_lag(c.config, c.store)
        last[:] = [lag, {p: c.store.read_models.checkpoint(p) for p in lag}]
        return not any(lag.values())

    give_up = time.monotonic() + 60
    while not caught_up():  # as `eventually`, saying where it stuck
        assert time.monotonic() < give_up, (
            f"projections stuck: lag, checkpoints {last};"
            f" projectors {c.processes.owners(PROJECTORS_ROLE)}"
        )
        threading.Event().wait(0.2)
    acknowledged = load.acknowledged()
    audit = audit_log(c.config, acknowledged)
    assert (audit.lost, audit.duplicated, audit.version_problems) == ([], [], []), (
        f"lost: {audit.lost[:5]}; decided more than once: {audit.duplicated[:5]};"
        f" versions not 1..n: {audit.version_problems}"
    )
    assert verify_cluster(c.config, c.store) == []
    assert load.unanswered == 0
    return len(acknowledged), audit.events


@pytest.mark.parametrize(
    "stop_point",
    [
        MID_BATCH,
        BEFORE_COMMIT,
    ],
)
def test_a_paused_worker_is_fenced_off_and_none_of_its_writes_lands(
    kafka_cluster: KafkaCluster,
    cassandra_cluster: CassandraCluster,
    tmp_path: Path,
    stop_point: str,
) -> None:
    rng = random.Random(DRILL_SEED)
    started = time.monotonic()
    with drill_cluster(
        kafka_cluster,
        cassandra_cluster,
        tmp_path,
        workers=2,
        projectors=1,
        partitions=PARTITIONS,
        trapped_workers=True,
        # before-commit: its transaction must outlive the stop, or the coordinator aborts it
        transaction_timeout_ms=60_000 if stop_point == BEFORE_COMMIT else 6000,
    ) as c:
        load = _loaded(c)
        workers = c.processes.names(WORKERS_ROLE)
        try:
            zombie, its = _pick(c, WORKERS_ROLE, rng)
            c.traps[zombie].write_text(stop_point)  # it stops itself, a batch in hand
            eventually(lambda: stopped(c.processes.pids[zombie]), f"{zombie} to stop mid-batch", 30)
            paused_at = time.time()
            eventually(
                lambda: (
                    zombie not in c.processes.owners(WORKERS_ROLE)
                    and c.processes.settled(WORKERS_ROLE)
                ),
                "the group to hand the paused worker's partitions to the other",
                60,
            )
            moved_at = time.time()
            other = next(w for w in workers if w != zombie)
            if stop_point == BEFORE_COMMIT:
                # The other worker restored the partitions (its assignment line comes
                # after the restore) and waits on the zombie's open transaction's offsets.
                taken_over = seconds_until_each(
                    its, partial(_assigned_after, c, other, paused_at), "the other to restore", 60
                )
            else:
                taken_over = seconds_until_each(
                    its,
                    lambda p: load.first_ack_sent_after(p, moved_at),
                    "commands on the paused worker's partitions acknowledged by the other",
                    60,
                )
            resumed_at = c.processes.resume(zombie)
            eventually(
                lambda: c.processes.settled(WORKERS_ROLE, workers),
                "the resumed worker to rejoin its group",
                60,
            )
            back_at = time.time()
            seconds_until_each(
                range(PARTITIONS),
                lambda p: load.first_ack_sent_after(p, back_at),
                "every partition to answer after the rejoin",
                60,
            )
        finally:
            load.stop()
        acknowledged, events = _settle_and_check(c, load)
        assert c.processes.alive(zombie)
        zombie_log = c.processes.log(zombie)
        transactional_ids = [transactional_id(c.config.kafka.topic_prefix, p) for p in its]

    # The broker's view of the zombie's producer: nothing it wrote between its stop and
    # its rejoin was committed...
    rejoined_at = min(
        ecs_time(line)
        for line in zombie_log
        if dotted(line, "event.action") == "partition-assigned" and ecs_time(line) > resumed_at
    )
    # The broker's view: each of its partitions' producer ids, and the epoch the
    # zombie held (its last batch before the stop). Nothing of that epoch was
    # committed after the stop: the new owner's init fenced it and aborted its
    # open transaction.
    producers = transactional_producers(kafka_cluster)
    ids = {producers[t] for t in transactional_ids}
    markers = batch_markers(record_batches(kafka_cluster, c.config.kafka.events_topic))
    before = [b for b in markers if b.producer_id in ids and b.create_time_ms < paused_at * 1000]
    held = {
        (b.producer_id, max(x.producer_epoch for x in before if x.producer_id == b.producer_id))
        for b in before
    }
    mine = {b: m for b, m in markers.items() if (b.producer_id, b.producer_epoch) in held}
    landed = [
        b
        for b, m in mine.items()
        if m is not None and m.marker == "COMMIT" and m.create_time_ms >= paused_at * 1000
    ]
    aborted = [b for b, m in mine.items() if m is not None and m.marker == "ABORT"]

    def between(seconds: float) -> bool:
        return paused_at <= seconds < rejoined_at

    # ...nor, by its own log, did it commit anything then (a transaction it had begun
    # before the stop included).
    committed = [
        line
        for line in zombie_log
        if dotted(line, "event.action") == "transaction-committed" and between(ecs_time(line))
    ]
    failed = [
        line
        for line in zombie_log
        if (
            str(line.get("message", "")).startswith("transaction failed")
            or "fenced by a newer owner" in str(line.get("message", ""))
        )
        and ecs_time(line) > resumed_at
    ]
    assert landed == [], f"the zombie's batches committed while it was fenced off: {landed}"
    assert committed == [], f"the zombie committed while fenced off: {committed}"
    assert any(
        dotted(line, "event.action") == "transaction-committed" and ecs_time(line) > rejoined_at
        for line in c.processes.log(zombie)
    ), "the rejoined worker should commit transactions of its own again"
    figures = {
        "seed": DRILL_SEED,
        "acknowledged": acknowledged,
        "lost": 0,
        "duplicated": 0,
        "paused_s": round(resumed_at - paused_at, 2),
        "takeover_s": round(max(taken_over.values()) - paused_at, 2),
        "rejoin_s": round(rejoined_at - resumed_at, 2),
        "zombie_batches_aborted": len(aborted),
        "zombie_batches_landed": len(landed),
        "zombie_commits": len(committed),
        "zombie_transactions_failed": len(failed),
        "run_s": round(time.monotonic() - started, 1),
    }
    report_drill(
        f"cluster-zombie-worker-{stop_point}",
        figures,
        f"""## Zombie worker, stopped {stop_point} ({MODULE})

`QUESTLINE_DRILL_SEED={DRILL_SEED} uv run pytest {MODULE} -k {stop_point}`

Two workers and a projector under the keyed load. {zombie} (partitions {its}) stops
itself with SIGSTOP ({STOP_POINTS[stop_point]}),
stays stopped past its 6 s session timeout, and is resumed with SIGCONT once the
other worker took its partitions; it then finishes the batch it had in hand.

- stopped {figures["paused_s"]} s; its partitions taken by the other worker
  {figures["takeover_s"]} s after the stop; back in its group
  {figures["rejoin_s"]} s after SIGCONT, committing transactions of its own again
- the new owner had opened the partitions' transactional producers
  (`{", ".join(transactional_ids)}`), which fenced the zombie's epoch; failed or
  fenced transactions in the zombie's log after SIGCONT: {len(failed)}
- the broker's log segments: batches of the zombie's producer epoch aborted:
  {len(aborted)}; committed after the stop: {len(landed)}; transactions it
  committed between the stop and its rejoin, by its log: {len(committed)}
- commands acknowledged: {acknowledged:,}; lost: 0; duplicated: 0; events: {events:,};
  versions 1..n per hunt; read models equal a replay""",
    )


def test_a_paused_projector_is_fenced_by_the_newer_epoch(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> None:
    rng = random.Random(DRILL_SEED)
    started = time.monotonic()
    with drill_cluster(
        kafka_cluster, cassandra_cluster, tmp_path, workers=1, projectors=2, partitions=PARTITIONS
    ) as c:
        load = _loaded(c)
        projectors = c.processes.names(PROJECTORS_ROLE)
        try:
            zombie, its = _pick(c, PROJECTORS_ROLE, rng)
            epochs = {
                dotted(line, "questline.partition"): dotted(line, "questline.epoch")
                for line in c.processes.log(zombie)
                if dotted(line, "event.action") == "partition-assigned"
            }
            paused_at = c.processes.pause(zombie)
            eventually(
                lambda: (
                    zombie not in c.processes.owners(PROJECTORS_ROLE)
                    and c.processes.settled(PROJECTORS_ROLE)
                ),
                "the group to hand the paused projector's partitions to the other",
                60,
            )
            events_end = high_watermarks(c.config.kafka, c.config.kafka.events_topic)
            taken_over = seconds_until_each(
                its,
                lambda p: (
                    time.time() if c.store.read_models.checkpoint(p) > events_end[p] else None
                ),
                "the other projector to project the paused one's partitions",
                60,
            )
            # Its epoch is stale now: a checkpoint written with it is refused.
            for partition in its:
                with pytest.raises(Fenced):
                    c.store.read_models.write(
                        partition,
                        epochs[partition],
                        {},
                        c.store.read_models.checkpoint(partition),
                        {},
                    )
            resumed_at = c.processes.resume(zombie)
            eventually(
                lambda: c.processes.settled(PROJECTORS_ROLE, projectors),
                "the resumed projector to rejoin its group",
                60,
            )
            rejoined_at = time.time()
        finally:
            load.stop()
        acknowledged, events = _settle_and_check(c, load)
        assert c.processes.alive(zombie)
        zombie_log = c.processes.log(zombie)
        other = next(p for p in projectors if p != zombie)
        new_epochs = {
            dotted(line, "questline.partition"): dotted(line, "questline.epoch")
            for line in c.processes.log(other)
            if dotted(line, "event.action") == "partition-assigned" and ecs_time(line) > paused_at
        }
    assert all(new_epochs[p] > epochs[p] for p in its), (epochs, new_epochs)
    fenced = [
        line
        for line in zombie_log
        if dotted(line, "event.reason") == "fenced" and ecs_time(line) > resumed_at
    ]
    figures = {
        "seed": DRILL_SEED,
        "acknowledged": acknowledged,
        "lost": 0,
        "duplicated": 0,
        "paused_s": round(resumed_at - paused_at, 2),
        "takeover_s": round(max(taken_over.values()) - paused_at, 2),
        "rejoin_s": round(rejoined_at - resumed_at, 2),
        "stale_writes_refused": len(fenced),
        "run_s": round(time.monotonic() - started, 1),
    }
    report_drill(
        "cluster-zombie-projector",
        figures,
        f"""## Zombie projector (tests/integration/test_cluster_drills_zombies.py)

`QUESTLINE_DRILL_SEED={DRILL_SEED} uv run pytest {MODULE} -k projector`

A worker and two projectors under the keyed load; {zombie} (partitions {its}, epochs
{epochs}) paused with SIGSTOP past its session timeout; the other projector claimed
them with epochs {new_epochs} and projected events written after the takeover
{figures["takeover_s"]} s after the pause; a checkpoint written with the paused
projector's epoch was refused (`Fenced`); resumed with SIGCONT, it rejoined
{figures["rejoin_s"]} s later.

- its own writes refused as `Fenced` after waking: {len(fenced)}
- commands acknowledged: {acknowledged:,}; lost: 0; duplicated: 0; events: {events:,};
  versions 1..n per hunt; read models equal a replay""",
    )
