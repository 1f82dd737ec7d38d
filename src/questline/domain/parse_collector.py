"""Collecting the problems of a hunt document: each with the path of the value it is
about, so an organizer fixes a file in one pass instead of one error at a time.
The parsers of the definition's parts share this collector.
"""

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import msgspec

from questline.domain.limits import shown
from questline.domain.text_normalization import MAX_ANSWER_CODE_POINTS
from questline.domain.timestamps import Micros, from_datetime, parse_rfc3339

ID_PATTERN = re.compile(r"[a-z0-9-]{1,64}")
MAX_TITLE = 200
MAX_TEXT = 10_000


class Problem(msgspec.Struct, frozen=True):
    path: str
    message: str


class InvalidHunt(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p.path}: {p.message}" for p in self.problems)
        super().__init__(f"the hunt definition has {len(self.problems)} problem(s):\n{lines}")


class Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def mapping(self, value: object, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"must be a mapping, got {describe(value)}")
        return None

    def unknown_keys(self, value: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.add(join(path, str(key)), f"unknown key (known keys: {known})")

    def string(
        self, value: object, path: str, *, max_len: int, allow_empty: bool = False
    ) -> str | None:
        if not isinstance(value, str):
            self.add(path, f"must be a string, got {describe(value)}")
            return None
        if not allow_empty and not value.strip():
            self.add(path, "must not be empty")
            return None
        if len(value) > max_len:
            self.add(path, f"is {len(value)} characters long; at most {max_len} are allowed")
            return None
        return value

    def integer(self, value: object, path: str, *, minimum: int, maximum: int) -> int | None:
        """A whole number within [minimum, maximum]: every integer in a definition has
        an upper bound, so nothing overflows 64 bits downstream."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"must be a whole number, got {describe(value)}")
            return None
        if value < minimum:
            self.add(path, f"must be at least {minimum:,}, got {shown(value)}")
            return None
        if value > maximum:
            self.add(path, f"must be at most {maximum:,}, got {shown(value)}")
            return None
        return value

    def number(self, value: object, path: str, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, f"must be a number, got {describe(value)}")
            return None
        # Compared before converting: float() of a 310-digit integer overflows.
        if not low <= value <= high or (isinstance(value, float) and not math.isfinite(value)):
            self.add(path, f"must be between {shown(low)} and {shown(high)}, got {shown(value)}")
            return None
        return float(value)

    def time(self, value: object, path: str) -> Micros | None:
        if isinstance(value, datetime):
            return from_datetime(value)
        if isinstance(value, date):
            self.add(path, "must be a date and time (RFC 3339, e.g. 2026-12-01T18:00:00Z)")
            return None
        if not isinstance(value, str):
            self.add(path, f"must be an RFC 3339 time, got {describe(value)}")
            return None
        try:
            return parse_rfc3339(value)
        except ValueError as error:
            self.add(path, f"is not an RFC 3339 time with an offset: {error}")
            return None

    def boolean(self, value: object, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.add(path, f"must be true or false, got {describe(value)}")
            return None
        return value

    def identifier(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.add(path, f"must match [a-z0-9-]{{1,64}}, got {describe(value)}")
            return None
        return value

    def string_list(
        self,
        value: object,
        path: str,
        *,
        check: Callable[[str, str], bool] | None = None,
    ) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.add(path, f"must be a list of strings, got {describe(value)}")
            return None
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            text = self.string(item, item_path, max_len=MAX_ANSWER_CODE_POINTS)
            if text is None or (check is not None and not check(text, item_path)):
                ok = False
                continue
            items.append(text)
        return tuple(items) if ok else None


def describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
