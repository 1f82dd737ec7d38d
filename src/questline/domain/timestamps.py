"""Time as whole microseconds since the Unix epoch, UTC.

Integers keep event times exact and comparable; RFC 3339 strings are only
for the edges (hunt files, HTTP).
"""

from datetime import UTC, datetime

Micros = int

MICROS_PER_SECOND = 1_000_000


def from_datetime(value: datetime) -> Micros:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def parse_rfc3339(text: str) -> Micros:
    """Parse an RFC 3339 time with an explicit offset; raise ValueError otherwise."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset (add Z for UTC)")
    return from_datetime(parsed)


def to_rfc3339(value: Micros) -> str:
    seconds, micros = divmod(value, MICROS_PER_SECOND)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    if micros:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{micros:06d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
