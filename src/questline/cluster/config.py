"""A cluster's settings, read from a JSON, YAML or TOML file (`--cluster FILE`)."""

import tomllib
from pathlib import Path

import msgspec
import yaml

from questline.adapters.cassandra.settings import CassandraSettings
from questline.adapters.kafka.settings import KafkaSettings
from questline.engine.partition_restore import WindowSize


class ClusterConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kafka: KafkaSettings = KafkaSettings()
    cassandra: CassandraSettings = CassandraSettings()
    command_timeout_s: float = 10.0
    # An API node answers 503 with Retry-After instead of sending more commands while
    # this many of its commands await a worker's reply (workers behind, or down).
    max_pending_commands: int = 20_000
    # A read of a hunt waits at most this long for the read side to show what its API
    # node answered (http/read_your_writes.py), then reads what is there.
    read_your_writes_wait_s: float = 5.0
    # Uploaded photos: a folder every API node can reach (shared storage in production).
    photos_dir: str = ".questline-photos"
    # Each API node removes from it, this often, the photos no committed event refers
    # to and stale uploads (engine/photo_sweep.py). 0: off.
    photo_sweep_interval_s: float = 300.0
    # A worker (or projector) that misses heartbeats this long loses its partitions to
    # another: most of a failover after kill -9 (docs/cluster.md#failover). Brokers
    # refuse less than their group.min.session.timeout.ms (6000 unless set lower).
    session_timeout_ms: int = 3000
    # The broker aborts a dead worker's open transaction after this long if no new
    # owner fenced it first (a new owner fences at once); a transaction of a batch is
    # produce and commit only, milliseconds, so this is far above any honest one.
    transaction_timeout_ms: int = 10000
    # Projectors snapshot a partition after this many events (and at most every
    # `snapshot_min_interval_s`); workers and projectors restore from the newest.
    snapshot_every: int = 50_000
    snapshot_min_interval_s: float = 30.0
    snapshots_kept: int = 3
    # What a worker remembers of each partition's commands, restored with its state
    # (engine/command_window.py): this many records in full, and every command id of
    # the last `command_window_hours` of the log (a retry within it gets its first
    # answer; one whose record fell out for room is looked up in Cassandra). Workers
    # and projectors must agree: snapshots hold the window.
    command_window_records: int = 100_000
    command_window_hours: float = 24.0
    # Each projector compares one hunt's stored rows with its memory this often
    # and heals them when they differ. 0: off.
    reconcile_interval_s: float = 5.0
    # Each projector refolds one partition it owns from the start of the log this often
    # (in a background thread) and compares every stored snapshot of it with the refold;
    # a snapshot that differs is deleted and memory restored from it rebuilt. 0: off.
    snapshot_audit_interval_s: float = 300.0

    @property
    def window_size(self) -> WindowSize:
        return WindowSize(
            self.command_window_records, int(self.command_window_hours * 3_600_000_000)
        )


class ConfigError(ValueError):
    pass


def load_config(path: Path) -> ClusterConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    try:
        if path.suffix == ".toml":
            raw = tomllib.loads(text)
        elif path.suffix == ".json":
            raw = msgspec.json.decode(text)
        else:
            raw = yaml.safe_load(text) or {}
        return msgspec.convert(raw, ClusterConfig)
    except (tomllib.TOMLDecodeError, msgspec.DecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path} cannot be parsed: {error}") from None
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {error}") from None
