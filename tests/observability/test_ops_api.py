"""GET /api/ops/summary (organizer only), POST /api/ops/verify, and /metrics in
multi-process mode."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hunt_builders import spec_document
from tests.observability.conftest import ORG, LiveNode

pytestmark = pytest.mark.integration


def test_the_summary_is_for_organizers_and_reports_what_happened(node_factory: Any) -> None:
    live: LiveNode = node_factory()
    assert live.http.get("/api/ops/summary").status_code == 401
    assert live.http.post("/api/hunts", json=spec_document(), headers=ORG).status_code == 201
    joined = live.http.post("/api/hunts/harbour-night/teams", json={"name": "Owls"}).json()
    team = {"Authorization": f"Bearer {joined['token']}"}
    assert live.http.get("/api/ops/summary", headers=team).status_code == 403
    for _ in range(12):  # the spec hunt allows 10 wrong answers a minute
        live.http.post(
            "/api/hunts/harbour-night/submissions",
            json={"clue": "lighthouse", "answer": "nope"},
            headers=team,
        )
    summary = live.http.get("/api/ops/summary", headers=ORG).json()
    assert summary["ready"] is True and summary["reasons"] == []
    assert summary["commands"]["rate_limited"] >= 2
    assert summary["errors"]["by_code"]["rate_limited"] >= 2
    assert summary["throughput"]["commands_per_second"] > 0
    assert summary["latency_ms"]["command"]["p95"] > 0
    assert summary["lag"]["projections"] == [{"partition": "0", "events": 0}]
    assert summary["hunts"][0]["hunt_id"] == "harbour-night"
    assert summary["hunts"][0]["events_total"] >= 12

    verified = live.http.post("/api/ops/verify", headers=ORG)
    assert verified.json() == {"status": "clean", "differences": 0}
    drift = live.http.get("/api/ops/summary", headers=ORG).json()["drift"]
    assert drift["status"] == "clean" and drift["checked_at"]


SCRIPT = """
from starlette.testclient import TestClient
from questline.http.embedded import build_embedded_node
import sys
node = build_embedded_node(__import__("pathlib").Path(sys.argv[1]),
                           organizer_token="qlo_multiprocess-token", reconcile_interval=None)
with TestClient(node.app) as client:
    client.get("/healthz")
    print(client.get("/metrics").text)
node.close()
"""


def test_metrics_use_the_multiprocess_directory_when_set(tmp_path: Path) -> None:
    directory = tmp_path / "prom"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    outputs = [
        subprocess.run(
            [sys.executable, "-c", SCRIPT, str(tmp_path / f"{n}.db")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for n in range(2)
    ]
    assert list(directory.glob("*.db")), "no multiprocess files were written"
    # The second process serves both processes' requests: two /healthz in all.
    line = next(
        line
        for line in outputs[1].splitlines()
        if line.startswith("questline_http_request_duration_seconds_count")
        and 'route="/healthz"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 2.0
