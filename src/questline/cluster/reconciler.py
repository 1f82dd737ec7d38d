"""Continuous reconciliation in the cluster, inside each projector.

A projector's memory is a fold of the log up to its checkpoint, and it is the
only writer of its partitions' rows. So between two batches (in the
projector's own thread: nothing moves meanwhile) the reconciler takes the next
hunt of the partitions it owns, in turn, and compares every row memory holds
for it with what Cassandra holds. On a difference it replaces the hunt's rows
(stamped past the wall clock, so hand edits lose), counts and logs the heal,
and sends a `RecordHeal` command per differing table, so the worker puts a
`read_model_healed` event in the hunt's log. The audit feed is append-only and
in no projection's state: `questline verify --cluster` covers it.
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from questline.adapters.cassandra.store import CassandraStore
from questline.cluster.config import ClusterConfig
from questline.cluster.partition_projection import PartitionProjection
from questline.domain.commands import RecordHeal
from questline.domain.projections.rows import TABLES, Changes, LeaderboardRow
from questline.engine.memory_rows import rows_in_memory
from questline.engine.verification import Difference, hunt_differences
from questline.observability import metrics
from questline.ports import CommandEnvelope


class CommandSender(Protocol):
    """Where a heal's record goes: a command for the partition's worker."""

    def send_command(self, envelope: CommandEnvelope, partition: int) -> None: ...


log = logging.getLogger(__name__)

CHECKED_TABLES = tuple(t for t in TABLES if t != "audit")


@dataclass
class ClusterReconcilerStats:
    hunts_checked: int = 0
    hunts_healed: int = 0
    rows_healed: int = 0
    errors: int = 0
    last_healed: str | None = None


class ClusterReconciler:
    def __init__(
        self,
        config: ClusterConfig,
        store: CassandraStore,
        commands: CommandSender,
        *,
        interval_s: float,
    ) -> None:
        self.config = config
        self.store = store
        self.commands = commands
        self.interval_s = interval_s
        self.stats = ClusterReconcilerStats()
        self._checking = threading.Lock()  # held by a check, or by `held()`
        self._cursor = 0
        self._next = time.monotonic() + interval_s

    def maybe_run(self, partitions: Mapping[int, PartitionProjection]) -> None:
        """Check the next hunt if one is due; errors are counted, never raised (the
        projector must keep projecting)."""
        if time.monotonic() < self._next:
            return
        if not self._checking.acquire(blocking=False):
            return  # held: try at the next interval
        try:
            self._run_once(partitions)
        finally:
            self._checking.release()

    @contextmanager
    def held(self) -> Iterator[None]:
        """No check runs inside this block (one running is waited for): for changing
        several rows by hand that a check must see all or none of."""
        with self._checking:
            yield

    def _run_once(self, partitions: Mapping[int, PartitionProjection]) -> None:
        self._next = time.monotonic() + self.interval_s
        # Only partitions whose memory is at the stored checkpoint: one still folding
        # its way up to it would "heal" rows back to an older state.
        hunts = sorted(
            (p, h)
            for p, state in partitions.items()
            if state.position == state.checkpoint
            for h in state.states
        )
        if not hunts:
            return
        partition, hunt_id = hunts[self._cursor % len(hunts)]
        self._cursor += 1
        try:
            self.check(partitions[partition], hunt_id)
        except Exception as error:  # Cassandra or Kafka trouble: the next round retries
            self.stats.errors += 1
            metrics.RECONCILE_ERRORS.inc()
            log.warning("reconciling hunt %s failed: %s", hunt_id, error)

    def check(self, state: PartitionProjection, hunt_id: str) -> list[Difference]:
        """Compare one hunt's stored rows with memory; heal them if they differ."""
        expected = rows_in_memory(state.projector, hunt_id)
        read_models = self.store.read_models
        differences = hunt_differences(read_models, hunt_id, expected, CHECKED_TABLES)
        self.stats.hunts_checked += 1
        metrics.RECONCILE_CHECKS.inc()
        if differences:
            self._heal(state, hunt_id, expected, differences)
        return differences

    def _heal(
        self,
        state: PartitionProjection,
        hunt_id: str,
        expected: Changes,
        differences: list[Difference],
    ) -> None:
        read_models = self.store.read_models
        audit: Changes = {
            ("audit", hunt, key): row for hunt, key, row in read_models.rows("audit", hunt_id)
        }
        # Guarded by this projector's epoch: a zombie's memory is stale, its heal is refused.
        read_models.replace_hunt(hunt_id, {**expected, **audit}, state.partition, state.epoch)
        # The rank index was rebuilt from these rows: they are what is stored now.
        for key in [k for k in state.previous_ranks if k[1] == hunt_id]:
            del state.previous_ranks[key]
        for key, row in expected.items():
            if isinstance(row, LeaderboardRow):
                state.previous_ranks[key] = row
        per_table: dict[str, set[str]] = {}
        for d in differences:
            per_table.setdefault(d.table, set()).add(d.key)
        for table, keys in sorted(per_table.items()):
            metrics.HEALED_ROWS.labels(table).inc(len(keys))
            self._record(state.partition, hunt_id, table, len(keys))
        rows = sum(len(keys) for keys in per_table.values())
        self.stats.hunts_healed += 1
        self.stats.rows_healed += rows
        self.stats.last_healed = f"{hunt_id}: {', '.join(sorted(per_table))}"
        log.warning(
            "reconciler healed hunt %s: %d row(s) in %s differed from the log's fold (first: %s)",
            hunt_id,
            rows,
            ", ".join(sorted(per_table)),
            differences[0].describe(),
        )

    def _record(self, partition: int, hunt_id: str, table: str, rows: int) -> None:
        envelope = CommandEnvelope(
            command_id=f"reconcile-{uuid.uuid4().hex}",
            command=RecordHeal(hunt_id, table, rows),
            remember=False,
        )
        self.commands.send_command(envelope, partition)
