"""A smoke run of the cluster benchmark at its smallest, on the session's real Kafka
and Cassandra (instead of servers of its own): it writes its result file with the
expected keys, and every command it sent was answered. Nothing about speed."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from questline.bench import cluster_suite
from questline.bench.cluster_servers import Servers
from questline.bench.runner import run_suite
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration


def test_the_cluster_suite_writes_its_result_file(
    kafka_cluster: KafkaCluster,
    cassandra_cluster: CassandraCluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @contextmanager
    def session_servers(directory: Path) -> Iterator[Servers]:
        yield Servers(kafka_cluster, cassandra_cluster, 0.0)

    monkeypatch.setenv("QUESTLINE_BENCH_TINY", "1")
    monkeypatch.setattr(cluster_suite, "running_servers", session_servers)
    written = run_suite("cluster", True, tmp_path)
    assert written == tmp_path / "bench" / "results" / "cluster-quick.json"
    result = json.loads(written.read_text())
    for row in (
        "exactly_once_1_worker",
        "exactly_once_2_workers",
        "at_least_once_1_worker",
        "embedded_engine",
    ):
        assert result[row]["commands"] > 0
    assert [g["target"] for g in result["goals"]] == [">= 25%", ">= 85%", ">= 50%", "< 100 ms"]
    through = result["end_to_end"]
    for side in ("api_node", "embedded_server"):  # the same client, both answered
        statuses = through[side]["statuses"]
        assert through[side]["ok"] > 0, statuses
        assert not [s for s in statuses if s[:3] in ("401", "404", "500")], statuses
    parts = {"api", "worker", "projector", "kafka", "cassandra", "machine", "rest"}
    assert set(through["api_node"]["cpu_ms_per_answer"]) == parts
    assert result["latency"] and all(p["unanswered"] == 0 for p in result["latency"])
    failover = result["failover"]
    assert failover["unanswered"] == 0
    assert failover["its_partitions"], "the killed worker owned no partition"
    # The timeline was read from the real logs: every moment found, in order.
    moments = failover["timeline"]
    assert None not in moments.values(), moments
    order = ["member_dropped_s", "group_stable_s", "assigned_s", "all_opened_s"]
    assert [moments[m] for m in order] == sorted(moments[m] for m in order), moments
    assert moments["first_answer_s"] > moments["assigned_s"], moments
    assert (tmp_path / result["plot"]).exists()
    assert "## cluster (quick run)" in (tmp_path / "docs" / "benchmarks.md").read_text()
    for side in ("api_node", "embedded_server"):  # measured after a warm-up drive
        assert len(through[side]["warm_up_per_second"]) == 1
