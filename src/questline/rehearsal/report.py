"""The report of a rehearsal as data: what `report.json` holds and `report.html`
draws. Plain values only (times as minutes from the start, or HH:MM UTC), so two
rehearsals with the same seed give byte-identical files.
"""

import statistics
from bisect import bisect_right

import msgspec

from questline.domain.timestamps import MICROS_PER_SECOND, Micros, to_rfc3339
from questline.rehearsal.difficulty import expected_minutes
from questline.rehearsal.findings import Findings, find
from questline.rehearsal.review_desk import queue_lengths
from questline.rehearsal.simulation import Rehearsal

MINUTE = 60 * MICROS_PER_SECOND
SOLVE_STEP = 5  # minutes between the points of the solves and finishes series
BOARD_ROWS = 15
DIVISION_ROWS = 10


class ClueRow(msgspec.Struct, frozen=True):
    id: str
    title: str
    round: str | None
    kind: str
    meta: bool
    expected_minutes: int
    expected_derived: bool  # from its points: the organizer gave no expected_minutes
    reached: int  # teams it was open for at some point
    started: int
    solved: int
    median_minutes: float | None  # from starting on it to solving it, over its solvers
    wrong: int
    half: int  # keep-going answers
    hints: int
    held: int  # teams it held back for the threshold or longer


class Series(msgspec.Struct, frozen=True):
    name: str
    points: list[tuple[float, float]]  # (minutes from the start, value)


class BoardLine(msgspec.Struct, frozen=True):
    rank: int
    team: str
    division: str | None
    score: int
    solved: int
    finished: str | None  # HH:MM UTC


class Board(msgspec.Struct, frozen=True):
    name: str  # "All teams", or a division's title
    rows: list[BoardLine]


class Report(msgspec.Struct, frozen=True):
    hunt: str
    title: str
    starts_at: str
    ends_at: str
    freeze_at: str | None
    minutes: int  # the hunt's length
    teams: int
    seed: int
    judges: int
    commands: int
    events: int
    refusals: dict[str, int]
    finish_rule: str
    finished: int
    quit: int
    finish_minutes: list[float]
    clues: list[ClueRow]
    solves_by: str  # "round", or "clue" in a hunt without rounds
    solves: list[Series]  # solves so far, per round (or per clue)
    finishes: Series  # teams finished so far
    board_label: str
    boards: list[Board]
    review_queue: list[Series]  # photos waiting, per judge count, for the same photos
    findings: Findings

    def to_json(self) -> bytes:
        return msgspec.json.format(msgspec.json.encode(self), indent=2) + b"\n"


def build_report(rehearsal: Rehearsal) -> Report:
    d = rehearsal.definition
    seen = rehearsal.observations
    findings = find(rehearsal)
    start = d.starts_at
    finish_minutes = sorted(round((t - start) / MINUTE, 1) for t in seen.finished.values())
    return Report(
        hunt=d.id,
        title=d.title,
        starts_at=to_rfc3339(d.starts_at),
        ends_at=to_rfc3339(d.ends_at),
        freeze_at=to_rfc3339(d.freeze_at) if d.freeze_at is not None else None,
        minutes=(d.ends_at - d.starts_at) // MINUTE,
        teams=rehearsal.settings.teams,
        seed=rehearsal.settings.seed,
        judges=rehearsal.settings.judges,
        commands=rehearsal.commands,
        events=rehearsal.events,
        refusals=rehearsal.refusals,
        finish_rule=f"solving {d.finish}" if d.finish else "solving every clue",
        finished=len(seen.finished),
        quit=len(seen.quit),
        finish_minutes=finish_minutes,
        clues=_clue_rows(rehearsal, findings.held_minutes),
        solves_by="round" if d.rounds else "clue",
        solves=_solves(rehearsal),
        finishes=Series("finished", _cumulative(list(seen.finished.values()), start, d.ends_at)),
        board_label=(
            f"at the freeze ({_clock(d.freeze_at)})" if d.freeze_at is not None else "at the end"
        ),
        boards=_boards(rehearsal),
        review_queue=_review_queue(rehearsal),
        findings=findings,
    )


def _clue_rows(rehearsal: Rehearsal, held_minutes: float) -> list[ClueRow]:
    seen = rehearsal.observations
    rows = []
    for clue in rehearsal.definition.clues:
        minutes, derived = expected_minutes(clue)
        started = seen.started.get(clue.id, {})
        solved = seen.solved.get(clue.id, {})
        spans = [(at - started[team]) / MINUTE for team, at in solved.items() if team in started]
        held = seen.held.get(clue.id, {}).values()
        rows.append(
            ClueRow(
                clue.id,
                clue.title,
                clue.round,
                clue.kind,
                clue.meta,
                minutes,
                derived,
                len(seen.reached.get(clue.id, {})),
                len(started),
                len(solved),
                round(statistics.median(spans), 1) if spans else None,
                seen.wrong[clue.id],
                seen.half[clue.id],
                seen.hints[clue.id],
                sum(1 for m in held if m >= held_minutes * MINUTE),
            )
        )
    return rows


def _solves(rehearsal: Rehearsal) -> list[Series]:
    d = rehearsal.definition
    seen = rehearsal.observations
    groups: dict[str, list[Micros]] = {}
    if d.rounds:
        titles = {round_.id: round_.title for round_ in d.rounds}
        for round_ in d.rounds:
            groups[round_.title] = []
        for clue in d.clues:
            name = titles[clue.round] if clue.round is not None else clue.title
            groups.setdefault(name, []).extend(seen.solved.get(clue.id, {}).values())
    else:
        for clue in d.clues:
            groups[clue.title] = list(seen.solved.get(clue.id, {}).values())
    return [
        Series(name, _cumulative(times, d.starts_at, d.ends_at)) for name, times in groups.items()
    ]


def _cumulative(times: list[Micros], start: Micros, end: Micros) -> list[tuple[float, float]]:
    ordered = sorted(times)
    return [
        (float(minute), float(bisect_right(ordered, start + minute * MINUTE)))
        for minute in range(0, (end - start) // MINUTE + 1, SOLVE_STEP)
    ]


def _boards(rehearsal: Rehearsal) -> list[Board]:
    seen = rehearsal.observations
    lines = [
        BoardLine(
            row.rank,
            row.name,
            row.division,
            row.score,
            row.solved,
            _clock(row.finished_at) if row.finished_at is not None else None,
        )
        for row in seen.board
    ]
    boards = [Board("All teams", lines[:BOARD_ROWS])]
    for division in rehearsal.definition.divisions:
        ranked = [line for line in lines if line.division == division.id][:DIVISION_ROWS]
        boards.append(
            Board(
                division.title,
                [msgspec.structs.replace(line, rank=rank) for rank, line in enumerate(ranked, 1)],
            )
        )
    return boards


def judge_counts(judges: int) -> list[int]:
    """The judge counts the queue is drawn for: the rehearsal's own, fewer and more."""
    return sorted({1, max(1, judges // 2), judges, judges * 2, judges * 4})[:5]


def _review_queue(rehearsal: Rehearsal) -> list[Series]:
    d = rehearsal.definition
    samples = list(range(d.starts_at, d.ends_at + 1, MINUTE))
    minutes = [float(i) for i in range(len(samples))]
    series = []
    for judges in judge_counts(rehearsal.settings.judges):
        lengths = queue_lengths(rehearsal.photos, judges, samples)
        name = f"{judges} judge{'s' if judges != 1 else ''}"
        series.append(Series(name, [(m, float(n)) for m, n in zip(minutes, lengths, strict=True)]))
    return series


def _clock(at: Micros) -> str:
    return to_rfc3339(at)[11:16]
