"""The partitioning scheme is recorded with the log: the first start on a set of topics
writes it, and a process configured with another partition count refuses to run,
naming both (a hunt's events are where the first scheme put them)."""

import uuid
from pathlib import Path

import msgspec
import pytest
import yaml
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]
from typer.testing import CliRunner

from questline.adapters.kafka.partitioning import recorded_scheme
from questline.adapters.kafka.settings import KafkaSettings
from questline.adapters.kafka.topics import ensure_topics
from questline.cli.app import app
from questline.cluster.config import ClusterConfig
from questline.ports import PartitioningMismatch, PartitionScheme
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration


def settings(kafka: KafkaCluster, prefix: str, partitions: int) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=kafka.bootstrap_servers,
        partitions=partitions,
        reply_partitions=1,
        topic_prefix=prefix,
    )


def test_the_first_start_records_the_scheme_and_another_count_is_refused(
    kafka_cluster: KafkaCluster, tmp_path: Path
) -> None:
    prefix = f"part-{uuid.uuid4().hex[:8]}"
    ensure_topics(settings(kafka_cluster, prefix, 2))
    assert recorded_scheme(settings(kafka_cluster, prefix, 2)) == PartitionScheme("crc32", 2)
    ensure_topics(settings(kafka_cluster, prefix, 2))  # the same scheme starts again

    with pytest.raises(PartitioningMismatch) as refused:
        ensure_topics(settings(kafka_cluster, prefix, 3))
    assert "crc32(hunt id) % 2" in str(refused.value)
    assert "crc32(hunt id) % 3" in str(refused.value)

    # A worker started with the other count says so and exits, before touching anything.
    config = ClusterConfig(kafka=settings(kafka_cluster, prefix, 3))
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(msgspec.to_builtins(config)))
    result = CliRunner().invoke(app, ["worker", "--cluster", str(path)])
    assert result.exit_code == 1
    assert "refusing to run" in result.output
    assert "% 2" in result.output and "% 3" in result.output
    assert recorded_scheme(settings(kafka_cluster, prefix, 2)) == PartitionScheme("crc32", 2)


def test_a_log_from_before_the_record_is_held_to_its_topics_partition_count(
    kafka_cluster: KafkaCluster,
) -> None:
    prefix = f"old-{uuid.uuid4().hex[:8]}"
    old = settings(kafka_cluster, prefix, 2)
    admin = AdminClient({"bootstrap.servers": kafka_cluster.bootstrap_servers})
    for future in admin.create_topics([NewTopic(old.events_topic, 2, 1)]).values():
        future.result(30)

    with pytest.raises(PartitioningMismatch) as refused:
        ensure_topics(settings(kafka_cluster, prefix, 4))
    assert "% 2" in str(refused.value) and "% 4" in str(refused.value)
    assert old.commands_topic not in admin.list_topics(timeout=30).topics  # nothing created

    ensure_topics(old)
    assert recorded_scheme(old) == PartitionScheme("crc32", 2)
