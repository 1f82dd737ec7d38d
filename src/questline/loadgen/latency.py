"""Latency and outcome counts of a load run, with percentiles over a sliding window."""

import bisect
import time
from collections import Counter, deque
from dataclasses import dataclass, field


@dataclass
class LatencyRecorder:
    window_seconds: float = 10.0
    samples: deque[tuple[float, float]] = field(default_factory=deque)  # (done at, latency s)
    statuses: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    completed: int = 0
    all_latencies: list[float] = field(default_factory=list)
    keep_all: bool = False
    # With keep_all: each status's latencies (admitted answers apart from refusals).
    by_status: dict[str, list[float]] = field(default_factory=dict)

    def record(self, latency: float, status: str, done_at: float | None = None) -> None:
        now = time.monotonic() if done_at is None else done_at
        self.completed += 1
        self.statuses[status] += 1
        self.samples.append((now, latency))
        if self.keep_all:
            self.all_latencies.append(latency)
            self.by_status.setdefault(status, []).append(latency)
        cutoff = now - self.window_seconds
        while self.samples and self.samples[0][0] < cutoff:
            self.samples.popleft()

    def rate(self) -> float:
        """Completions per second over the window."""
        if len(self.samples) < 2:
            return 0.0
        span = self.samples[-1][0] - self.samples[0][0]
        return len(self.samples) / span if span > 0 else 0.0

    def percentiles(self, *ps: float) -> list[float]:
        values = sorted(latency for _, latency in self.samples)
        return [percentile(values, p) for p in ps]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def insert_sorted(values: list[float], value: float) -> None:
    bisect.insort(values, value)
