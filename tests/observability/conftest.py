"""Fixtures for the observability tests: an embedded node served by uvicorn on a free
port in a thread, its log lines captured as they are written, and a REAL Prometheus
(Debian's /usr/bin/prometheus) scraping it every second."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from questline.adapters.clocks import ManualClock
from questline.http.abuse_limits import AbuseSettings
from questline.http.embedded import EmbeddedNode, build_embedded_node
from questline.observability.logs import configure_logging
from questline.ports import Clock
from tests.hunt_builders import MINUTE, STARTS

REPO = Path(__file__).resolve().parents[2]
ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"
ALERT_TESTS = REPO / "deploy" / "prometheus" / "alerts.test.yml"
PROMETHEUS = Path("/usr/bin/prometheus")
PROMTOOL = Path("/usr/bin/promtool")
ORGANIZER_TOKEN = "qlo_observability-tests-organizer-token"
ORG = {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}


def needs(binary: Path) -> None:
    if not binary.exists():
        pytest.fail(
            f"{binary} is missing: the observability tests need Debian's prometheus package "
            "(`apt-get install -y prometheus`, or scripts/install-test-tools).",
            pytrace=False,
        )


def wait_until(
    check: Callable[[], Any], *, deadline: float = 30.0, what: str = "the condition"
) -> Any:
    """Poll `check` until it returns something truthy; fail with its last answer at the deadline.
    Polls are paced by a short wait on an Event that nothing sets: no fixed sleep stands in
    for the condition."""
    pace = threading.Event()
    ends = time.monotonic() + deadline
    last: Any = None
    while time.monotonic() < ends:
        last = check()
        if last:
            return last
        pace.wait(0.1)
    raise AssertionError(f"gave up waiting for {what} after {deadline} s; last: {last!r}")


class LogCapture:
    """Every log line written while the node runs, kept in a file (written by many threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream = path.open("w", encoding="utf-8")
        self.handler = configure_logging(stream=self.stream, fmt="json", level="INFO")

    def text(self) -> str:
        self.handler.flush()
        return self.path.read_text(encoding="utf-8")

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def close(self) -> None:
        self.handler.flush()
        self.stream.close()


@dataclass
class LiveNode:
    node: EmbeddedNode
    base_url: str
    port: int
    http: httpx.Client
    logs: LogCapture
    clock: Clock
    extra: dict[str, Any] = field(default_factory=dict)


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    return sock


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., LiveNode]]:
    started: list[tuple[uvicorn.Server, threading.Thread, socket.socket, LiveNode]] = []

    def start(clock: Clock | None = None) -> LiveNode:
        logs = LogCapture(tmp_path / f"node-{len(started)}.log")
        node = build_embedded_node(
            tmp_path / f"node-{len(started)}.db",
            clock=clock or ManualClock(STARTS + 10 * MINUTE),
            organizer_token=ORGANIZER_TOKEN,
            reconcile_interval=None,  # nothing heals behind the tests' back
            # The load test registers 400 simulated teams, all from this machine.
            abuse=AbuseSettings(registrations_per_address=0, registrations_per_hunt=0),
        )
        sock = _listening_socket()
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            node.app, lifespan="on", log_config=None, timeout_graceful_shutdown=2
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        base_url = f"http://127.0.0.1:{port}"
        http = httpx.Client(base_url=base_url, timeout=10)
        live = LiveNode(node, base_url, port, http, logs, node.services.clock)
        wait_until(lambda: _ready(http), what="the node to answer /readyz")
        started.append((server, thread, sock, live))
        return live

    yield start
    for server, thread, sock, live in started:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        live.http.close()
        live.node.close()
        live.logs.close()


def _ready(http: httpx.Client) -> bool:
    try:
        return http.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False


class Prometheus:
    def __init__(self, base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base_url = base_url
        self.process = process
        self.log = log
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def query(self, expr: str) -> list[dict[str, Any]]:
        response = self.http.get("/api/v1/query", params={"query": expr})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def scalar(self, expr: str) -> float | None:
        """The value of a query with one series (None while it has none)."""
        result = self.query(expr)
        if not result:
            return None
        assert len(result) == 1, result
        return float(result[0]["value"][1])

    def get(self, path: str, **params: str) -> Any:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def scrape_health(self) -> list[dict[str, Any]]:
        """Each target's last scrape, for failure messages: health, error, duration."""
        targets = self.get("/api/v1/targets")["data"]["activeTargets"]
        keys = ("scrapeUrl", "health", "lastError", "lastScrapeDuration")
        return [{key: target.get(key) for key in keys} for target in targets]


@pytest.fixture
def prometheus_factory(tmp_path: Path) -> Iterator[Callable[..., Prometheus]]:
    needs(PROMETHEUS)
    running: list[Prometheus] = []

    def start(target_port: int, *, rules: Path | None = None) -> Prometheus:
        home = tmp_path / f"prometheus-{len(running)}"
        (home / "data").mkdir(parents=True)
        config: dict[str, Any] = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [
                {
                    "job_name": "questline",
                    "scrape_interval": "1s",
                    "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}],
                }
            ],
        }
        if rules is not None:
            config["rule_files"] = [str(rules)]
        config_path = home / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(config))
        port = free_port()
        log = home / "prometheus.log"
        process = subprocess.Popen(
            [
                str(PROMETHEUS),
                f"--config.file={config_path}",
                f"--storage.tsdb.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-lifecycle",
                "--storage.tsdb.retention.time=1h",
            ],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        prometheus = Prometheus(f"http://127.0.0.1:{port}", process, log)
        running.append(prometheus)

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"prometheus exited: {log.read_text()[-2000:]}")
            try:
                return prometheus.http.get("/-/ready").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, what="Prometheus to be ready")
        return prometheus

    yield start
    for prometheus in running:
        prometheus.process.terminate()
        try:
            prometheus.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            prometheus.process.kill()
            prometheus.process.wait()
        prometheus.http.close()


def rules_without_waiting(target: Path) -> Path:
    """The deploy alert rules as they are, except that `for:` is dropped, so a real
    Prometheus fires them on the first evaluation that matches (the expressions are
    the deployed ones; their `for` durations are covered by promtool test rules)."""
    document = yaml.safe_load(ALERTS.read_text())
    for group in document["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            rule.pop("for", None)
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    return target


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    needs(PROMTOOL)
    assert shutil.which(str(PROMTOOL))
    return subprocess.run(
        [str(PROMTOOL), *args], capture_output=True, text=True, timeout=120, check=False
    )


def metric_total(http: httpx.Client, sample: str, **labels: str) -> float:
    """The sum of one sample over its series, as the node's /metrics says now (counters are
    per process: tests compare with this baseline, not with zero)."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(http.get("/metrics").text):
        for found in family.samples:
            if found.name == sample and all(found.labels.get(k) == v for k, v in labels.items()):
                total += found.value
    return total
