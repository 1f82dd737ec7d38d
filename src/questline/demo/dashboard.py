"""The demo's terminal view: the live leaderboard, submission rate and latency.

Team names and the hunt's title come from the server, that is from anyone who
registers: they go in as `Text`, never as Rich markup, so a name `[/]` cannot end
the demo with a MarkupError and `[link=...]` cannot send a terminal hyperlink.
"""

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from questline.loadgen.latency import LatencyRecorder


def render(board: dict[str, Any] | None, recorder: LatencyRecorder, title: str) -> Group:
    table = Table(title=Text(f"{title} — live leaderboard"), expand=True)
    table.add_column("#", justify="right", width=4)
    table.add_column("team")
    table.add_column("solved", justify="right")
    table.add_column("score", justify="right")
    if board is not None:
        for team in board["teams"]:
            table.add_row(
                str(team["rank"]), Text(team["name"]), str(team["solved"]), str(team["score"])
            )
    p50, p95, p99 = recorder.percentiles(50, 95, 99)
    outcomes = ", ".join(f"{k}: {v}" for k, v in recorder.statuses.most_common(6))
    stats = (
        f"requests sent {recorder.sent}, answered {recorder.completed}, "
        f"{recorder.rate():.1f}/s over the last {recorder.window_seconds:.0f} s\n"
        f"latency from intended send: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms\noutcomes: {outcomes}"
    )
    return Group(table, Panel(Text(stats), title="load"))


def summary_line(recorder: LatencyRecorder) -> str:
    p50, p95, p99 = recorder.percentiles(50, 95, 99)
    return (
        f"sent {recorder.sent} answered {recorder.completed} rate {recorder.rate():.1f}/s "
        f"p50 {p50 * 1000:.1f}ms p95 {p95 * 1000:.1f}ms p99 {p99 * 1000:.1f}ms"
    )
