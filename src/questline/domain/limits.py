"""The numeric limits of hunt-day.md, "Limits that keep one hunt from hurting another".

Points, costs, bonuses and adjustments are bounded so a team's score always fits
64 bits (SQLite's INTEGER, MessagePack, Cassandra's bigint): a clue worth 2^62
points once failed every command in its batch. Counts (attempts, the rate limit,
team size) are bounded for the same reason, far above any real hunt.
"""

MAX_POINTS = 1_000_000_000  # |points|, costs, bonuses, dynamic values, adjustments
MAX_RADIUS_M = 50_000_000.0
MAX_COUNT = 1_000_000  # max_attempts, wrong_per_minute, team_size.max


def points_problem(value: int) -> str | None:
    """Why a whole number of points is out of bounds, if it is."""
    if abs(value) > MAX_POINTS:
        return f"must be at most {MAX_POINTS:,} in absolute value, got {shown(value)}"
    return None


def shown(value: float) -> str:
    """A number for a message: a huge one is not written out (Python refuses to make
    text of an integer past 4,300 digits, and nobody reads one)."""
    if isinstance(value, int) and value.bit_length() > 128:
        return "a number far too large"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"
