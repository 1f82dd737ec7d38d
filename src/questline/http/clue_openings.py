"""Which clues open for a team, and when: what the stream's `clue_opened` messages are
made of (hunt-day.md "Timed release"). Derived from the definition, what the team
solved and the clock, never stored, like openness itself (domain/openness.py)."""

from bisect import bisect_right
from collections.abc import Collection

from questline.domain.definition import Clue, HuntDefinition
from questline.domain.openness import open_clues, opens_at
from questline.domain.timestamps import Micros


def opening_times(definition: HuntDefinition) -> list[Micros]:
    """Every time at which some clue's (or its round's) release comes, sorted."""
    times = {opens_at(definition, clue) for clue in definition.clues}
    return sorted(t for t in times if t is not None)


def any_between(times: list[Micros], after: Micros, upto: Micros) -> bool:
    """Whether a time in `times` (sorted) lies in (after, upto]."""
    return bisect_right(times, upto) > bisect_right(times, after)


def newly_open(
    definition: HuntDefinition,
    solved_before: Collection[str],
    solved_after: Collection[str],
    before: Micros,
    after: Micros,
    kept_open: Collection[str],
) -> list[Clue]:
    """The clues open for the team at `after` (having solved `solved_after`) that were not
    open at `before` (having solved `solved_before`), in the definition's order; solved
    clues are no news."""
    was = open_clues(definition, solved_before, before, kept_open)
    now = open_clues(definition, solved_after, after, kept_open)
    return [
        clue
        for clue in definition.clues
        if clue.id in now and clue.id not in was and clue.id not in solved_after
    ]
