"""What teams and the public see, composed from read-model rows.

Pure functions: the HTTP layer and the pages share them, and neither ever
puts a stored answer or code into what they return.
"""

from typing import Any

from questline.domain.definition import Clue, HuntDefinition, PartsAnswer, Requires
from questline.domain.dynamic_scoring import clue_value
from questline.domain.openness import clue_open, opens_at, round_open
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


def is_open(definition: HuntDefinition, clue: Clue, team: TeamRow, now: Micros) -> bool:
    return clue_open(definition, clue, team.solved, now, team.kept_open)


def current_value(clue: Clue, solved: bool, solves: int) -> int:
    """Held points for a solver; what solving now would earn (before bonus) otherwise
    (for a clue in parts: all its parts' points)."""
    return clue_value(clue.points, solves if solved else solves + 1)


def attempts_left(clue: Clue, team: TeamRow) -> int | None:
    if clue.max_attempts is None:
        return None
    return max(clue.max_attempts - team.wrong.get(clue.id, 0), 0)


def clue_view(clue: Clue, team: TeamRow, stats: ClueStatsRow | None) -> dict[str, Any]:
    solved = clue.id in team.solved
    unlocked = {hint_id for clue_id, hint_id in team.hints if clue_id == clue.id}
    solves = stats.solves if stats is not None else 0
    view: dict[str, Any] = {
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
        "round": clue.round,
        "solves": solves,
    }
    if clue.meta:
        view["meta"] = True
    answer = clue.answer
    if isinstance(answer, PartsAnswer):
        done = set(team.parts.get(clue.id, ()))
        view["parts"] = [
            {"id": p.id, "title": p.title, "points": p.points, "solved": p.id in done}
            for p in answer.parts
        ]
    return view


def open_clues(
    definition: HuntDefinition, team: TeamRow, stats: dict[str, ClueStatsRow], now: Micros
) -> list[dict[str, Any]]:
    return [
        clue_view(clue, team, stats.get(clue.id))
        for clue in definition.clues
        if is_open(definition, clue, team, now)
    ]


def locked_clues(definition: HuntDefinition, team: TeamRow, now: Micros) -> list[dict[str, Any]]:
    """The clues not yet open for the team, but for hidden ones (their own flag, or their
    round's): what opens each, never its text."""
    hidden_rounds = {r.id for r in definition.rounds if r.hidden}
    locked = []
    for clue in definition.clues:
        if clue.hidden or clue.round in hidden_rounds or is_open(definition, clue, team, now):
            continue
        when = opens_at(definition, clue)
        locked.append(
            {
                "id": clue.id,
                "title": clue.title,
                "opens_at": to_rfc3339(when) if when is not None and when > now else None,
                "requires": requires_view(clue.requires),
            }
        )
    return locked


def requires_view(requires: Requires | None) -> dict[str, Any] | None:
    if requires is None:
        return None
    if requires.count == len(requires.of):
        return {"all": requires.count, "of": list(requires.of)}
    return {"any": requires.count, "of": list(requires.of)}


def rounds_view(
    definition: HuntDefinition, team: TeamRow | None, now: Micros
) -> list[dict[str, Any]]:
    """Each round; with a team, whether it is open for it and whether its meta is solved
    (without one, hidden rounds are left out)."""
    metas = {clue.round: clue.id for clue in definition.clues if clue.meta and clue.round}
    views: list[dict[str, Any]] = []
    for r in definition.rounds:
        if team is None:
            if not r.hidden:
                views.append({"id": r.id, "title": r.title})
            continue
        is_round_open = round_open(definition, r, team.solved, now)
        if r.hidden and not is_round_open:
            continue
        meta = metas.get(r.id)
        views.append(
            {
                "id": r.id,
                "title": r.title,
                "open": is_round_open,
                "completed": meta is not None and meta in team.solved,
            }
        )
    return views


def team_progress(
    definition: HuntDefinition,
    team: TeamRow,
    stats: dict[str, ClueStatsRow],
    score: int,
    rank: int | None,
    now: Micros,
) -> dict[str, Any]:
    solved = []
    for clue in definition.clues:
        if clue.id in team.solved:
            clue_stats = stats.get(clue.id)
            solves = clue_stats.solves if clue_stats is not None else 0
            solved.append(
                {
                    "clue": clue.id,
                    "points": current_value(clue, True, solves),
                    "bonus": bonus_of(definition, clue_stats, team.team_id),
                }
            )
    return {
        "team_id": team.team_id,
        "name": team.name,
        "division": team.division,
        "score": score,
        "rank": rank,
        "solved": solved,
        "open_clues": [
            clue.id
            for clue in definition.clues
            if clue.id not in team.solved and is_open(definition, clue, team, now)
        ],
        "hints_unlocked": [{"clue": c, "hint": h} for c, h in team.hints],
        "attempts_left": {
            clue.id: attempts_left(clue, team)
            for clue in definition.clues
            if clue.max_attempts is not None
        },
        "pending_reviews": [{"clue": c, "review_id": r} for c, r in team.pending.items()],
        "hint_costs": team.hint_costs,
        "penalties": team.penalties,
        "parts": {clue: list(parts) for clue, parts in team.parts.items()},
        "reviews": [
            {"clue": r.clue, "approved": r.approved, "reason": r.reason, "time": to_rfc3339(r.time)}
            for r in team.reviews
        ],
        "adjustments": [
            {"points": a.points, "reason": a.reason, "time": to_rfc3339(a.time)}
            for a in team.adjustment_notes
        ],
        "messages": [{"text": m.text, "time": to_rfc3339(m.time)} for m in team.messages],
    }


def bonus_of(definition: HuntDefinition, stats: ClueStatsRow | None, team_id: str) -> int:
    """The first-solve bonus the team holds for a clue, by its solve's place."""
    bonuses = definition.first_solve_bonus
    if stats is None or not bonuses:
        return 0
    for place, (_, solver) in enumerate(stats.first_solves[: len(bonuses)]):
        if solver == team_id:
            return bonuses[place]
    return 0
