"""The snapshot audit on the real servers: a partition snapshot whose checksum is
valid but whose state is wrong (a team's score 1,000 too high, as a buggy version
would write it) is found by refolding the events partition from the start, deleted,
counted and logged, while correct snapshots are kept; a worker restarted
afterwards holds the state a full replay gives; a projector that restored its
memory from the wrong snapshot rebuilds it and heals the rows written from it; and
a running worker that restored from it is told and restores again."""

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from tests.integration.cluster_support import eventually, restore_decider
from tests.integration.test_cluster_snapshots import (
    SnapshottingCluster,
    caught_up,
    counter,
    play,
    snapshotting_cluster,
)
from tests.properties.model import dump_state

from questline.adapters.clocks import SystemClock
from questline.cluster.projector import ClusterProjector
from questline.cluster.snapshot_audit import audit_partition
from questline.cluster.verification import verify_cluster
from questline.cluster.worker import PartitionWorker
from questline.domain.projections.leaderboard import LeaderboardProjection
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import LeaderboardRow
from questline.engine.partition_snapshots import (
    deciders_of,
    open_partition,
    projections_of,
    take_partition,
    window_of,
)
from questline.ports import PartitionSnapshotStore
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

WRONG_BY = 1000


@pytest.fixture
def cluster(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[SnapshottingCluster]:
    """Snapshots every 10 events; no audit on a timer (each test audits when it means to)."""
    with snapshotting_cluster(
        kafka_cluster, cassandra_cluster, snapshot_audit_interval_s=0.0
    ) as running:
        yield running


def first_solver(c: SnapshottingCluster, hunt: str) -> str:
    """The team at the top of the board (it solved first)."""
    board = c.client.get(f"/api/hunts/{hunt}/leaderboard").json()["teams"]
    return str(board[0]["team_id"])


def save_wrong_snapshot(
    snapshots: PartitionSnapshotStore, partition: int, offset: int, hunt: str, team: str
) -> None:
    """Overwrite the snapshot at `offset` with one whose checksum is valid but whose
    state gives `team` WRONG_BY more points, in the decision state and on the board."""
    record = snapshots.load(partition, offset)
    assert record is not None
    body = open_partition(record)
    states = deciders_of(body)
    projector = Projector()
    projections_of(body, projector, states)
    states[hunt].scores.add(team, WRONG_BY)
    boards = next(p for p in projector.projections if isinstance(p, LeaderboardProjection))
    boards._hunts[hunt].live.scores.add(team, WRONG_BY)
    window = window_of(body)
    snapshots.save(
        take_partition(partition, offset, states, projector, record.taken_at, window=window)
    )
    open_partition(snapshots.load(partition, offset) or record)  # it opens cleanly


def replay(c: SnapshottingCluster, partition: int, hunt: str) -> dict[str, Any]:
    """The hunt's state as a replay of its whole partition gives it now."""
    return dump_state(restore_decider(c.config, partition, None, 0).decider.states[hunt])


def audits(result: str) -> float:
    return counter("questline_snapshot_audits_total", result=result)


def start_worker(c: SnapshottingCluster) -> tuple[PartitionWorker, threading.Event]:
    worker = PartitionWorker(
        c.config,
        f"w-{uuid.uuid4().hex[:6]}",
        SystemClock(),
        c.store.commands.find,
        snapshots=c.store.snapshots,
    )
    return worker, c.start(worker.run).stop


def test_a_snapshot_with_wrong_state_is_discarded_and_correct_ones_are_kept(
    cluster: SnapshottingCluster, caplog: pytest.LogCaptureFixture
) -> None:
    c = cluster
    _, stop_worker = start_worker(c)
    c.start(ClusterProjector(c.config, c.store, "p-audit").run)
    hunt, partition = c.create_hunt()
    play(c, hunt, teams=8)
    eventually(lambda: caught_up(c), "the projector to catch up")
    eventually(
        lambda: len(c.store.snapshots.offsets(partition)) >= 2,
        "at least two snapshots of the hunt's partition",
    )
    offsets = c.store.snapshots.offsets(partition)
    replayed = restore_decider(c.config, partition, None, 0).decider.states[hunt]

    # Correct snapshots: every one is audited "ok" and kept.
    ok, discarded = audits("ok"), audits("discarded")
    result = audit_partition(c.config, c.store.snapshots, partition)
    assert result is not None
    assert [(a.offset, a.differences) for a in result.audited] == [(o, ()) for o in offsets[::-1]]
    assert c.store.snapshots.offsets(partition) == offsets
    assert (audits("ok") - ok, audits("discarded") - discarded) == (len(offsets), 0)

    # A wrong one (valid checksum) misleads a restore: that is the gap the audit closes.
    team = first_solver(c, hunt)
    save_wrong_snapshot(c.store.snapshots, partition, offsets[0], hunt, team)
    misled = restore_decider(c.config, partition, c.store.snapshots, 0)
    assert misled.snapshot_offset == offsets[0]
    assert misled.decider.states[hunt].scores.score(team) == replayed.scores.score(team) + WRONG_BY

    ok, discarded = audits("ok"), audits("discarded")
    discarded_total = counter("questline_snapshots_discarded_total")
    with caplog.at_level("WARNING"):
        result = audit_partition(c.config, c.store.snapshots, partition)
    assert result is not None and result.discarded == [offsets[0]]
    assert c.store.snapshots.offsets(partition) == offsets[1:]  # gone; the others kept
    assert (audits("ok") - ok, audits("discarded") - discarded) == (len(offsets) - 1, 1)
    assert counter("questline_snapshots_discarded_total") == discarded_total + 1
    [warning] = [r for r in caplog.records if "differs from a refold" in r.getMessage()]
    message = warning.getMessage()
    assert f"snapshot of partition {partition} at offset {offsets[0]} discarded" in message
    assert f"hunt {hunt}: decision state standings.scores.base.{team}" in message

    # A worker restarted now restores from the next older snapshot: the replayed state.
    stop_worker.set()
    restarted, _ = start_worker(c)
    eventually(lambda: partition in restarted.owned, "the restarted worker to own the partition")
    assert dump_state(restarted.deciders[partition].states[hunt]) == dump_state(replayed)


def test_a_projector_restored_from_a_wrong_snapshot_rebuilds_its_memory_and_heals_the_rows(
    cluster: SnapshottingCluster, caplog: pytest.LogCaptureFixture
) -> None:
    c = cluster
    _, stop_first_worker = start_worker(c)
    first = c.start(ClusterProjector(c.config, c.store, "p-first").run)
    hunt, partition = c.create_hunt()
    play(c, hunt, teams=6)
    eventually(lambda: caught_up(c), "the first projector to catch up")
    eventually(lambda: bool(c.store.snapshots.offsets(partition)), "a snapshot of the partition")
    first.stop.set()
    first.thread.join(30)

    # A buggy projector wrote a wrong snapshot and the matching wrong board row.
    team = first_solver(c, hunt)
    right = c.store.read_models.get("leaderboard_live", hunt, team)
    assert isinstance(right, LeaderboardRow)
    newest = c.store.snapshots.offsets(partition)[0]
    save_wrong_snapshot(c.store.snapshots, partition, newest, hunt, team)
    wrong_row = {**msgspec.to_builtins(right), "score": right.score + WRONG_BY}
    c.store.session.execute(
        "UPDATE rm_rows SET row = %s WHERE hunt_id = %s AND tbl = %s AND key = %s",
        (json.dumps(wrong_row).encode(), hunt, "leaderboard_live", team),
    )
    # A worker that starts now restores from it and decides on the wrong score.
    stop_first_worker.set()
    worker, _ = start_worker(c)
    eventually(lambda: partition in worker.owned, "the new worker to own the partition")
    assert worker.restored_from[partition] == newest
    replayed = restore_decider(c.config, partition, None, 0).decider.states[hunt]
    misled = worker.deciders[partition].states[hunt]
    assert misled.scores.score(team) == replayed.scores.score(team) + WRONG_BY

    # The next projector restores from it, and audits often (its reconciler is off).
    # Its periodic reconciler is off: the heal must come from the rebuild itself.
    audited = msgspec.structs.replace(
        c.config, snapshot_audit_interval_s=0.2, reconcile_interval_s=0.0
    )
    second = ClusterProjector(audited, c.store, "p-second")
    with caplog.at_level("WARNING"):
        c.start(second.run)
        eventually(lambda: second.rebuilds >= 1, "the second projector to rebuild its memory")
        eventually(
            lambda: c.store.read_models.get("leaderboard_live", hunt, team) == right,
            "the board row written from the wrong memory to be healed",
        )
        # The rows are written before the heal is logged: wait for that too.
        eventually(lambda: f"reconciler healed hunt {hunt}" in caplog.text, "the heal to be logged")
        # The audit's restore request reaches the worker: it restores from the log.
        eventually(
            lambda: worker.restored_from.get(partition) != newest,
            "the worker to restore again after the audit",
        )
    assert (
        f"its state of partition {partition} came from the snapshot at offset {newest}, which"
        " an audit discarded" in caplog.text
    )
    # The heal's own events keep coming in: compare with the log as it is at each try.
    eventually(
        lambda: dump_state(worker.deciders[partition].states[hunt]) == replay(c, partition, hunt),
        "the worker to hold the state a full replay gives",
    )
    assert newest not in c.store.snapshots.offsets(partition)
    assert (
        f"its memory of partition {partition} came from or wrote the discarded snapshot(s)"
        f" at {newest}" in caplog.text
    )
    eventually(
        lambda: (
            caught_up(c)
            and dump_state(second.partitions[partition].states[hunt]) == replay(c, partition, hunt)
        ),
        "the rebuilt projector to hold the state a full replay gives",
    )
    assert verify_cluster(c.config, c.store) == []

    # Projecting goes on from the rebuilt memory; its new snapshots are right.
    play(c, hunt, teams=2)
    eventually(lambda: caught_up(c), "the second projector to catch up")
    assert verify_cluster(c.config, c.store) == []
    result = audit_partition(c.config, c.store.snapshots, partition)
    assert result is not None and result.audited and result.discarded == []
    board = c.client.get(f"/api/hunts/{hunt}/leaderboard").json()["teams"]
    assert [t["score"] for t in board][:4] == [150, 125, 110, 100]
