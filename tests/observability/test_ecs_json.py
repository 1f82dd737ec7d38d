"""The fast ECS renderer writes exactly the line ecs_logging's formatter writes."""

import io
import json

import ecs_logging
import pytest
from structlog.contextvars import bound_contextvars

from questline.observability.logs import EcsJson, configure_logging, get_logger, write_lines
from tests.observability.handlers import only_our_handler

LINES = [
    {
        "event": "transaction committed",
        "event.action": "transaction-committed",
        "questline.partition": 3,
        "questline.correlation_ids": ["a", "b"],
        "trace.id": "abc",
        "service.name": "questline",
        "process.pid": 12,
        "log.logger": "questline.cluster",
    },
    {
        "event": "failed",
        "exception": "Traceback (most recent call last): ...",
        "error.message": "bad",
        "http.response.status_code": 500,
        "questline.nested": {"a.b": 1, "c": None},
        "questline.odd": object,
    },
    {"event": "plain", "log.level": "warning"},
]


@pytest.mark.parametrize("fields", LINES, ids=["nested", "exception", "level"])
@pytest.mark.parametrize("level", ["info", "warning"])
def test_the_line_is_the_one_ecs_logging_writes(fields: dict[str, object], level: str) -> None:
    stamped = {**fields, "@timestamp": "2026-12-01T18:00:00.123Z"}
    expected = ecs_logging.StructlogFormatter()(None, level, dict(stamped))
    assert EcsJson()(None, level, dict(stamped)) == expected


def test_lines_written_together_are_the_lines_logged_one_by_one() -> None:
    """`write_lines` (the worker's line per event) against `log.info`, on a process
    whose only handler is Questline's (pytest's own handlers set aside meanwhile)."""
    together, one_by_one = io.StringIO(), io.StringIO()
    lines = [
        ("event committed", {"event.action": "event-committed", "questline.hunt_id": "h"}),
        ("event committed", {"questline.team_id": "t-1", "questline.answer": "secret"}),
    ]
    with only_our_handler(), bound_contextvars(**{"trace.id": "corr-1"}):
        configure_logging(fmt="json", stream=together)
        assert write_lines("questline.test", lines)
        configure_logging(fmt="json", stream=one_by_one)
        log = get_logger("questline.test")
        for message, values in lines:
            log.info(message, **values)

    def parsed(text: str) -> list[dict[str, object]]:
        return [
            {k: v for k, v in json.loads(line).items() if k != "@timestamp"}
            for line in text.splitlines()
        ]

    assert parsed(together.getvalue()) == parsed(one_by_one.getvalue())
    assert [line["trace"] for line in parsed(together.getvalue())] == [{"id": "corr-1"}] * 2
    assert "secret" not in together.getvalue()


def test_lines_are_not_written_together_beside_another_handler() -> None:
    # pytest's capture handlers are on the root logger here: each line must reach them.
    assert not write_lines("questline.test", [("x", {})])
