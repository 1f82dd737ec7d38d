"""Pieces of ECS JSON lines written directly, without structlog (access_log.py,
event_lines.py): the timestamp, and texts that repeat JSON-quoted once."""

import time

import msgspec

_json = msgspec.json.Encoder()


class Clock:
    """The ECS timestamp; its seconds are formatted once a second."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def stamp(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"


_quoted: dict[str, str] = {}  # route templates, codes, hunt and team ids, JSON-quoted once


def quote(text: str) -> str:
    """`text` as a JSON string; cached, for texts that repeat."""
    found = _quoted.get(text)
    if found is None:
        if len(_quoted) > 10_000:
            _quoted.clear()
        found = _quoted[text] = _json.encode(text).decode()
    return found


def quote_once(text: str) -> str:
    """`text` as a JSON string; for texts that do not repeat."""
    return _json.encode(text).decode()
