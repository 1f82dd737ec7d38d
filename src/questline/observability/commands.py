"""Instrumenting the command path: the writer's batches, each command's outcome,
each committed event (a metric by type and one log line, with its correlation id)."""

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from questline.domain.events import RecordedEvent
from questline.observability import event_lines, metrics
from questline.observability.logs import fields, get_logger, write_lines
from questline.ports import (
    CommandEnvelope,
    CommandLog,
    EventLog,
    Outcome,
    ReadModelStore,
    Store,
    TokenStore,
    UnitOfWork,
    VersionConflict,
)

LOGGER = "questline.engine"
log = get_logger(LOGGER)

EMBEDDED_PARTITION = "0"


def command_type(envelope: CommandEnvelope) -> str:
    tag = envelope.command.__struct_config__.tag
    return tag if isinstance(tag, str) else type(envelope.command).__name__


def outcome_label(outcome: Outcome) -> str:
    if outcome.replayed:
        return "replayed"
    return "accepted" if outcome.accepted else "rejected"


@dataclass
class HuntActivity:
    """Events per hunt over the last minutes, in memory, for the operator dashboard only:
    per-hunt numbers never become metric labels (their number is unbounded)."""

    bucket_seconds: int = 10
    buckets_kept: int = 6
    max_hunts: int = 1000
    _hunts: "OrderedDict[str, tuple[int, deque[list[int]]]]" = field(default_factory=OrderedDict)
    _last_time: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, hunt_id: str, count: int = 1, now: float | None = None) -> None:
        now = time.time() if now is None else now
        bucket = int(now) // self.bucket_seconds
        with self._lock:
            total, recent = self._hunts.pop(hunt_id, (0, deque()))
            if recent and recent[-1][0] == bucket:
                recent[-1][1] += count
            else:
                recent.append([bucket, count])
            while recent and recent[0][0] <= bucket - self.buckets_kept:
                recent.popleft()
            self._hunts[hunt_id] = (total + count, recent)
            self._last_time[hunt_id] = now
            while len(self._hunts) > self.max_hunts:
                oldest, _ = self._hunts.popitem(last=False)
                self._last_time.pop(oldest, None)

    def top(self, limit: int = 10, now: float | None = None) -> list[dict[str, Any]]:
        now = time.time() if now is None else now
        first = int(now) // self.bucket_seconds - self.buckets_kept + 1
        window = self.bucket_seconds * self.buckets_kept
        rows: list[dict[str, Any]] = []
        with self._lock:
            for hunt_id, (total, recent) in self._hunts.items():
                recent_count = sum(n for b, n in recent if b >= first)
                rows.append(
                    {
                        "hunt_id": hunt_id,
                        "events_per_minute": round(recent_count * 60 / window, 1),
                        "events_total": total,
                        "last_event_at": self._last_time.get(hunt_id, 0.0),
                    }
                )
        rows.sort(key=lambda r: (-float(r["events_per_minute"]), -float(r["last_event_at"])))
        return rows[:limit]

    def clear(self) -> None:
        with self._lock:
            self._hunts.clear()
            self._last_time.clear()


ACTIVITY = HuntActivity()


def observe_submitted(depth: int) -> None:
    metrics.QUEUE_DEPTH.set(depth)


def observe_batch(
    batch: Sequence[tuple[CommandEnvelope, float]],
    outcomes: Sequence[Outcome],
    *,
    execute_seconds: float,
    commit_seconds: float | None,
    acknowledged_at: float,
    depth: int,
) -> None:
    """After a committed batch, on the writer thread: metrics, then one line per event."""
    metrics.BATCH_SIZE.observe(len(batch))
    metrics.QUEUE_DEPTH.set(depth)
    if commit_seconds is not None:
        metrics.BATCH_COMMIT.observe(commit_seconds)
        metrics.BATCH_DECIDE.observe(max(execute_seconds - commit_seconds, 0.0))
    else:
        metrics.BATCH_DECIDE.observe(execute_seconds)
    committed: list[tuple[RecordedEvent, str | None]] = []
    for (envelope, accepted_at), outcome in zip(batch, outcomes, strict=True):
        kind = command_type(envelope)
        label = outcome_label(outcome)
        metrics.COMMANDS.labels(kind, label).inc()
        metrics.COMMAND_DURATION.labels(kind).observe(acknowledged_at - accepted_at)
        if outcome.replayed:
            metrics.REPLAYS.inc()
        rejection = outcome.rejection
        if rejection is not None:
            metrics.REJECTIONS.labels(rejection.code).inc()
            if rejection.status == 429:
                metrics.RATE_LIMITED.inc()
            log.info(
                "command refused",
                **fields(
                    {
                        "event.action": "command-refused",
                        "event.outcome": "failure",
                        "trace.id": envelope.correlation_id,
                        "questline.command": kind,
                        "questline.command_id": envelope.command_id,
                        "questline.hunt_id": getattr(envelope.command, "hunt_id", None),
                        "questline.team_id": getattr(envelope.command, "team_id", None),
                        "questline.error_code": rejection.code,
                        "http.response.status_code": rejection.status,
                    }
                ),
            )
        if not outcome.replayed:
            for recorded in outcome.events:
                metrics.EVENTS.labels(recorded.type).inc()
                ACTIVITY.record(recorded.hunt_id)
                committed.append((recorded, kind))
    log_events(committed)
    metrics.PROJECTION_LAG.labels(EMBEDDED_PARTITION).set(0)


def log_events(
    events: Sequence[tuple[RecordedEvent, str | None]], *, projected: bool = True
) -> None:
    """One line per committed event (with the type of the command that made it),
    written together where the logging allows it (logs.write_lines)."""
    if event_lines.write(LOGGER, events, projected):
        return
    lines = [event_line(recorded, command, projected) for recorded, command in events]
    if not write_lines(LOGGER, lines):
        for message, values in lines:
            log.info(message, **values)


def log_event(
    recorded: RecordedEvent, command: str | None = None, *, projected: bool = True
) -> None:
    """One line per committed event. Embedded: the read models applied it in the same
    transaction, so the line says so (`questline.projected`); a cluster worker logs its
    events with `projected=False` (a projector applies them later)."""
    message, values = event_line(recorded, command, projected)
    log.info(message, **values)


def event_line(
    recorded: RecordedEvent, command: str | None, projected: bool
) -> tuple[str, dict[str, Any]]:
    return (
        "event committed and projected" if projected else "event committed",
        fields(
            {
                "event.action": "event-committed",
                "event.kind": "event",
                "trace.id": recorded.correlation_id,
                "questline.hunt_id": recorded.hunt_id,
                "questline.hunt_version": recorded.version,
                "questline.event_type": recorded.type,
                "questline.position": recorded.position or None,  # 0: not known yet
                "questline.team_id": getattr(recorded.event, "team_id", None),
                "questline.command_id": recorded.command_id,
                "questline.command": command,
                "questline.projected": projected,
            }
        ),
    )


def observe_unwritable(envelope: CommandEnvelope, error: BaseException) -> None:
    """Once per command set aside as unwritable (not once per split of its batch)."""
    metrics.UNWRITABLE_COMMANDS.inc()
    log.error(
        "command cannot be written: refused alone, the rest of its batch committed",
        **fields(
            {
                "event.action": "command-unwritable",
                "event.outcome": "failure",
                "trace.id": envelope.correlation_id,
                "questline.command": command_type(envelope),
                "questline.command_id": envelope.command_id,
                "questline.hunt_id": getattr(envelope.command, "hunt_id", None),
                "error.type": type(error).__name__,
                "error.message": str(error)[:500],
            }
        ),
    )


def observe_batch_failed(batch: Sequence[tuple[CommandEnvelope, float]], error: Exception) -> None:
    metrics.COMMIT_FAILURES.inc()
    for envelope, _ in batch:
        metrics.COMMANDS.labels(command_type(envelope), "failed").inc()
    log.error(
        "batch not committed",
        **{
            "event.action": "commit-failed",
            "event.outcome": "failure",
            "error.type": type(error).__name__,
            "error.message": str(error),
            "questline.batch_commands": len(batch),
            "questline.correlation_ids": sorted({e.correlation_id for e, _ in batch})[:20],
        },
    )


class TimedStore:
    """A Store whose write transactions are timed (commit time) and whose version
    conflicts are counted; everything else goes to the store it wraps."""

    def __init__(self, store: Store) -> None:
        self.inner = store
        self.spent = 0.0  # transaction seconds since the last take_spent()

    @property
    def events(self) -> EventLog:
        return self.inner.events

    @property
    def commands(self) -> CommandLog:
        return self.inner.commands

    @property
    def read_models(self) -> ReadModelStore:
        return self.inner.read_models

    @property
    def tokens(self) -> TokenStore:
        return self.inner.tokens

    def transaction(self) -> AbstractContextManager[UnitOfWork]:
        return self._timed()

    @contextmanager
    def _timed(self) -> Iterator[UnitOfWork]:
        started = time.perf_counter()
        try:
            with self.inner.transaction() as uow:
                yield uow
        except VersionConflict:
            metrics.CONFLICTS.inc()
            raise
        finally:
            self.spent += time.perf_counter() - started

    def take_spent(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def take_commit_seconds(store: object) -> float | None:
    return store.take_spent() if isinstance(store, TimedStore) else None
