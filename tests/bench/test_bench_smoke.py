"""A smoke run of every benchmark suite at its smallest: each writes its result
file with the expected keys. Nothing here asserts anything about speed."""

import json
from pathlib import Path

import pytest

from questline.bench.runner import SUITES, run_suite

EXPECTED = {
    "engine": {"durability", "workload"},
    "http": {
        "noop_limit",
        "open_loop",
        "client_ceiling_noop_1_process",
        "ratio_vs_noop",
        "overload",
        "granian_peer",
    },
    "leaderboard": {"sizes"},
    "replay": {"replay", "verify", "read_and_decode_floor"},
    "memory": {"questline", "slotted_object_floor"},
    "rehearsal": {"runs"},
    "time_travel": {
        "board_at_version_ms",
        "fresh_fold_peer_ms",
        "hash_chain_share_of_deciding",
        "hash_chain_share_of_engine_suite",
    },
    "workers": {"rows", "submissions_ratio_2_vs_1", "noop_ratio_2_vs_1"},
}
# The cluster suite needs Kafka and Cassandra: its smoke run is with the integration
# tests (test_cluster_bench_smoke.py).
IN_PROCESS = sorted(set(SUITES) - {"cluster"})


@pytest.mark.parametrize("suite", IN_PROCESS)
def test_each_suite_writes_its_result_file(
    suite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUESTLINE_BENCH_TINY", "1")
    written = run_suite(suite, True, tmp_path)
    assert written == tmp_path / "bench" / "results" / f"{suite}-quick.json"
    result = json.loads(written.read_text())
    assert {"suite", "quick", "machine", "load_average", "goals", "plot"} <= set(result)
    assert EXPECTED[suite] <= set(result)
    assert {"cores", "memory_bytes", "cpu_model", "python", "sqlite", "date", "git_commit"} <= set(
        result["machine"]
    )
    assert all({"goal", "target", "measured", "met"} <= set(g) for g in result["goals"])
    assert (tmp_path / result["plot"]).exists()
    if suite == "http":  # the overload row's fields, named as issue 18 names them
        assert {
            "offered_per_second",
            "goodput_per_second",
            "max_per_second",
            "admitted_p99_ms",
            "shed_fraction",
        } <= set(result["overload"])
    assert (tmp_path / "docs" / "benchmarks.md").exists()
