"""Time as whole microseconds since the Unix epoch, UTC.

Integers keep event times exact and comparable; RFC 3339 strings are only
for the edges (hunt files, HTTP).
"""

from datetime import UTC, datetime, timedelta

Micros = int

MICROS_PER_SECOND = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_datetime(value: datetime) -> Micros:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
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
    """Always four-digit years (strftime's %Y gives "1" for year 1: not RFC 3339)."""
    m = _EPOCH + timedelta(microseconds=value)
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    return f"{text}.{m.microsecond:06d}Z" if m.microsecond else f"{text}Z"
