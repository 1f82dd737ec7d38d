"""The ops summary's 15-minute figures: what happened stays on the tiles after traffic
stops, while the short window reads 0."""

from questline.observability import metrics
from questline.observability.summary import SummaryHistory, summarize

T0 = 1_000_000.0


def test_after_traffic_stops_the_last_15_minutes_still_show_it() -> None:
    history = SummaryHistory(started=T0)
    summarize(history, now=T0 + 1)
    metrics.COMMANDS.labels("submit", "accepted").inc(5)
    summarize(history, now=T0 + 40)  # kept as a half-minute reading

    quiet = summarize(history, now=T0 + 910)
    assert quiet["throughput"]["commands_per_second"] == 0
    recent = quiet["last_15_minutes"]
    assert recent["window_seconds"] == 909.0
    assert recent["commands"] == 5
    assert recent["commands_per_second"] == round(5 / 909, 2)


def test_a_process_younger_than_15_minutes_counts_from_its_start() -> None:
    history = SummaryHistory(started=T0)
    before = summarize(history, now=T0 + 1)["last_15_minutes"]["commands"]
    metrics.COMMANDS.labels("submit", "accepted").inc(3)
    recent = summarize(history, now=T0 + 120)["last_15_minutes"]
    assert recent["window_seconds"] == 120.0
    assert recent["commands"] == before + 3


def test_readings_older_than_15_minutes_are_dropped_but_one_stays_the_base() -> None:
    history = SummaryHistory(started=T0)
    for minute in range(40):
        summarize(history, now=T0 + 60 * minute)
    assert len(history.sparse) <= 16
    since, _ = history.recent(T0 + 60 * 39)
    assert since == T0 + 60 * 24
