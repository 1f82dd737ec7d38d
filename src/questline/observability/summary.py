"""The operator dashboard's numbers, computed from the metrics this process serves
on /metrics (all processes' in multi-process mode): rates and latency percentiles
over the last seconds, from the difference between two readings of the counters,
and the same over the last 15 minutes (so the tiles say what happened after
traffic stops, instead of 0)."""

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from questline.observability import metrics
from questline.observability.commands import ACTIVITY

Labels = tuple[tuple[str, str], ...]
Values = dict[str, dict[Labels, float]]

WINDOW_SECONDS = 15.0
RECENT_SECONDS = 15 * 60.0
SAMPLE_SECONDS = 30.0  # one reading kept per half minute for the 15-minute window


def read_values() -> Values:
    """Every questline_* sample now: {sample name: {labels: value}}."""
    metrics.refresh()
    values: Values = {}
    for family in metrics.exposition_registry().collect():
        if not family.name.startswith("questline_"):
            continue
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            labels = tuple(sorted(sample.labels.items()))
            values.setdefault(sample.name, {})[labels] = sample.value
    return values


def total(values: Values, name: str, **match: str) -> float:
    return sum(
        value
        for labels, value in values.get(name, {}).items()
        if all(dict(labels).get(k) == v for k, v in match.items())
    )


def by_label(values: Values, name: str, label: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for labels, value in values.get(name, {}).items():
        key = dict(labels).get(label, "")
        out[key] = out.get(key, 0.0) + value
    return out


def buckets(values: Values, histogram: str, **match: str) -> list[tuple[float, float]]:
    """Cumulative (upper bound, count) pairs of a histogram, summed over other labels."""
    sums: dict[float, float] = {}
    for labels, value in values.get(f"{histogram}_bucket", {}).items():
        named = dict(labels)
        if not all(named.get(k) == v for k, v in match.items()):
            continue
        bound = float(named["le"])
        sums[bound] = sums.get(bound, 0.0) + value
    return sorted(sums.items())


def quantile(q: float, cumulative: list[tuple[float, float]]) -> float | None:
    """Prometheus' histogram_quantile: linear inside the bucket the rank falls in."""
    if not cumulative or cumulative[-1][1] <= 0:
        return None
    count = cumulative[-1][1]
    rank = q * count
    lower_bound, lower_count = 0.0, 0.0
    for bound, cumulative_count in cumulative:
        if cumulative_count >= rank:
            if math.isinf(bound):
                return lower_bound
            span = cumulative_count - lower_count
            if span <= 0:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / span
        lower_bound, lower_count = bound, cumulative_count
    return lower_bound


def _delta_buckets(
    now: list[tuple[float, float]], before: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    old = dict(before)
    return [(bound, count - old.get(bound, 0.0)) for bound, count in now]


@dataclass
class SummaryHistory:
    """Readings kept for a minute (every summary compares now with ~15 s ago) and one
    per half minute for 15 minutes. Counters start at zero with the process, so before
    any reading the start itself is a reading of zeros. Once asked for a summary, a
    daemon thread takes a reading every half minute (`sample=True`), so the 15-minute
    figures are there even when no dashboard was open."""

    started: float = field(default_factory=time.time)
    readings: deque[tuple[float, Values]] = field(default_factory=deque)
    sparse: deque[tuple[float, Values]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sample: bool = False
    _sampler: threading.Thread | None = None

    def reading(self, now: float, values: Values) -> tuple[float, Values]:
        """The reading to compare with (the oldest within the window), after adding now's."""
        with self.lock:
            self._keep(now, values)
            previous = list(self.readings)[:-1]
            within = [r for r in previous if now - WINDOW_SECONDS <= r[0] < now]
            if within:
                return within[0]
            if previous:
                return previous[-1]
            sampled = [r for r in self.sparse if r[0] < now]
            if sampled:  # nobody asked for a minute: the sampler's last reading
                return sampled[-1]
            return self.started, {}

    def recent(self, now: float) -> tuple[float, Values]:
        """The reading to compare with for the last 15 minutes: the newest at least 15
        minutes old, else the oldest kept, else the process start (all zeros)."""
        with self.lock:
            older = [r for r in self.sparse if r[0] <= now - RECENT_SECONDS]
            if older:
                return older[-1]
            if now - self.started <= RECENT_SECONDS or not self.sparse:
                return self.started, {}
            return self.sparse[0]

    def _keep(self, now: float, values: Values) -> None:
        self.readings.append((now, values))
        while len(self.readings) > 1 and self.readings[0][0] < now - 60:
            self.readings.popleft()
        if not self.sparse or now - self.sparse[-1][0] >= SAMPLE_SECONDS:
            self.sparse.append((now, values))
        while len(self.sparse) > 1 and self.sparse[1][0] <= now - RECENT_SECONDS:
            self.sparse.popleft()

    def keep_sampling(self) -> None:
        if not self.sample or self._sampler is not None:
            return
        self._sampler = threading.Thread(
            target=self._sample, name="ops-summary-sampler", daemon=True
        )
        self._sampler.start()

    def _sample(self) -> None:
        while True:
            time.sleep(SAMPLE_SECONDS)
            try:
                values = read_values()
            except Exception:  # a reading that fails now is taken again next time
                continue
            with self.lock:
                self._keep(time.time(), values)


HISTORY = SummaryHistory(sample=True)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def _percentiles(now: Values, before: Values, histogram: str) -> dict[str, float | None]:
    window = _delta_buckets(buckets(now, histogram), buckets(before, histogram))
    return {
        "p50": _ms(quantile(0.5, window)),
        "p95": _ms(quantile(0.95, window)),
        "p99": _ms(quantile(0.99, window)),
        "count": window[-1][1] if window else 0,
    }


def _window(now: Values, before: Values, seconds: float) -> dict[str, Any]:
    """What happened between two readings `seconds` apart: counts, rates, percentiles."""

    def count(name: str) -> float:
        return max(total(now, name) - total(before, name), 0)

    requests = count("questline_http_request_duration_seconds_count")
    errors_now = by_label(now, "questline_http_errors_total", "kind")
    errors_before = by_label(before, "questline_http_errors_total", "kind")
    server_errors = max(errors_now.get("server_error", 0) - errors_before.get("server_error", 0), 0)
    client_errors = max(errors_now.get("client_error", 0) - errors_before.get("client_error", 0), 0)
    commands = count("questline_commands_total")
    events = count("questline_events_total")
    return {
        "window_seconds": round(seconds, 1),
        "requests": int(requests),
        "commands": int(commands),
        "events": int(events),
        "requests_per_second": round(requests / seconds, 2),
        "commands_per_second": round(commands / seconds, 2),
        "events_per_second": round(events / seconds, 2),
        "errors": int(server_errors + client_errors),
        "server_errors": int(server_errors),
        "error_rate": round((server_errors + client_errors) / requests, 4) if requests else 0.0,
        "server_error_rate": round(server_errors / requests, 4) if requests else 0.0,
        "http": _percentiles(now, before, "questline_http_request_duration_seconds"),
        "command": _percentiles(now, before, "questline_command_duration_seconds"),
    }


def summarize(history: SummaryHistory = HISTORY, now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    history.keep_sampling()
    values = read_values()
    then, before = history.reading(now, values)
    seconds = max(now - then, 1e-6)
    since, long_before = history.recent(now)
    recent = _window(values, long_before, max(now - since, 1e-6))

    def rate(name: str, **match: str) -> float:
        return round(
            max(total(values, name, **match) - total(before, name, **match), 0) / seconds, 2
        )

    window = _window(values, before, seconds)
    codes_now = by_label(values, "questline_http_errors_total", "code")
    events_now = by_label(values, "questline_events_total", "type")
    events_before = by_label(before, "questline_events_total", "type")
    lag = [
        {"partition": dict(labels).get("partition", ""), "events": int(value)}
        for labels, value in sorted(values.get("questline_projection_lag_events", {}).items())
    ]
    consumer_lag = [
        {
            "group": dict(labels).get("group", ""),
            "partition": dict(labels).get("partition", ""),
            "messages": int(value),
        }
        for labels, value in sorted(values.get("questline_consumer_lag_messages", {}).items())
    ]
    last_verify = total(values, "questline_verify_last_run_timestamp_seconds")
    drift = int(total(values, "questline_drift_differences"))
    progress = by_label(values, "questline_verify_progress_ratio", "operation")
    return {
        "generated_at": now,
        "window_seconds": round(seconds, 1),
        "uptime_seconds": round(now - history.started, 1),
        "ready": total(values, "questline_ready") >= 1,
        "throughput": {
            "requests_per_second": window["requests_per_second"],
            "commands_per_second": rate("questline_commands_total"),
            "events_per_second": rate("questline_events_total"),
            "events_by_type": {
                kind: round(max(count - events_before.get(kind, 0), 0) / seconds, 2)
                for kind, count in sorted(events_now.items())
            },
        },
        "latency_ms": {
            "http": window["http"],
            "command": window["command"],
            "commit": _percentiles(values, before, "questline_batch_commit_seconds"),
        },
        "errors": {
            "error_rate": window["error_rate"],
            "server_error_rate": window["server_error_rate"],
            "server_errors_per_second": round(window["server_errors"] / seconds, 2),
            "client_errors_per_second": round(
                (window["errors"] - window["server_errors"]) / seconds, 2
            ),
            "commit_failures": int(total(values, "questline_commit_failures_total")),
            "by_code": {code: int(n) for code, n in sorted(codes_now.items())},
        },
        # The same figures over the last 15 minutes (or since the process started, when
        # that is shorter: window_seconds says over how long).
        "last_15_minutes": recent,
        "commands": {
            "queue_depth": int(total(values, "questline_command_queue_depth")),
            "conflicts": int(total(values, "questline_version_conflicts_total")),
            "idempotent_replays": int(total(values, "questline_idempotent_replays_total")),
            "rate_limited": int(total(values, "questline_rate_limited_total")),
            "batch_size_mean": _mean(values, "questline_batch_commands"),
        },
        "lag": {"projections": lag, "consumers": consumer_lag},
        "dead_letters": {
            "depth": int(total(values, "questline_dead_letter_depth")),
            "total": int(total(values, "questline_dead_letters_total")),
        },
        "drift": {
            "status": "unknown" if not last_verify else ("drift" if drift else "clean"),
            "differences": drift,
            "checked_at": last_verify or None,
            "progress": {k: round(v, 3) for k, v in progress.items()},
        },
        "hunts": ACTIVITY.top(10, now),
    }


def _mean(values: Values, histogram: str) -> float | None:
    count = total(values, f"{histogram}_count")
    return round(total(values, f"{histogram}_sum") / count, 1) if count else None
