"""How long a typical team takes on a clue: the organizer's `expected_minutes`, or
a guess from its points when the clue has none (more points, harder clue).

The guess is one minute per ten points, between 5 and 60 minutes: a 100-point clue
takes ten minutes, a 500-point one fifty. It is a starting point the report shows
beside what the simulated teams did, not a claim about the organizer's puzzles.
"""

from questline.domain.definition import Clue, DynamicPoints, PartsAnswer

POINTS_PER_MINUTE = 10
FLOOR_MINUTES = 5
CEILING_MINUTES = 60


def clue_points(clue: Clue) -> int:
    """What the clue is worth on its face: its parts' sum, or a dynamic clue's start."""
    if isinstance(clue.answer, PartsAnswer):
        return sum(part.points for part in clue.answer.parts)
    if isinstance(clue.points, DynamicPoints):
        return clue.points.initial
    return clue.points


def expected_minutes(clue: Clue) -> tuple[int, bool]:
    """(minutes a typical team takes from starting on the clue to solving it,
    whether they were derived from the points rather than written by the organizer)."""
    if clue.expected_minutes is not None:
        return clue.expected_minutes, False
    derived = round(clue_points(clue) / POINTS_PER_MINUTE)
    return max(FLOOR_MINUTES, min(CEILING_MINUTES, derived)), True
