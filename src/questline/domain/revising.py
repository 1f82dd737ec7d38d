"""Deciding a revision of a live hunt (hunt-day.md "Errata").

A revision is one `HuntRevised` event, followed by the solves rejudging finds.
It is refused (422, every problem listed) when it would change the hunt id,
remove a clue, part or hint that any team has touched, or change the kind of a
clue with submissions. The reply lists the changes, every team whose rank or
score moves (from a fold of the new events into a copy of the standings) and
the solves found; a dry run answers the same and writes nothing.
"""

from questline.domain import rejections as refuse
from questline.domain.commands import ReviseHunt
from questline.domain.definition import HuntDefinition, PartsAnswer
from questline.domain.definition_changes import definition_changes
from questline.domain.events import ClueSolved, Event, HuntRevised, PartSolved, RecordedEvent
from questline.domain.hunt_state import HuntState
from questline.domain.rejections import Rejection
from questline.domain.rejudging import Found, rejudge
from questline.domain.replies import BoardChange, Rejudged, RevisionReply
from questline.domain.standings import Standings
from questline.domain.timestamps import Micros


def decide_revision(
    state: HuntState, command: ReviseHunt, now: Micros
) -> tuple[list[Event], RevisionReply] | Rejection:
    if command.expected_revision is not None and command.expected_revision != state.revision:
        return refuse.revision_mismatch(state.hunt_id, state.revision, command.expected_revision)
    new = command.definition
    problems = revision_problems(state, new)
    if problems:
        return refuse.invalid_input(
            f"the revision has {len(problems)} problem(s)",
            problems=[{"path": path, "message": message} for path, message in problems],
        )
    changes = tuple(definition_changes(state.definition, new))
    revision = state.revision + 1
    found = rejudge(state, new) if command.rejudge else []
    standings = Standings.load(state.definition, state.standings.dump())
    before = _ranks(standings)
    events: list[Event] = [HuntRevised(new, revision, changes)]
    _fold(standings, state, events[0], now)
    for solve in _solves(state, new, found):
        events.append(_valued(standings, solve))
        _fold(standings, state, events[-1], now, len(events) - 1)
    after = _ranks(standings)
    board = tuple(
        BoardChange(
            team_id,
            standings.entries[team_id].name,
            before[team_id][0],
            after[team_id][0],
            before[team_id][1],
            after[team_id][1],
        )
        for team_id in standings.ranked()
        if before[team_id] != after[team_id]
    )
    rejudged = tuple(Rejudged(f.team_id, f.clue_id, f.version) for f in found)
    return events, RevisionReply(revision, changes, board, rejudged)


def revision_problems(state: HuntState, new: HuntDefinition) -> list[tuple[str, str]]:
    old = state.definition
    problems: list[tuple[str, str]] = []
    if new.id != old.id:
        problems.append(("hunt.id", f"a revision cannot change the hunt id ({old.id!r})"))
    new_clues = {clue.id: clue for clue in new.clues}
    hints_used = {hint for team in state.teams.values() for hint in team.hints}
    parts_used = {
        (clue, part)
        for team in state.teams.values()
        for clue, parts in team.parts.items()
        for part in parts
    } | {(clue, part) for clue, part in state.attempts.units() if part}
    for clue in old.clues:
        replacement = new_clues.get(clue.id)
        touched = clue.id in state.touched or any(h[0] == clue.id for h in hints_used)
        if replacement is None:
            if touched:
                problems.append(
                    ("clues", f"clue {clue.id!r} cannot be removed: teams have played it")
                )
            continue
        path = f"clues[{new.clues.index(replacement)}]"
        if replacement.kind != clue.kind and clue.id in state.touched:
            problems.append(
                (
                    f"{path}.answer.kind",
                    f"clue {clue.id!r} has submissions: its answer kind stays {clue.kind}",
                )
            )
        kept_hints = {hint.id for hint in replacement.hints}
        for hint in clue.hints:
            if hint.id not in kept_hints and (clue.id, hint.id) in hints_used:
                problems.append(
                    (
                        f"{path}.hints",
                        f"hint {hint.id!r} of clue {clue.id!r} cannot be removed: "
                        "teams have unlocked it",
                    )
                )
        if isinstance(clue.answer, PartsAnswer) and isinstance(replacement.answer, PartsAnswer):
            kept_parts = {part.id for part in replacement.answer.parts}
            for part in clue.answer.parts:
                if part.id not in kept_parts and (clue.id, part.id) in parts_used:
                    problems.append(
                        (
                            f"{path}.answer.parts",
                            f"part {part.id!r} of clue {clue.id!r} cannot be removed: "
                            "teams have answered it",
                        )
                    )
    return problems


def _ranks(standings: Standings) -> dict[str, tuple[int, int]]:
    return {
        team_id: (rank, standings.score(team_id))
        for rank, team_id in enumerate(standings.ranked(), start=1)
    }


def _fold(
    standings: Standings, state: HuntState, event: Event, now: Micros, offset: int = 0
) -> None:
    standings.apply(RecordedEvent(state.hunt_id, state.version + 1 + offset, now, "", event))


def _solves(state: HuntState, new: HuntDefinition, found: list[Found]) -> list[Event]:
    """The events rejudging's finds become: part solves, and the clue solves they
    complete (counting at the latest of the clue's parts)."""
    events: list[Event] = []
    parts_now: dict[tuple[str, str], dict[str, tuple[int, Micros]]] = {
        (team_id, clue): dict(parts)
        for team_id, team in state.teams.items()
        for clue, parts in team.parts.items()
    }
    clues = {clue.id: clue for clue in new.clues}
    for f in found:
        if not f.part_id:
            later = state.teams[f.team_id].solved.get(f.clue_id)
            events.append(_solve_event(f.team_id, f.clue_id, f.version, f.time, f.penalty, later))
            continue
        clue = clues[f.clue_id]
        assert isinstance(clue.answer, PartsAnswer)
        part = clue.answer.part(f.part_id)
        assert part is not None
        solved_part = state.teams[f.team_id].parts.get(f.clue_id, {}).get(f.part_id)
        events.append(
            PartSolved(
                f.team_id,
                f.clue_id,
                f.part_id,
                part.points,
                "",
                counts_at=f.version,
                counts_at_time=f.time,
                refund=f.penalty,
                moved_from=solved_part[0] if solved_part is not None else None,
            )
        )
        solved = parts_now.setdefault((f.team_id, f.clue_id), {})
        solved[f.part_id] = (f.version, f.time)
        if all(p.id in solved for p in clue.answer.parts):
            at, time = max(solved[p.id] for p in clue.answer.parts)
            team_solved = state.teams[f.team_id].solved.get(f.clue_id)
            if team_solved is None or at < team_solved:
                events.append(_solve_event(f.team_id, f.clue_id, at, time, 0, team_solved))
    return events


def _solve_event(
    team_id: str, clue_id: str, at: int, time: Micros, refund: int, moved_from: int | None
) -> ClueSolved:
    return ClueSolved(
        team_id,
        clue_id,
        0,
        0,
        0,
        counts_at=at,
        counts_at_time=time,
        refund=refund,
        moved_from=moved_from,
    )


def _valued(standings: Standings, event: Event) -> Event:
    """The solve with what it earned filled in, as the copy of the standings has it."""
    if not isinstance(event, ClueSolved):
        return event
    assert event.counts_at is not None
    scores = standings.scores
    clue = standings.definition.clue(event.clue_id)
    in_parts = clue is not None and isinstance(clue.answer, PartsAnswer)
    place = scores.place(event.clue_id, event.counts_at)
    return ClueSolved(
        event.team_id,
        event.clue_id,
        0 if in_parts else scores.value_now(event.clue_id, solved=False),
        scores.bonus_for(place),
        place + 1,
        counts_at=event.counts_at,
        counts_at_time=event.counts_at_time,
        refund=event.refund,
        moved_from=event.moved_from,
    )
