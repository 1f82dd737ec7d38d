"""How long a client waits before retrying what a server refused with Retry-After.

The server says how long at least; waiting exactly that long would bring every refused
client back in the same instant (a thundering herd that is refused again). Each waits
between once and twice the time, drawn at random, so the retries spread over a window
as long as the wait itself."""

import random

DEFAULT_S = 1.0


def retry_delay(retry_after: str | None, rng: random.Random, default: float = DEFAULT_S) -> float:
    """Seconds to wait, from the Retry-After header's value (seconds; `default` when it
    is missing or not a number)."""
    try:
        seconds = float(retry_after) if retry_after is not None else default
    except ValueError:
        seconds = default
    if not seconds >= 0:  # NaN, negative
        seconds = default
    return seconds * (1.0 + rng.random())
