"""A real Prometheus scrapes a running embedded node under load: the KPIs come back
through its query API with sane values, and an alert rule fires when a projection stops.

The alert test lets the REAL Prometheus evaluate the deployed rule expressions (with
their `for:` dropped so they fire on the first matching evaluation); the `for:`
durations themselves are covered by `promtool test rules` in test_alert_rules.py."""

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from questline.adapters.clocks import SystemClock
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.definition import TextAnswer
from questline.domain.definition_text import load_hunt_text
from questline.domain.events import HuntPaused, RecordedEvent
from questline.loadgen.latency import LatencyRecorder
from questline.loadgen.open_loop import run_open_loop
from questline.loadgen.players import Players
from tests.hunt_builders import spec_document
from tests.observability.conftest import (
    ORG,
    REPO,
    LiveNode,
    Prometheus,
    metric_total,
    rules_without_waiting,
    wait_until,
)

pytestmark = pytest.mark.integration

FIGURES = REPO / "test-artifacts" / "observability-figures.json"


class Load:
    """Simulated teams (the load generator) playing the demo's city hunt in a thread."""

    def __init__(self, base_url: str, rate: float, teams: int) -> None:
        self.base_url = base_url
        self.rate = rate
        self.teams = teams
        self.recorder = LatencyRecorder()
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Load":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        try:
            asyncio.run(self._play())
        except BaseException as error:
            self.error = error
            self.ready.set()

    async def _play(self) -> None:
        text = city_hunt_yaml()
        hunt = load_hunt_text(text)
        # In-flight requests stay below the pool's connections: a queue inside httpx's pool
        # costs the client (in this same process) more CPU than the server.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30, limits=limits) as client:
            created = await client.post(
                "/api/hunts", content=text, headers={**ORG, "Content-Type": "application/yaml"}
            )
            assert created.status_code == 201, created.text
            players = Players(client, hunt, seed=11)
            await players.register(self.teams)
            self.ready.set()
            stop = asyncio.Event()

            async def watch() -> None:
                await asyncio.to_thread(self.stop.wait)
                stop.set()

            watcher = asyncio.create_task(watch())
            await run_open_loop(
                self.rate, players.next_action, self.recorder, stop=stop, max_in_flight=64
            )
            await watcher


def test_prometheus_scrapes_the_kpis_of_a_node_under_load(
    node_factory: Any, prometheus_factory: Any
) -> None:
    live: LiveNode = node_factory(SystemClock())
    prometheus: Prometheus = prometheus_factory(live.port)
    events_before = metric_total(live.http, "questline_events_total")
    replays_before = metric_total(live.http, "questline_idempotent_replays_total")
    with Load(live.base_url, rate=100, teams=400) as load:
        assert load.ready.wait(60) and load.error is None, load.error

        # An idempotent retry and a 404 on the side, so those series exist too.
        team = live.http.post("/api/hunts/city-lights/teams", json={"name": "Retry Team"}).json()
        headers = {"Authorization": f"Bearer {team['token']}", "Idempotency-Key": "same-key"}
        text_clue = next(
            clue.id
            for clue in load_hunt_text(city_hunt_yaml()).clues
            if isinstance(clue.answer, TextAnswer) and clue.requires is None
        )
        for _ in range(2):
            retried = live.http.post(
                "/api/hunts/city-lights/submissions",
                json={"clue": text_clue, "answer": "surely not this"},
                headers=headers,
            )
            assert retried.status_code == 200, retried.text
        live.http.get("/api/hunts/no-such-hunt")

        seen: list[float | None] = []

        def request_rate() -> float | None:
            # A window of several scrapes: one slow scrape of a busy node leaves a gap.
            rate = prometheus.scalar(
                "sum(rate(questline_http_request_duration_seconds_count[10s]))"
            )
            seen.append(rate)
            return rate if rate is not None and rate > load.rate / 4 else None

        try:
            rps = wait_until(request_rate, deadline=90, what="Prometheus to see the load")
        except AssertionError as error:
            raise AssertionError(
                f"{error}; rates seen: {seen[-10:]}; client: {load.recorder.completed} "
                f"answered at {load.recorder.rate():.0f}/s; "
                f"scrapes: {prometheus.scrape_health()}"
            ) from None
        p95 = wait_until(
            lambda: prometheus.scalar(
                "histogram_quantile(0.95, sum by (le) "
                "(rate(questline_http_request_duration_seconds_bucket[10s])))"
            ),
            what="an HTTP p95",
        )
        command_p99 = wait_until(
            lambda: prometheus.scalar(
                "histogram_quantile(0.99, sum by (le) "
                "(rate(questline_command_duration_seconds_bucket[10s])))"
            ),
            what="a command p99",
        )
        commit_p99 = wait_until(
            lambda: prometheus.scalar(
                "histogram_quantile(0.99, sum by (le) "
                "(rate(questline_batch_commit_seconds_bucket[10s])))"
            ),
            what="a commit p99",
        )
        events_per_second = wait_until(
            lambda: prometheus.scalar("sum(rate(questline_events_total[5s]))"),
            what="events per second",
        )
        batch_p50 = prometheus.scalar(
            "histogram_quantile(0.5, sum by (le) (rate(questline_batch_commands_bucket[10s])))"
        )
        by_type = {
            r["metric"]["type"]: float(r["value"][1])
            for r in prometheus.query("sum by (type) (questline_events_total)")
        }
        by_route = {
            r["metric"]["route"]
            for r in prometheus.query(
                "sum by (route) (questline_http_request_duration_seconds_count)"
            )
        }
    assert load.error is None, load.error

    assert 0 < p95 < 1.0, p95
    assert 0 < command_p99 < 2.0, command_p99
    assert 0 < commit_p99 < 1.0, commit_p99
    assert events_per_second > 10, events_per_second
    assert {"hunt_created", "team_registered", "clue_solved", "answer_wrong"} <= set(by_type)
    assert "/api/hunts/{hunt}/submissions" in by_route
    assert not any("city-lights" in route for route in by_route), "raw paths as labels"

    # Once the load stops, Prometheus' event count equals the log's length exactly.
    head = live.node.store.events.head()
    wait_until(
        lambda: prometheus.scalar("sum(questline_events_total)") == events_before + head,
        what=f"questline_events_total to reach the log's {head} events",
    )
    assert prometheus.scalar("sum(questline_idempotent_replays_total)") == replays_before + 1
    assert (
        wait_until(
            lambda: prometheus.scalar(
                'sum(questline_http_errors_total{kind="client_error", code="unknown_hunt"})'
            )
        )
        >= 1
    )
    assert prometheus.scalar("max(questline_projection_lag_events)") == 0
    assert prometheus.scalar("min(questline_ready)") == 1
    assert prometheus.scalar("sum(questline_commit_failures_total)") == 0

    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(
        json.dumps(
            {
                "offered_rate_per_s": load.rate,
                "requests_per_s_prometheus": rps,
                "http_p95_s": p95,
                "command_accepted_to_ack_p99_s": command_p99,
                "commit_p99_s": commit_p99,
                "batch_commands_p50": batch_p50,
                "events_per_s": events_per_second,
                "events_total": head,
                "events_by_type": by_type,
                "client_side_statuses": dict(load.recorder.statuses),
            },
            indent=2,
        )
    )


def test_an_alert_fires_when_a_projection_stops(
    node_factory: Any, prometheus_factory: Any, tmp_path: Path
) -> None:
    live: LiveNode = node_factory()
    prometheus: Prometheus = prometheus_factory(
        live.port, rules=rules_without_waiting(tmp_path / "alerts.yml")
    )
    assert live.http.post("/api/hunts", json=spec_document(), headers=ORG).status_code == 201
    wait_until(lambda: prometheus.scalar("min(questline_ready)") == 1, what="a ready node scraped")
    firing = 'ALERTS{alertname="QuestlineProjectionBehind", alertstate="firing"}'
    assert prometheus.query(firing) == []

    # The projection "stops": an event reaches the log without the read models applying it.
    store = live.node.store
    version = store.events.version("harbour-night")
    with store.transaction() as uow:
        uow.events.append(
            [RecordedEvent("harbour-night", version + 1, live.clock.now(), "stopped", HuntPaused())]
        )
    readiness = live.http.get("/readyz")
    assert readiness.status_code == 503
    assert "1 events behind" in readiness.text

    alerts = wait_until(lambda: prometheus.query(firing), what="the alert to fire")
    assert alerts[0]["metric"]["partition"] == "0"
    assert float(alerts[0]["value"][1]) == 1
    not_ready = wait_until(
        lambda: prometheus.query('ALERTS{alertname="QuestlineNotReady", alertstate="firing"}'),
        what="QuestlineNotReady to fire",
    )
    assert not_ready
    assert prometheus.scalar("max(questline_projection_lag_events)") == 1
