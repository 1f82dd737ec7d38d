"""`verify` as operators watch it: progress and drift as metrics, and a log line."""

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from questline.engine.verification import Finding, verify
from questline.observability import metrics
from questline.observability.logs import get_logger
from questline.ports import Store

log = get_logger("questline.verify")

Progress = Callable[[int, int], None]


def tracked_progress(operation: str, then: Progress | None = None) -> Progress:
    """A progress callback that also sets questline_verify_progress_ratio{operation}."""
    gauge = metrics.VERIFY_PROGRESS.labels(operation)
    gauge.set(0)

    def update(done: int, total: int) -> None:
        gauge.set(done / total if total else 1.0)
        if then is not None:
            then(done, total)

    return update


@contextmanager
def read_snapshot(store: object) -> Iterator[None]:
    """One read transaction for the calling thread (SQLite): the log and the read models
    are compared at the same instant even while the writer commits."""
    reader = getattr(store, "_reader", None)
    connection = reader() if callable(reader) else None
    if not isinstance(connection, sqlite3.Connection):
        yield
        return
    connection.execute("BEGIN")
    try:
        yield
    finally:
        connection.execute("COMMIT")


def record_drift(differences: list[Finding], started: float) -> None:
    metrics.DRIFT.set(len(differences))
    metrics.VERIFY_LAST_RUN.set(time.time())
    metrics.VERIFY_PROGRESS.labels("verify").set(1.0)
    fields = {
        "event.action": "verify",
        "event.outcome": "failure" if differences else "success",
        "event.duration": int((time.perf_counter() - started) * 1e9),
        "questline.differences": len(differences),
    }
    if differences:
        log.warning(
            "read models differ from a replay of the log",
            **fields,
            **{"questline.first_differences": [d.location() for d in differences[:5]]},
        )
    else:
        log.info("read models equal a replay of the log", **fields)


def verify_and_record(store: Store, hunt_id: str | None = None) -> list[Finding]:
    """verify() with its progress and result in the metrics (blocking: run it in a thread)."""
    started = time.perf_counter()
    with read_snapshot(store):
        differences = verify(store, hunt_id, tracked_progress("verify"))
    record_drift(differences, started)
    return differences
