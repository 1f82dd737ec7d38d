"""Clue values: static points, or CTFd-style decay computed exactly."""

from fractions import Fraction
from functools import lru_cache

from questline.domain.definition import DynamicPoints


@lru_cache(maxsize=65_536)
def dynamic_value(points: DynamicPoints, solves: int) -> int:
    """The value every solver holds when `solves` teams have solved the clue.

    Pure, and asked for on every score read: cached (exact Fractions are slow)."""
    s = max(solves - 1, 0)
    if points.function == "linear":
        exact = Fraction(points.initial - points.decay * s)
    else:
        exact = points.initial + Fraction(points.minimum - points.initial, points.decay**2) * s * s
    rounded_up = -((-exact.numerator) // exact.denominator)
    return max(rounded_up, points.minimum)


def clue_value(points: int | DynamicPoints, solves: int) -> int:
    if isinstance(points, int):
        return points
    return dynamic_value(points, solves)
