"""An API node's readiness in the cluster shape.

Checked on a background thread every `interval_s` (never on the request path: a broker
that does not answer must not stall the event loop) and cached:

- Kafka reachable: a metadata call for the events topic within `timeout_s`, then its
  high watermarks (read committed);
- Cassandra reachable: a cheap query (`system.local`);
- projections caught up: per events partition, the high watermark minus how far the
  projectors got (the larger of the checkpoint and the read-to mark, both in Cassandra)
  is at most `max_projection_lag`.

`reasons()` adds a live check of the command bus (its replies consumer running) and
says so when the cached checks have gone stale.
"""

import os
import threading
import time
from typing import Protocol

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.errors import KafkaUnavailable
from questline.adapters.kafka.log_ends import LogEnds
from questline.cluster.config import ClusterConfig
from questline.observability.logs import get_logger

MAX_PROJECTION_LAG_ENV = "QUESTLINE_MAX_PROJECTION_LAG"
DEFAULT_MAX_PROJECTION_LAG = 1000
DEFAULT_INTERVAL_S = 3.0
DEFAULT_TIMEOUT_S = 2.0

log = get_logger("questline.readiness")


class Running(Protocol):
    @property
    def running(self) -> bool: ...


def max_projection_lag_from_env() -> int:
    raw = os.environ.get(MAX_PROJECTION_LAG_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_PROJECTION_LAG
    try:
        return max(int(raw), 0)
    except ValueError:
        log.warning(
            f"{MAX_PROJECTION_LAG_ENV}={raw!r} is not a number; using {DEFAULT_MAX_PROJECTION_LAG}"
        )
        return DEFAULT_MAX_PROJECTION_LAG


class ClusterReadiness:
    def __init__(
        self,
        config: ClusterConfig,
        store: CassandraStore,
        bus: Running,
        *,
        max_projection_lag: int | None = None,
        interval_s: float = DEFAULT_INTERVAL_S,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.config = config
        self.store = store
        self.bus = bus
        self.max_projection_lag = (
            max_projection_lag if max_projection_lag is not None else max_projection_lag_from_env()
        )
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        # The Cassandra driver's own request timeout bounds the slowest check.
        self.stale_after_s = 3 * interval_s + 4 * timeout_s + 15.0
        self._reasons: list[str] = ["readiness not checked yet"]
        self._lag: dict[int, int] = {}
        self._checked_at: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="questline-readiness", daemon=True)
        self._ends = LogEnds(config.kafka, timeout_s=timeout_s, purpose="ready")

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Check once now (so a node is ready as soon as it can be), then keep checking."""
        self.check()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.interval_s + 4 * self.timeout_s + 15.0)
        self._ends.close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.check()

    # -- what the API asks --------------------------------------------------------------

    def reasons(self) -> list[str]:
        """Why this node is not ready (empty: ready). Cheap: the cached checks, plus the
        command bus looked at now."""
        with self._lock:
            reasons = list(self._reasons)
            checked_at = self._checked_at
        if not self.bus.running:
            reasons.insert(0, "Kafka: the command bus (replies consumer) is not running")
        if checked_at is not None and time.monotonic() - checked_at > self.stale_after_s:
            age = time.monotonic() - checked_at
            reasons.append(f"readiness checks have not completed for {age:.0f} s")
        return reasons

    def lag(self) -> dict[int, int]:
        """Events each partition's read models are behind the log, as last checked."""
        with self._lock:
            return dict(self._lag)

    # -- the checks -----------------------------------------------------------------------

    def check(self) -> list[str]:
        """Run every check now and cache the result."""
        reasons: list[str] = []
        lag: dict[int, int] = {}
        highs = self._high_watermarks(reasons)
        if self._cassandra_reachable(reasons) and highs is not None:
            try:
                read_models = self.store.read_models
                for partition, high in highs.items():
                    applied = max(read_models.read_to(partition), read_models.checkpoint(partition))
                    lag[partition] = max(high - applied, 0)
            except Exception as error:
                reasons.append(f"Cassandra: projection offsets cannot be read: {error}")
        behind = {p: n for p, n in sorted(lag.items()) if n > self.max_projection_lag}
        if behind:
            detail = ", ".join(f"partition {p}: {n}" for p, n in behind.items())
            reasons.append(
                f"read models are behind the log by more than {self.max_projection_lag} "
                f"events ({detail})"
            )
        with self._lock:
            changed = reasons != self._reasons
            self._reasons = reasons
            if highs is not None:
                self._lag = lag
            self._checked_at = time.monotonic()
        if changed:
            log.info(
                "ready" if not reasons else "not ready",
                **{"event.action": "readiness-changed", "questline.reasons": reasons},
            )
        return reasons

    def _high_watermarks(self, reasons: list[str]) -> dict[int, int] | None:
        try:
            return self._ends.events(check_topic=True)
        except KafkaUnavailable as error:
            reasons.append(str(error))
            return None

    def _cassandra_reachable(self, reasons: list[str]) -> bool:
        try:
            self.store.session.execute(
                "SELECT release_version FROM system.local", timeout=self.timeout_s
            )
            return True
        except Exception as error:
            reasons.append(f"Cassandra is not reachable: {error or type(error).__name__}")
            return False
