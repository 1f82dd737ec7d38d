"""The line per committed event, written directly (event_lines.py), is the line
structlog writes for it (commands.event_line through logs.write_lines), field for
field and with the same redaction, for any ids a client or organizer could choose."""

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.contextvars import bound_contextvars

from questline.domain.events import AnswerWrong, HuntPaused, RecordedEvent, ScoreAdjusted
from questline.observability import event_lines
from questline.observability.commands import LOGGER, event_line
from questline.observability.logs import configure_logging, write_lines
from tests.observability.handlers import only_our_handler

texts = st.text(max_size=12) | st.sampled_from(["qlt_secret", "Bearer x", "answer: 42", "t-1"])


@st.composite
def committed(draw: st.DrawFn) -> tuple[RecordedEvent, str | None]:
    team = draw(texts)
    event = draw(
        st.sampled_from(
            [AnswerWrong(team, "c1", answer="secret"), ScoreAdjusted(team, 5, "x"), HuntPaused()]
        )
    )
    recorded = RecordedEvent(
        draw(texts),
        draw(st.integers(1, 10**12)),
        1_796_556_142_000_000,
        draw(texts),
        event,
        position=draw(st.integers(0, 10**12)),
        correlation_id=draw(texts),
    )
    return recorded, draw(st.none() | st.sampled_from(["submit", "adjust_score", ""]))


def _parsed(text: str) -> list[dict[str, object]]:
    return [
        {k: v for k, v in json.loads(line).items() if k != "@timestamp"}
        for line in text.split("\n")  # (not splitlines: a text may hold U+2028)
        if line
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(committed(), min_size=1, max_size=4), st.booleans())
def test_the_direct_line_is_the_line_structlog_writes(
    events: list[tuple[RecordedEvent, str | None]], projected: bool
) -> None:
    direct, through_structlog = io.StringIO(), io.StringIO()
    with only_our_handler():
        configure_logging(fmt="json", stream=direct)
        assert event_lines.write(LOGGER, events, projected)
        configure_logging(fmt="json", stream=through_structlog)
        lines = [event_line(recorded, command, projected) for recorded, command in events]
        assert write_lines(LOGGER, lines)
    assert _parsed(direct.getvalue()) == _parsed(through_structlog.getvalue())
    assert "qlt_secret" not in direct.getvalue() and "secret" not in direct.getvalue()


def test_a_bound_context_or_another_handler_means_the_usual_way() -> None:
    one = [(RecordedEvent("h", 1, 0, "c", HuntPaused()), None)]
    assert not event_lines.write(LOGGER, one, True)  # pytest's handlers are there
    with only_our_handler():
        configure_logging(fmt="json", stream=io.StringIO())
        with bound_contextvars(**{"trace.id": "corr-1"}):
            assert not event_lines.write(LOGGER, one, True)
