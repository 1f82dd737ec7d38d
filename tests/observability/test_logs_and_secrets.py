"""Logs are ECS JSON lines; the correlation id joins a request to its events' lines; no
answer, code, token or token digest reaches the logs or the metrics."""

import io
import json
import logging
from typing import Any

import pytest

from questline.http.tokens import token_hash
from questline.observability.logs import REDACTED, configure_logging, get_logger
from tests.hunt_builders import spec_document
from tests.observability.conftest import (
    ORG,
    ORGANIZER_TOKEN,
    LiveNode,
    Prometheus,
    metric_total,
    wait_until,
)

pytestmark = pytest.mark.integration

ECS_KEYS = ("@timestamp", "message", "ecs.version")
WRONG = "Zebra-Quokka-7731"  # a distinctive wrong answer
RIGHT = "Lighthouse Keeper"
CODE = "QL-7F3K-22"


def flat(line: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in line.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def play(live: LiveNode) -> dict[str, str]:
    assert live.http.post("/api/hunts", json=spec_document(), headers=ORG).status_code == 201
    joined = live.http.post(
        "/api/hunts/harbour-night/teams",
        json={"name": "Night Owls"},
        headers={"X-Correlation-ID": "corr-register-1"},
    )
    assert joined.status_code == 201
    token = joined.json()["token"]
    team = {"Authorization": f"Bearer {token}"}
    wrong = live.http.post(
        "/api/hunts/harbour-night/submissions",
        json={"clue": "lighthouse", "answer": WRONG},
        headers={**team, "X-Correlation-ID": "corr-wrong-1"},
    )
    assert wrong.json()["result"] == "incorrect"
    right = live.http.post(
        "/api/hunts/harbour-night/submissions",
        json={"clue": "lighthouse", "answer": RIGHT},
        headers={**team, "X-Correlation-ID": "corr-right-1", "Idempotency-Key": "k-1"},
    )
    assert right.json()["result"] == "correct"
    code = live.http.post(
        "/api/hunts/harbour-night/submissions",
        json={"clue": "crate", "code": CODE},
        headers={**team, "X-Correlation-ID": "corr-code-1"},
    )
    assert code.json()["result"] == "correct"
    return {"token": token, "team_id": joined.json()["team_id"]}


def test_every_log_line_is_ecs_and_the_correlation_id_joins_request_and_events(
    node_factory: Any,
) -> None:
    live: LiveNode = node_factory()
    team = play(live)
    lines = [flat(line) for line in live.logs.lines()]
    assert len(lines) > 10
    for line in lines:
        for key in ECS_KEYS:
            assert key in line, (key, line)
        assert line["log.level"] in ("debug", "info", "warning", "error", "critical"), line
        assert line["service.name"] == "questline"

    joined = [line for line in lines if line.get("trace.id") == "corr-right-1"]
    actions = [line.get("event.action") for line in joined]
    assert "http-request" in actions, joined
    request = next(line for line in joined if line.get("event.action") == "http-request")
    assert request["http.response.status_code"] == 200
    assert request["questline.route"] == "/api/hunts/{hunt}/submissions"
    events = [line for line in joined if line.get("event.action") == "event-committed"]
    assert [e["questline.event_type"] for e in events] == ["clue_solved"]
    solved = events[0]
    assert solved["questline.hunt_id"] == "harbour-night"
    assert solved["questline.team_id"] == team["team_id"]
    assert solved["questline.projected"] is True
    stored = live.node.store.events.read(hunt_id="harbour-night")
    match = next(e for e in stored if e.correlation_id == "corr-right-1")
    assert solved["questline.hunt_version"] == match.version
    assert solved["questline.position"] == match.position

    # A route that does not pass the id explicitly still gets it into its events.
    registered = [
        line
        for line in lines
        if line.get("trace.id") == "corr-register-1"
        and line.get("questline.event_type") == "team_registered"
    ]
    assert len(registered) == 1


def test_an_answer_leaves_no_trace_in_logs_or_metrics(
    node_factory: Any, prometheus_factory: Any
) -> None:
    live: LiveNode = node_factory()
    prometheus: Prometheus = prometheus_factory(live.port)
    solved_before = metric_total(live.http, "questline_events_total", type="clue_solved")
    team = play(live)
    secrets = [WRONG, RIGHT, "keeper", CODE, team["token"], token_hash(team["token"])]
    secrets += [ORGANIZER_TOKEN, token_hash(ORGANIZER_TOKEN)]
    exposition = live.http.get("/metrics").text
    assert "questline_events_total" in exposition
    wait_until(
        lambda: (
            prometheus.scalar('sum(questline_events_total{type="clue_solved"})')
            == solved_before + 2
        ),
        what="Prometheus to scrape the solves",
    )
    series = prometheus.get("/api/v1/series", **{"match[]": '{job="questline"}'})["data"]
    label_values = json.dumps(series)
    logs = live.logs.text()
    for secret in secrets:
        for where, text in (("logs", logs), ("/metrics", exposition), ("Prometheus", label_values)):
            assert secret.lower() not in text.lower(), f"{secret!r} appears in {where}"


def test_the_redaction_processor_masks_secrets_whoever_logs_them() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream, fmt="json", level="DEBUG")
    try:
        log = get_logger("questline.test")
        log.info(
            "team qlt_abcdefgh12345 sent answer: Zebra-Quokka-7731",
            answer="Zebra-Quokka-7731",
            token="qlo_secret-organizer",
            **{"questline.token_hash": "a" * 64, "http.request.headers": {"authorization": "x"}},
            nested={"codes": ["QL-7F3K-22"], "safe": "kept", "note": "Bearer qlt_zzzzzzzz"},
        )
        logging.getLogger("some.library").warning("given code=QL-7F3K-22 by qlt_abcdefgh12345")
    finally:
        configure_logging(fmt="json")
    text = stream.getvalue()
    for secret in ("Zebra-Quokka-7731", "qlt_abcdefgh12345", "qlo_secret-organizer", "a" * 64):
        assert secret not in text
    assert "QL-7F3K-22" not in text
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["answer"] == REDACTED
    assert first["nested"]["codes"] == REDACTED
    assert first["nested"]["safe"] == "kept"
    assert first["questline"]["token_hash"] == REDACTED
    assert second["log"]["logger"] == "some.library"
    assert REDACTED in second["message"]
