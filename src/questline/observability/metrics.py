"""Every metric Questline exports, in one place.

Names follow Prometheus conventions (`_seconds`, `_total`, base units). Labels are
bounded: route templates (never raw paths), command and event type names, error
codes, partitions. No hunt, team, answer, code or token is ever a label value.

With PROMETHEUS_MULTIPROC_DIR set (several server processes behind one port), the
values live in that directory's files and `/metrics` merges every process's;
otherwise the default in-process registry serves them.
"""

import os
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)

# -- HTTP ---------------------------------------------------------------------------

HTTP_DURATION = Histogram(
    "questline_http_request_duration_seconds",
    "HTTP request latency by route template, method and status (streams: to the first byte).",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
HTTP_ERRORS = Counter(
    "questline_http_errors_total",
    "HTTP error responses by kind (client_error for 4xx, server_error for 5xx, client_closed "
    "for a request its client abandoned: 499), status and code.",
    ["kind", "status", "code"],
)

ADMISSION_REFUSED = Counter(
    "questline_http_admission_refused_total",
    "Requests refused at the edge with 503 + Retry-After before their bodies were read, by "
    "budget (reads, writes) and reason (limit: the adaptive concurrency limit was reached; "
    "queue_delay: a write arrived while a queue stood before the event loop, CoDel).",
    ["budget", "reason"],
)
ADMISSION_LIMIT = Gauge(
    "questline_http_admission_limit",
    "The adaptive concurrency limit of each budget (reads, writes) now.",
    ["budget"],
    multiprocess_mode="livesum",
)
ADMISSION_IN_FLIGHT = Gauge(
    "questline_http_admission_in_flight",
    "Requests of each budget admitted and not yet answered.",
    ["budget"],
    multiprocess_mode="livesum",
)

# -- commands and events -------------------------------------------------------------

READ_WAITS = Histogram(
    "questline_read_your_writes_wait_seconds",
    "Cluster API node: how long a read waited for the read side to show what the node had "
    "answered (shown), or waited in vain and read what was there (gave_up).",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)

COMMANDS = Counter(
    "questline_commands_total",
    "Commands answered, by command type and outcome (accepted, rejected, replayed, failed).",
    ["command", "outcome"],
)
COMMAND_DURATION = Histogram(
    "questline_command_duration_seconds",
    "From a command accepted into the queue to its acknowledgement (events durable and "
    "projected: one transaction in the embedded shape).",
    ["command"],
    buckets=LATENCY_BUCKETS,
)
BATCH_SIZE = Histogram(
    "questline_batch_commands",
    "Commands decided and committed together in one batch.",
    buckets=BATCH_BUCKETS,
)
BATCH_DECIDE = Histogram(
    "questline_batch_decide_seconds",
    "Time to decide one batch of commands (the pure rules, outside the transaction).",
    buckets=LATENCY_BUCKETS,
)
BATCH_COMMIT = Histogram(
    "questline_batch_commit_seconds",
    "Time of one write transaction: events appended, read models projected, committed.",
    buckets=LATENCY_BUCKETS,
)
QUEUE_DEPTH = Gauge(
    "questline_command_queue_depth",
    "Commands accepted and waiting for the writer.",
    multiprocess_mode="livesum",
)
EVENTS = Counter(
    "questline_events_total",
    "Events committed to the log, by event type.",
    ["type"],
)
REJECTIONS = Counter(
    "questline_rejections_total",
    "Commands refused by the rules, by refusal code.",
    ["code"],
)
RATE_LIMITED = Counter(
    "questline_rate_limited_total",
    "Attempts refused with 429 because a team answered too often.",
)
CONFLICTS = Counter(
    "questline_version_conflicts_total",
    "Optimistic-concurrency conflicts: a write refused because the hunt's version moved.",
)
REPLAYS = Counter(
    "questline_idempotent_replays_total",
    "Retried commands (same command id or Idempotency-Key) answered with the first result.",
)
UNWRITABLE_COMMANDS = Counter(
    "questline_unwritable_commands_total",
    "Commands whose events could not be written or encoded: each refused alone"
    " (422 unwritable_command; cluster: also dead-lettered), the rest of its batch kept.",
)
COMMIT_FAILURES = Counter(
    "questline_commit_failures_total",
    "Batches whose transaction failed: nothing of them was recorded, every caller was told.",
)

# -- projections, lag, dead letters, snapshots -----------------------------------------

PROJECTION_LAG = Gauge(
    "questline_projection_lag_events",
    "Events in the log that the read models of a partition have not applied yet.",
    ["partition"],
    multiprocess_mode="livemax",
)
CONSUMER_LAG = Gauge(
    "questline_consumer_lag_messages",
    "Messages a consumer group has not consumed yet, by group and partition (cluster).",
    ["group", "partition"],
    multiprocess_mode="livemax",
)
PROJECTED = Counter(
    "questline_projected_events_total",
    "Events applied to read models by a cluster projector, by event type.",
    ["type"],
)
DEAD_LETTERS = Counter(
    "questline_dead_letters_total",
    "Messages set aside on the dead-letter topic, by the stage that refused them.",
    ["stage"],
)
DEAD_LETTER_DEPTH = Gauge(
    "questline_dead_letter_depth",
    "Dead letters waiting for an operator (0 in the embedded shape: it has no queue).",
    multiprocess_mode="livemax",
)
SNAPSHOT_AGE = Gauge(
    "questline_snapshot_age_seconds",
    "Age of the newest state snapshot of a partition (set by whoever writes snapshots).",
    ["partition"],
    multiprocess_mode="livemax",
)
SNAPSHOTS_WRITTEN = Counter(
    "questline_snapshots_written_total",
    "State snapshots written (embedded: per hunt; cluster: per partition).",
)
SNAPSHOTS_DISCARDED = Counter(
    "questline_snapshots_discarded_total",
    "Snapshots refused on restore (checksum, format or layout) or deleted by the snapshot "
    "audit (their state differs from a refold of the log); the log was replayed instead.",
)
SNAPSHOT_AUDITS = Counter(
    "questline_snapshot_audits_total",
    "Cluster partition snapshots compared with an independent refold of the log, by result "
    "(ok: equal; discarded: different, deleted).",
    ["result"],
)
RESTORE_SECONDS = Histogram(
    "questline_partition_restore_seconds",
    "Time to restore a partition's state on assignment (snapshot, then the log after it), by role.",
    ["role"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
RESTORE_REPLAYED = Counter(
    "questline_partition_restore_messages_total",
    "Log messages replayed after the snapshot while restoring partitions, by role.",
    ["role"],
)

# -- reconciliation ------------------------------------------------------------------

RECONCILE_CHECKS = Counter(
    "questline_reconcile_hunts_checked_total",
    "Hunts the reconciler compared with a replay of their log.",
)
HEALED_ROWS = Counter(
    "questline_read_model_rows_healed_total",
    "Read-model rows the reconciler found different from a replay and rebuilt, by table.",
    ["table"],
)
RECONCILE_ERRORS = Counter(
    "questline_reconcile_errors_total",
    "Reconciliation rounds that failed (the next round tries again).",
)
PHOTOS_SWEPT = Counter(
    "questline_photo_files_removed_total",
    "Files the photo sweeper removed: stored photos no committed event refers to (orphan), "
    "uploads left unfinished or unclaimed in the upload area (stale_upload).",
    ["kind"],
)
PHOTOS_RECOVERED = Counter(
    "questline_photo_uploads_recovered_total",
    "Uploads a committed event refers to that were still in the upload area (a crash or a "
    "lost reply between the commit and the keep), stored by the photo sweeper.",
)
STORE_RETRIES = Counter(
    "questline_store_retries_total",
    "Calls to the store (Cassandra) that did not answer and were tried again.",
    ["operation"],
)
PARTITIONS_OWNED = Gauge(
    "questline_partitions_owned",
    "Partitions this process owns, by role (worker, projector).",
    ["role"],
    multiprocess_mode="livesum",
)

# -- cluster workers and projectors ----------------------------------------------------

WORKER_BATCHES = Counter(
    "questline_worker_batches_total",
    "Kafka transactions a partition worker committed (one batch: every partition in hand).",
)
WORKER_COMMANDS = Counter(
    "questline_worker_commands_total",
    "Command messages a partition worker consumed and committed, by commands partition.",
    ["partition"],
)
WORKER_TRANSACTION_COMMIT = Histogram(
    "questline_worker_transaction_commit_seconds",
    "commit_transaction of one worker Kafka transaction (flushes its events, records, "
    "replies and offsets, then ends the transaction).",
    buckets=LATENCY_BUCKETS,
)

# -- verify / replay -------------------------------------------------------------------

VERIFY_PROGRESS = Gauge(
    "questline_verify_progress_ratio",
    "Progress of the running verify or replay, 0 to 1 (1 when done).",
    ["operation"],
    multiprocess_mode="livemax",
)
DRIFT = Gauge(
    "questline_drift_differences",
    "Differences between the read models and a replay, found by the last verify.",
    multiprocess_mode="livemax",
)
VERIFY_LAST_RUN = Gauge(
    "questline_verify_last_run_timestamp_seconds",
    "When the last verify finished (Unix time).",
    multiprocess_mode="max",
)

# -- readiness ---------------------------------------------------------------------------

READY = Gauge(
    "questline_ready",
    "1 when this node is ready to serve (what /readyz says), else 0.",
    multiprocess_mode="livemin",
)

# Called before every exposition: set the gauges that are cheaper to compute on demand.
_refreshers: list[Callable[[], None]] = []


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def add_refresher(refresh: Callable[[], None]) -> Callable[[], None]:
    _refreshers.append(refresh)
    return refresh


def remove_refresher(refresh: Callable[[], None]) -> None:
    if refresh in _refreshers:
        _refreshers.remove(refresh)


def refresh() -> None:
    for refresher in list(_refreshers):
        refresher()


def exposition_registry() -> CollectorRegistry:
    """The registry `/metrics` reads: every process's files, or this process's metrics."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def exposition() -> tuple[bytes, str]:
    """The text format and its content type, after refreshing on-demand gauges."""
    refresh()
    return generate_latest(exposition_registry()), CONTENT_TYPE_LATEST
