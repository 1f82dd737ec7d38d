"""Instrumenting the cluster's partition workers and projectors.

Cheap on the hot loops: counters and histograms per committed transaction or
projected batch, lag gauges sampled at most once per `LAG_INTERVAL_S` from the
consumer's cached watermarks and local positions (no broker round trip, except a
one-off committed-offsets fetch for a partition the worker has not consumed yet).
Log lines: partition assignment and revocation, one line per committed transaction
and partition, one per committed event (the event-line helper, with the event's
correlation id), one per projected batch, one per dead letter.
"""

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from prometheus_client import Gauge

from questline.domain.events import RecordedEvent
from questline.observability import metrics
from questline.observability.commands import command_type, log_events
from questline.observability.logs import fields, get_logger
from questline.ports import CommandEnvelope

ROLE_WORKER = "worker"
ROLE_PROJECTOR = "projector"
# The `group` label of questline_consumer_lag_messages (the alert rules use these).
GROUP_WORKERS = "workers"
GROUP_PROJECTORS = "projectors"

LAG_INTERVAL_S = 1.0
MAX_CORRELATION_IDS = 20  # per log line: enough to follow requests, bounded in size

log = get_logger("questline.cluster")


def correlation_fields(correlation_ids: Iterable[str]) -> dict[str, Any]:
    """`questline.correlation_ids` (the first few, sorted), and `trace.id` when there is
    exactly one, so a filter on `trace.id` finds the line."""
    distinct = sorted({c for c in correlation_ids if c})
    values: dict[str, Any] = {"questline.correlation_ids": distinct[:MAX_CORRELATION_IDS]}
    if len(distinct) == 1:
        values["trace.id"] = distinct[0]
    return values


def _forget_series(gauge: Gauge, *labels: str) -> None:
    """Drop a gauge's series for a partition this process no longer owns. Multi-process
    files cannot drop a series: there it reads 0 (the owner's value wins under max)."""
    if metrics.multiprocess_mode():
        gauge.labels(*labels).set(0)
    else:
        gauge.remove(*labels)


class Offsets(Protocol):
    """Where a member's consumer stands in its topic (adapters/kafka/consumer_offsets.py)."""

    def high_watermark(self, partition: int) -> int | None:
        """Cached (no broker round trip); None while unknown."""
        ...

    def positions(self, partitions: list[int]) -> dict[int, int]:
        """The next offset to read per partition (negative: none read yet)."""
        ...

    def committed(self, partitions: list[int]) -> dict[int, int]: ...


class _Throttle:
    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._next = 0.0

    def due(self) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self.interval_s
        return True


class _Membership:
    """A consumer-group member's partitions: `questline_partitions_owned{role}` (added
    to and taken from, so several members in one process add up), the lag series of
    the partitions it owns, and the assignment/revocation lines."""

    role: str
    lag_group: str

    def __init__(self, member: str, topic: str, lag_interval_s: float = LAG_INTERVAL_S) -> None:
        self.member = member
        self.topic = topic
        self._owned: set[int] = set()
        self._throttle = _Throttle(lag_interval_s)
        self._lock = threading.Lock()

    def assigned(self, partition: int, **extra: Any) -> None:
        with self._lock:
            if partition in self._owned:
                return
            self._owned.add(partition)
        metrics.PARTITIONS_OWNED.labels(self.role).inc()
        log.info(
            f"{self.role} {self.member} owns partition {partition}",
            **fields(
                {
                    "event.action": "partition-assigned",
                    "questline.role": self.role,
                    "questline.member": self.member,
                    "questline.topic": self.topic,
                    "questline.partition": partition,
                    **{f"questline.{key}": value for key, value in extra.items()},
                }
            ),
        )

    def revoked(self, partition: int, reason: str = "revoked") -> None:
        with self._lock:
            if partition not in self._owned:
                return
            self._owned.discard(partition)
        metrics.PARTITIONS_OWNED.labels(self.role).dec()
        self._forget_lag(partition)
        log.info(
            f"{self.role} {self.member} hands back partition {partition}",
            **{
                "event.action": "partition-revoked",
                "event.reason": reason,
                "questline.role": self.role,
                "questline.member": self.member,
                "questline.topic": self.topic,
                "questline.partition": partition,
            },
        )

    def release_all(self) -> None:
        """The member stopped: whatever it still counts is no longer owned."""
        for partition in sorted(self._owned):
            self.revoked(partition, "stopped")

    def left(self, handed_back: Sequence[int]) -> None:
        """The member stepped down and left its group (LeaveGroup): the group gives
        its partitions to the others at once, not a session timeout later."""
        log.info(
            f"{self.role} {self.member} left its group, handing back partitions "
            f"{list(handed_back)}",
            **{
                "event.action": "group-left",
                "questline.role": self.role,
                "questline.member": self.member,
                "questline.topic": self.topic,
                "questline.partitions": list(handed_back),
            },
        )

    def _forget_lag(self, partition: int) -> None:
        _forget_series(metrics.CONSUMER_LAG, self.lag_group, str(partition))

    def restored(
        self, partition: int, seconds: float, *, snapshot_offset: int | None, replayed: int
    ) -> None:
        metrics.RESTORE_SECONDS.labels(self.role).observe(seconds)
        metrics.RESTORE_REPLAYED.labels(self.role).inc(replayed)
        source = (
            f"the snapshot at offset {snapshot_offset}"
            if snapshot_offset is not None
            else "the start of the log (no usable snapshot)"
        )
        log.info(
            f"{self.role} {self.member} restored partition {partition} from {source} "
            f"and {replayed} message(s) after it in {seconds:.2f} s",
            **{
                "event.action": "partition-restored",
                "event.duration": int(seconds * 1e9),
                "questline.role": self.role,
                "questline.member": self.member,
                "questline.partition": partition,
                "questline.snapshot_offset": snapshot_offset,
                "questline.replayed": replayed,
            },
        )

    def dead_letter(self, stage: str, partition: int, offset: int, error: str) -> None:
        metrics.DEAD_LETTERS.labels(stage).inc()
        log.warning(
            "message set aside on the dead-letter topic",
            **{
                "event.action": "dead-letter",
                "event.outcome": "failure",
                "questline.role": self.role,
                "questline.member": self.member,
                "questline.stage": stage,
                "questline.topic": self.topic,
                "questline.partition": partition,
                "questline.offset": offset,
                "error.message": error[:500],
            },
        )


@dataclass
class _Decided:
    partition: int
    first_offset: int
    last_offset: int
    messages: int
    envelopes: list[CommandEnvelope]
    events: list[RecordedEvent]


class WorkerObserver(_Membership):
    """A partition worker: consumer lag over the commands topic, its transactions."""

    role = ROLE_WORKER
    lag_group = GROUP_WORKERS

    def __init__(self, member: str, topic: str, lag_interval_s: float = LAG_INTERVAL_S) -> None:
        super().__init__(member, topic, lag_interval_s)
        self._pending: dict[int, _Decided] = {}
        self._committed_offsets: dict[int, int] = {}  # partitions not consumed from yet

    def revoked(self, partition: int, reason: str = "revoked") -> None:
        self._committed_offsets.pop(partition, None)
        super().revoked(partition, reason)

    # -- one transaction per partition (partitions may commit at once, on threads) --------

    def begin(self, partition: int) -> None:
        with self._lock:
            self._pending.pop(partition, None)

    def decided(
        self,
        partition: int,
        first_offset: int,
        last_offset: int,
        messages: int,
        envelopes: Sequence[CommandEnvelope],
        events: Sequence[RecordedEvent],
    ) -> None:
        """A partition's open transaction: its command messages (offsets in the
        commands topic), the envelopes decoded from them, the events decided."""
        share = _Decided(
            partition, first_offset, last_offset, messages, list(envelopes), list(events)
        )
        with self._lock:
            self._pending[partition] = share

    def aborted(self, partition: int) -> None:
        with self._lock:
            self._pending.pop(partition, None)

    def committed(self, partition: int, commit_seconds: float) -> None:
        """The partition's transaction committed: metrics, a line, a line per event."""
        metrics.WORKER_BATCHES.inc()
        metrics.WORKER_TRANSACTION_COMMIT.observe(commit_seconds)
        with self._lock:
            share = self._pending.pop(partition, None)
        if share is None:
            return
        commands = share.messages
        metrics.WORKER_COMMANDS.labels(str(share.partition)).inc(commands)
        log.info(
            "transaction committed",
            **fields(
                {
                    "event.action": "transaction-committed",
                    "event.duration": int(commit_seconds * 1e9),
                    "questline.member": self.member,
                    "questline.topic": self.topic,
                    "questline.partition": share.partition,
                    "questline.first_offset": share.first_offset,
                    "questline.last_offset": share.last_offset,
                    "questline.commands": commands,
                    "questline.events": len(share.events),
                    **correlation_fields(e.correlation_id for e in share.envelopes),
                }
            ),
        )
        kinds = {e.command_id: command_type(e) for e in share.envelopes}
        for recorded in share.events:
            metrics.EVENTS.labels(recorded.type).inc()
        log_events(
            [(recorded, kinds.get(recorded.command_id)) for recorded in share.events],
            projected=False,
        )

    # -- lag ------------------------------------------------------------------------------

    def tick(self, offsets: Offsets, owned: Iterable[int]) -> None:
        """Consumer lag per owned partition (high watermark - position), at most once per
        interval. Called on every loop turn: returns at once when not due."""
        if not self._throttle.due():
            return
        try:
            self._sample(offsets, sorted(owned))
        except Exception as error:  # observability never stops the worker
            log.debug("consumer lag not sampled", **{"error.message": str(error)})

    def _sample(self, offsets: Offsets, owned: list[int]) -> None:
        if not owned:
            return
        positions = offsets.positions(owned)
        unknown = [p for p in owned if positions.get(p, -1) < 0]
        missing = [p for p in unknown if p not in self._committed_offsets]
        if missing:  # nothing consumed there yet: where the group's offsets stand
            self._committed_offsets.update(offsets.committed(missing))
        for partition in owned:
            high = offsets.high_watermark(partition)
            position = positions.get(partition, -1)
            if position < 0:
                # no committed offset either (-1001): the group reads from the start
                position = max(self._committed_offsets.get(partition, -1), 0)
            else:
                self._committed_offsets.pop(partition, None)
            if high is not None:
                metrics.CONSUMER_LAG.labels(self.lag_group, str(partition)).set(
                    max(high - position, 0)
                )


class Progress(Protocol):
    """How far a projector got in one events partition (offsets)."""

    checkpoint: int  # the last offset whose rows are stored (-1: none)
    position: int  # the last offset read (-1: none)
    read_to: int  # the end offset reached with everything applied (-1: not yet)


class ProjectorObserver(_Membership):
    """A projector: consumer lag and projection lag over the events topic, its batches."""

    role = ROLE_PROJECTOR
    lag_group = GROUP_PROJECTORS

    def _forget_lag(self, partition: int) -> None:
        super()._forget_lag(partition)
        _forget_series(metrics.PROJECTION_LAG, str(partition))

    def projected(
        self,
        partition: int,
        first_offset: int,
        last_offset: int,
        events: Sequence[RecordedEvent],
        records: int,
    ) -> None:
        """A batch written to the read models (not memory rebuilt from stored rows)."""
        for recorded in events:
            metrics.PROJECTED.labels(recorded.type).inc()
        log.info(
            "batch projected",
            **fields(
                {
                    "event.action": "batch-projected",
                    "questline.member": self.member,
                    "questline.topic": self.topic,
                    "questline.partition": partition,
                    "questline.first_offset": first_offset,
                    "questline.last_offset": last_offset,
                    "questline.events": len(events),
                    "questline.command_records": records,
                    **correlation_fields(e.correlation_id for e in events),
                }
            ),
        )

    def tick(self, offsets: Offsets, partitions: Mapping[int, Progress]) -> None:
        """Per owned partition, at most once per interval: projection lag (high watermark
        - the offset after the last applied) and consumer lag (- the offset read to)."""
        if not self._throttle.due():
            return
        try:
            for partition, state in list(partitions.items()):
                high = offsets.high_watermark(partition)
                if high is None:
                    continue
                applied_to = max(state.checkpoint + 1, state.read_to, 0)
                read_to = max(state.position + 1, state.read_to, 0)
                metrics.PROJECTION_LAG.labels(str(partition)).set(max(high - applied_to, 0))
                metrics.CONSUMER_LAG.labels(self.lag_group, str(partition)).set(
                    max(high - read_to, 0)
                )
        except Exception as error:  # observability never stops the projector
            log.debug("projection lag not sampled", **{"error.message": str(error)})
