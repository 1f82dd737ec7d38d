"""What teams and the public see, composed from read-model rows.

Pure functions: the HTTP layer and the pages share them, and neither ever
puts a stored answer or code into what they return.
"""

from typing import Any

from questline.domain.definition import Clue, HuntDefinition
from questline.domain.dynamic_scoring import clue_value
from questline.domain.projections.rows import ClueStatsRow, HuntRow, TeamRow
from questline.domain.timestamps import Micros, to_rfc3339


def phase(row: HuntRow, now: Micros) -> str:
    definition = row.definition
    if now >= definition.ends_at:
        return "ended"
    if now < definition.starts_at:
        return "scheduled"
    return "paused" if row.paused else "live"


def public_board_is_frozen(definition: HuntDefinition, now: Micros) -> bool:
    freeze_at = definition.freeze_at
    return freeze_at is not None and freeze_at <= now < definition.ends_at


def hunt_summary(row: HuntRow, now: Micros) -> dict[str, Any]:
    d = row.definition
    return {
        "id": d.id,
        "title": d.title,
        "starts_at": to_rfc3339(d.starts_at),
        "ends_at": to_rfc3339(d.ends_at),
        "freeze_at": to_rfc3339(d.freeze_at) if d.freeze_at is not None else None,
        "state": phase(row, now),
    }


def is_open(clue: Clue, team: TeamRow) -> bool:
    requires = clue.requires
    if requires is None:
        return True
    return sum(1 for r in requires.of if r in team.solved) >= requires.count


def current_value(clue: Clue, solved: bool, solves: int) -> int:
    """Held points for a solver; what solving now would earn (before bonus) otherwise."""
    return clue_value(clue.points, solves if solved else solves + 1)


def attempts_left(clue: Clue, team: TeamRow) -> int | None:
    if clue.max_attempts is None:
        return None
    return max(clue.max_attempts - team.wrong.get(clue.id, 0), 0)


def clue_view(clue: Clue, team: TeamRow, solves: int) -> dict[str, Any]:
    solved = clue.id in team.solved
    unlocked = {hint_id for clue_id, hint_id in team.hints if clue_id == clue.id}
    return {
        "id": clue.id,
        "title": clue.title,
        "text": clue.text,
        "kind": clue.kind,
        "points": current_value(clue, solved, solves),
        "solved": solved,
        "attempts_left": attempts_left(clue, team),
        "hints": [
            {"id": h.id, "cost": h.cost, "unlocked": True, "text": h.text}
            if h.id in unlocked
            else {"id": h.id, "cost": h.cost, "unlocked": False}
            for h in clue.hints
        ],
    }


def open_clues(
    definition: HuntDefinition, team: TeamRow, stats: dict[str, ClueStatsRow]
) -> list[dict[str, Any]]:
    return [
        clue_view(clue, team, stats[clue.id].solves if clue.id in stats else 0)
        for clue in definition.clues
        if is_open(clue, team)
    ]


def team_progress(
    definition: HuntDefinition,
    team: TeamRow,
    stats: dict[str, ClueStatsRow],
    score: int,
    rank: int | None,
) -> dict[str, Any]:
    solved = []
    for clue in definition.clues:
        if clue.id in team.solved:
            solves = stats[clue.id].solves if clue.id in stats else 0
            solved.append(
                {
                    "clue": clue.id,
                    "points": current_value(clue, True, solves),
                    "bonus": team.bonus.get(clue.id, 0),
                }
            )
    return {
        "team_id": team.team_id,
        "name": team.name,
        "score": score,
        "rank": rank,
        "solved": solved,
        "open_clues": [
            clue.id
            for clue in definition.clues
            if is_open(clue, team) and clue.id not in team.solved
        ],
        "hints_unlocked": [{"clue": c, "hint": h} for c, h in team.hints],
        "attempts_left": {
            clue.id: attempts_left(clue, team)
            for clue in definition.clues
            if clue.max_attempts is not None
        },
        "pending_reviews": [{"clue": c, "review_id": r} for c, r in team.pending.items()],
        "hint_costs": team.hint_costs,
        "adjustments": team.adjustments,
    }
