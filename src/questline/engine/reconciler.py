"""Continuous reconciliation: a background thread that re-derives a rolling
sample of hunts from the log, compares them with the stored read models and
heals any drift through the engine (rows replaced in one write transaction
under the writer lock, a ReadModelHealed event appended to the hunt's log).

It also writes snapshots now and then, so a restart replays little, and drives
the photo sweeper (engine/photo_sweep.py): the photo folder keeps only what
committed events refer to. `stats` is a plain object that metrics exporters read.
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from questline.engine.hunt_engine import HuntEngine
from questline.engine.photo_sweep import PhotoSweeper
from questline.engine.verification import Difference
from questline.observability import metrics

log = logging.getLogger(__name__)


@dataclass
class ReconcilerStats:
    rounds: int = 0
    hunts_checked: int = 0
    hunts_healed: int = 0
    rows_healed: int = 0  # distinct (table, hunt, key) rows replaced because they differed
    differences_found: int = 0  # differing fields (a missing row counts once)
    snapshots_written: int = 0
    errors: int = 0
    last_error: str | None = None
    last_healed: str | None = None  # "hunt: table, table"
    last_round_at: float | None = None  # time.time() of the last finished round
    healed_by_table: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class HuntCheck:
    hunt_id: str
    differences: list[Difference]

    @property
    def healed(self) -> bool:
        return bool(self.differences)

    @property
    def rows(self) -> int:
        return len({(d.table, d.hunt_id, d.key) for d in self.differences})


class Reconciler:
    def __init__(
        self,
        engine: HuntEngine,
        *,
        interval: float = 5.0,
        hunts_per_round: int = 4,
        snapshot_interval: float = 60.0,
        photo_sweeper: PhotoSweeper | None = None,
    ) -> None:
        self.engine = engine
        self.photo_sweeper = photo_sweeper
        self.interval = interval
        self.hunts_per_round = hunts_per_round
        self.snapshot_interval = snapshot_interval
        self.stats = ReconcilerStats()
        self._cursor = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_snapshot = time.monotonic()

    # -- on demand ----------------------------------------------------------

    def check(self, hunt_id: str) -> HuntCheck:
        """Compare one hunt with a replay of its log; heal it if they differ."""
        differences = self.engine.reconcile_hunt(hunt_id)
        result = HuntCheck(hunt_id, differences)
        stats = self.stats
        stats.hunts_checked += 1
        metrics.RECONCILE_CHECKS.inc()
        if differences:
            tables = sorted({d.table for d in differences})
            stats.hunts_healed += 1
            stats.rows_healed += result.rows
            stats.differences_found += len(differences)
            stats.last_healed = f"{hunt_id}: {', '.join(tables)}"
            for table in tables:
                stats.healed_by_table[table] = stats.healed_by_table.get(table, 0) + 1
            for table, _, _ in {(d.table, d.hunt_id, d.key) for d in differences}:
                metrics.HEALED_ROWS.labels(table).inc()
            log.warning(
                "reconciler healed hunt %s: %d row(s) in %s differed from a replay of the log"
                " (first: %s)",
                hunt_id,
                result.rows,
                ", ".join(tables),
                differences[0].describe(),
            )
        return result

    def run_round(self) -> list[HuntCheck]:
        """Check the next `hunts_per_round` hunts (rolling over all hunts in turn)."""
        hunts = sorted(set(self.engine.store.events.hunt_ids()))
        checks: list[HuntCheck] = []
        if hunts:
            count = min(self.hunts_per_round, len(hunts))
            for step in range(count):
                hunt_id = hunts[(self._cursor + step) % len(hunts)]
                if self._stop.is_set():
                    break
                checks.append(self.check(hunt_id))
            self._cursor = (self._cursor + count) % len(hunts)
        self.stats.rounds += 1
        self.stats.last_round_at = time.time()
        return checks

    def maybe_snapshot(self) -> None:
        if self.engine.snapshots is None:
            return
        if time.monotonic() - self._last_snapshot < self.snapshot_interval:
            return
        self._last_snapshot = time.monotonic()
        written = self.engine.take_snapshots(every=self.engine.snapshot_every)
        self.stats.snapshots_written += written
        metrics.SNAPSHOTS_WRITTEN.inc(written)

    # -- in the background -------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="questline-reconciler", daemon=True)
        self._thread.start()
        log.info("reconciler started: %d hunt(s) every %.1f s", self.hunts_per_round, self.interval)

    def stop(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        thread.join()
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_round()
                self.maybe_snapshot()
            except Exception as error:  # keep reconciling; the next round may succeed
                self._failed(error, "reconciliation round failed")
            if self.photo_sweeper is not None:
                try:
                    self.photo_sweeper.maybe_sweep()
                except Exception as error:  # the photos wait for the next sweep
                    self._failed(error, "photo sweep failed")

    def _failed(self, error: Exception, what: str) -> None:
        self.stats.errors += 1
        metrics.RECONCILE_ERRORS.inc()
        self.stats.last_error = f"{type(error).__name__}: {error}"
        log.exception(what)
