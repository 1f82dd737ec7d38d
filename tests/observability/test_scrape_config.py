"""The example scrape configurations: promtool accepts them, and their targets are the
ports the processes really serve /metrics on (`cluster up`'s layout, the compose file's
--metrics-port)."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from questline.cluster.local_cluster import process_specs
from tests.observability.conftest import REPO, promtool

pytestmark = pytest.mark.integration

PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
LOCAL = PROMETHEUS_DIR / "prometheus.yml"
COMPOSE_SCRAPE = PROMETHEUS_DIR / "prometheus-compose.yml"
COMPOSE = REPO / "deploy" / "compose.yaml"


def _targets(config: Path) -> dict[str, set[str]]:
    loaded: dict[str, Any] = yaml.safe_load(config.read_text())
    return {
        job["job_name"]: {t for static in job["static_configs"] for t in static["targets"]}
        for job in loaded["scrape_configs"]
    }


@pytest.mark.parametrize("config", [LOCAL, COMPOSE_SCRAPE], ids=lambda p: p.name)
def test_promtool_accepts_the_scrape_config(config: Path) -> None:
    result = promtool("check", "config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_local_targets_are_the_ports_cluster_up_serves_metrics_on() -> None:
    specs = process_specs(Path("cluster.yaml"), 2, 1, 1, 8080)
    ports: dict[str, set[str]] = {"worker": set(), "projector": set()}
    for spec in specs:
        role = spec.name.split("-")[0]
        if role in ports:
            port = spec.argv[spec.argv.index("--metrics-port") + 1]
            ports[role].add(f"127.0.0.1:{port}")
    assert _targets(LOCAL) == {
        "questline": {"127.0.0.1:8080"},
        "questline-worker": ports["worker"],
        "questline-projector": ports["projector"],
    }


def test_the_compose_targets_are_its_services_metrics_ports() -> None:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    expected: dict[str, set[str]] = {"questline-worker": set(), "questline-projector": set()}
    for name, service in services.items():
        command = service.get("command", [])
        if command[:1] == ["questline"] and command[1] in ("worker", "projector"):
            port = command[command.index("--metrics-port") + 1]
            expected[f"questline-{command[1]}"].add(f"{name}:{port}")
    expected["questline"] = {"api:8080"}
    assert _targets(COMPOSE_SCRAPE) == expected
    assert "./prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
