"""`report.html`: the rehearsal's charts and tables in one self-contained page, and
beside it `report.json` (the data) and each chart as its own SVG file (for docs)."""

from html import escape
from pathlib import Path

from questline.domain.timestamps import parse_rfc3339, to_rfc3339
from questline.rehearsal.report import Board, Report
from questline.rehearsal.summary import summary_lines
from questline.rehearsal.svg_charts import bar_chart, line_chart

MICROS_PER_MINUTE = 60_000_000

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
  max-width: 62rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: #555; } pre { background: #f5f5f5; padding: .8rem; overflow-x: auto;
  white-space: pre-wrap; } table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } svg { max-width: 100%; height: auto; }
"""


def charts(report: Report) -> dict[str, str]:
    """Each chart's file name and SVG text."""
    ticks = _hour_ticks(report)
    marks = _marks(report)
    drawn = {
        "solves.svg": line_chart(
            f"Solves over time, per {report.solves_by}",
            [(s.name, s.points) for s in report.solves],
            x_max=report.minutes,
            x_ticks=ticks,
            y_label="clues solved so far",
            marks=marks,
        ),
        "finishes.svg": line_chart(
            f"Teams finished ({report.finished} of {report.teams}; {report.finish_rule})",
            [("finished", report.finishes.points)],
            x_max=report.minutes,
            x_ticks=ticks,
            y_label="teams finished so far",
            marks=marks,
            steps=True,
        ),
        "review-queue.svg": line_chart(
            "Photos waiting for review, by number of judges",
            [(s.name, s.points) for s in report.review_queue],
            x_max=report.minutes,
            x_ticks=ticks,
            y_label="photos waiting",
            marks=marks,
        ),
    }
    for index, board in enumerate(report.boards):
        name = "board.svg" if index == 0 else f"board-{_slug(board.name)}.svg"
        drawn[name] = _board_chart(report, board)
    return drawn


def write_report(report: Report, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_bytes(report.to_json())
    drawn = charts(report)
    for name, svg in drawn.items():
        (out / name).write_text(svg, encoding="utf-8")
    page = out / "report.html"
    page.write_text(_page(report, drawn), encoding="utf-8")
    return page


def _board_chart(report: Report, board: Board) -> str:
    rows = []
    for line in board.rows:
        note = f"{line.score} pts, {line.solved} solved"
        if line.finished is not None:
            note += f", finished {line.finished}"
        rows.append((f"{line.rank}. {line.team}", float(max(line.score, 0)), note))
    return bar_chart(
        f"Leaderboard {report.board_label}: {board.name}", rows, value_label="score (points)"
    )


def _hour_ticks(report: Report) -> list[tuple[float, str]]:
    start = parse_rfc3339(report.starts_at)
    every = 30 if report.minutes <= 180 else 60
    return [
        (float(m), to_rfc3339(start + m * MICROS_PER_MINUTE)[11:16])
        for m in range(0, report.minutes + 1, every)
    ]


def _marks(report: Report) -> list[tuple[float, str]]:
    if report.freeze_at is None:
        return []
    minutes = (parse_rfc3339(report.freeze_at) - parse_rfc3339(report.starts_at)) // 60_000_000
    return [(float(minutes), "freeze")]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "division"


def _page(report: Report, drawn: dict[str, str]) -> str:
    title = f"Rehearsal of {report.title}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(report.hunt)} · {escape(report.starts_at)} to '
        f"{escape(report.ends_at)} · {report.teams} simulated teams · seed {report.seed} · "
        f"{report.judges} judge(s) · {report.commands:,} commands decided by the rules</p>",
        "<h2>Summary</h2>",
        f"<pre>{escape(chr(10).join(summary_lines(report)))}</pre>",
        "<h2>Solves over time</h2>",
        f"<figure>{drawn['solves.svg']}</figure>",
        "<h2>Finish times</h2>",
        f"<figure>{drawn['finishes.svg']}</figure>",
        f"<h2>The leaderboard {escape(report.board_label)}</h2>",
    ]
    for name, svg in drawn.items():
        if name.startswith("board"):
            parts.append(f"<figure>{svg}</figure>")
    parts += [
        "<h2>The photo-review queue</h2>",
        "<p>The rehearsal's own judges, and what fewer or more would have meant for the same "
        "photos arriving at the same times.</p>",
        f"<figure>{drawn['review-queue.svg']}</figure>",
        "<h2>Clues</h2>",
        _clue_table(report),
        "<h2>Teams out of open clues</h2>",
        _idle_table(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _clue_table(report: Report) -> str:
    head = (
        "<tr><th>clue</th><th>round</th><th>kind</th><th class=n>expected min</th>"
        "<th class=n>reached</th><th class=n>solved</th><th class=n>median min at work</th>"
        "<th class=n>wrong</th><th class=n>keep going</th><th class=n>hints</th>"
        "<th class=n>held back</th></tr>"
    )
    rows = []
    for c in report.clues:
        expected = f"{c.expected_minutes}{' (from points)' if c.expected_derived else ''}"
        median = "–" if c.median_minutes is None else f"{c.median_minutes:g}"
        title = f"{c.title} ({c.id})" + (" · meta" if c.meta else "")
        rows.append(
            f"<tr><td>{escape(title)}</td><td>{escape(c.round or '')}</td>"
            f"<td>{escape(c.kind)}</td><td class=n>{escape(expected)}</td>"
            f"<td class=n>{c.reached}</td><td class=n>{c.solved}</td><td class=n>{median}</td>"
            f"<td class=n>{c.wrong}</td><td class=n>{c.half}</td><td class=n>{c.hints}</td>"
            f"<td class=n>{c.held}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _idle_table(report: Report) -> str:
    f = report.findings
    if not f.idle_teams:
        return f"<p>No team was without an open clue for {f.idle_minutes:g} minutes or more.</p>"
    rows = "".join(
        f"<tr><td>{escape(t.team)}</td><td class=n>{t.minutes:g}</td><td>{escape(t.start)}</td>"
        f"<td>{escape(t.cause)}</td></tr>"
        for t in f.idle_teams
    )
    return (
        f"<p>{f.idle_team_count} team(s) had nothing to work on for {f.idle_minutes:g} minutes "
        "or more; the longest stretches:</p><table><tr><th>team</th><th class=n>minutes</th>"
        f"<th>from</th><th>why</th></tr>{rows}</table>"
    )
