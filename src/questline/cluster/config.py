"""A cluster's settings, read from a JSON, YAML or TOML file (`--cluster FILE`)."""

import tomllib
import zlib
from pathlib import Path

import msgspec
import yaml


class KafkaSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    bootstrap_servers: str = "127.0.0.1:9092"
    partitions: int = 6
    replication_factor: int = 1
    min_insync_replicas: int = 1
    topic_prefix: str = "questline"
    reply_partitions: int = 4
    # The largest message a worker produces (librdkafka's message.max.bytes; keep it
    # at most the broker's max.message.bytes, 1,048,588 by default). A command whose
    # event or reply is larger is refused alone (422 unwritable_command) and
    # dead-lettered; the rest of its batch is committed.
    max_message_bytes: int = 1_000_000

    @property
    def commands_topic(self) -> str:
        return f"{self.topic_prefix}.commands"

    @property
    def events_topic(self) -> str:
        return f"{self.topic_prefix}.events"

    @property
    def replies_topic(self) -> str:
        return f"{self.topic_prefix}.replies"

    @property
    def dead_letters_topic(self) -> str:
        return f"{self.topic_prefix}.dead-letters"


class CassandraSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    contact_points: tuple[str, ...] = ("127.0.0.1",)
    port: int = 9042
    keyspace: str = "questline"
    replication_factor: int = 1
    local_dc: str = "datacenter1"


class ClusterConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kafka: KafkaSettings = KafkaSettings()
    cassandra: CassandraSettings = CassandraSettings()
    command_timeout_s: float = 10.0
    # An API node answers 503 with Retry-After instead of sending more commands while
    # this many of its commands await a worker's reply (workers behind, or down).
    max_pending_commands: int = 20_000
    # Uploaded photos: a folder every API node can reach (shared storage in production).
    photos_dir: str = ".questline-photos"
    # Each API node removes from it, this often, the photos no committed event refers
    # to and stale uploads (engine/photo_sweep.py). 0: off.
    photo_sweep_interval_s: float = 300.0
    # A worker that misses heartbeats this long loses its partitions to another.
    session_timeout_ms: int = 6000
    transaction_timeout_ms: int = 10000
    # Projectors snapshot a partition after this many events (and at most every
    # `snapshot_min_interval_s`); workers and projectors restore from the newest.
    snapshot_every: int = 50_000
    snapshot_min_interval_s: float = 30.0
    snapshots_kept: int = 3
    # Each projector compares one hunt's stored rows with its memory this often
    # and heals them when they differ. 0: off.
    reconcile_interval_s: float = 5.0
    # Each projector refolds one partition it owns from the start of the log this often
    # (in a background thread) and compares every stored snapshot of it with the refold;
    # a snapshot that differs is deleted and memory restored from it rebuilt. 0: off.
    snapshot_audit_interval_s: float = 300.0


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


def partition_of(hunt_id: str, partitions: int) -> int:
    """The one partition that owns a hunt: a stable hash, the same in every process."""
    return zlib.crc32(hunt_id.encode("utf-8")) % partitions
