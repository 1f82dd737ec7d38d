"""Rejudging (hunt-day.md "Errata"): recorded wrong text, code and part answers of
clues whose accepted answers a revision changed, checked again under it.

For each team the earliest attempt that now matches becomes its solve of the
clue (or part). The solve counts at that attempt's log version and gives back
the penalty it paid; a team that solved the clue later has that solve moved
back to it. Rejudging only adds solves, so checking again under the same
definition finds nothing new.
"""

from dataclasses import dataclass

from questline.domain.answer_checking import PreparedAnswer, accepts, prepare_spec
from questline.domain.attempt_index import Attempt
from questline.domain.definition import Clue, HuntDefinition, PartsAnswer, TextAnswer
from questline.domain.hunt_state import HuntState, TeamState
from questline.domain.timestamps import Micros


@dataclass(frozen=True, slots=True)
class Found:
    """An earlier attempt that the new definition accepts."""

    team_id: str
    clue_id: str
    part_id: str  # "" for the clue itself
    version: int
    time: Micros
    penalty: int


def rejudge(state: HuntState, new: HuntDefinition) -> list[Found]:
    """The solves rejudging finds, in log order (the state is the one before `new`)."""
    found: list[Found] = []
    for clue in new.clues:
        old = state.clues.get(clue.id)
        if old is None or old.answer == clue.answer or clue.kind in ("geo", "photo"):
            continue
        if old.kind != clue.kind:
            continue  # the revision rules refuse this for a clue with submissions
        for part_id, prepared, before in _judged(old, clue):
            if _accepted(prepared) == before:
                continue
            earliest = _earliest_accepted(state, clue.id, part_id, prepared)
            for team_id, (version, time, penalty) in earliest.items():
                if _already_counts(state.teams[team_id], clue.id, part_id, version):
                    continue
                found.append(Found(team_id, clue.id, part_id, version, time, penalty))
    found.sort(key=lambda f: f.version)
    return found


def _judged(
    old: Clue, new: Clue
) -> list[tuple[str, PreparedAnswer, tuple[frozenset[str], tuple[str, ...], frozenset[str]]]]:
    """(part or "", the new prepared answer, what the old one accepted) per judged unit."""
    if isinstance(new.answer, PartsAnswer):
        old_parts = old.answer.parts if isinstance(old.answer, PartsAnswer) else ()
        before = {p.id: prepare_spec(p.as_text()) for p in old_parts}
        units = []
        for part in new.answer.parts:
            prepared = prepare_spec(part.as_text())
            previous = before.get(part.id)
            units.append((part.id, prepared, _accepted(previous) if previous else _NOTHING))
        return units
    prepared = prepare_spec(new.answer)
    return [("", prepared, _accepted(prepare_spec(old.answer)))]


_NOTHING: tuple[frozenset[str], tuple[str, ...], frozenset[str]] = (frozenset(), (), frozenset())


def _accepted(
    prepared: PreparedAnswer,
) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    spec = prepared.spec
    patterns = spec.accept_regex if isinstance(spec, TextAnswer) else ()
    return (prepared.accept, patterns, prepared.codes)


def _earliest_accepted(
    state: HuntState, clue_id: str, part_id: str, prepared: PreparedAnswer
) -> dict[str, Attempt]:
    earliest: dict[str, Attempt] = {}
    checked, ok = None, False  # an answer's teams follow one another: check it once
    for answer, team_id, attempt in state.attempts.answers((clue_id, part_id)):
        if answer != checked:
            checked, ok = answer, accepts(prepared, answer)
        if not ok:
            continue
        best = earliest.get(team_id)
        if best is None or attempt[0] < best[0]:
            earliest[team_id] = attempt
    return earliest


def _already_counts(team: TeamState, clue_id: str, part_id: str, version: int) -> bool:
    """The team's solve of the clue (or part) already counts at or before `version`."""
    if part_id:
        solved = team.parts.get(clue_id, {}).get(part_id)
        at = solved[0] if solved is not None else None
    else:
        at = team.solved.get(clue_id)
    return at is not None and at <= version
