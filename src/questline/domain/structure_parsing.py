"""The parts of a hunt document that give it shape: rounds, divisions, and when a
clue or round opens on the clock (hunt-day.md "Timed release", "Rounds and
metas", "Divisions").
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from questline.domain.definition import Division, Release, Requires, Round
from questline.domain.parse_collector import MAX_TITLE, Collector, describe
from questline.domain.timestamps import MICROS_PER_SECOND, Micros

_DURATION = re.compile(r"(?:(\d{1,4})h)?(?:(\d{1,6})m)?(?:(\d{1,8})s)?")
MAX_ROUNDS = 100
MAX_DIVISIONS = 50

RequiresParser = Callable[[Collector, object, str], Requires | None]


def parse_duration(out: Collector, value: object, path: str) -> Micros | None:
    """ "45m", "1h30m", "90s": a duration in microseconds."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or not value or not any(match.groups()):
        out.add(path, f'must be a duration such as "45m", "1h30m" or "90s", got {describe(value)}')
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * MICROS_PER_SECOND


def parse_release(out: Collector, raw: Mapping[str, Any], path: str) -> Release | None:
    """`opens_at: time` or `opens_after: duration` (from the hunt's start), if given."""
    at = raw.get("opens_at")
    after = raw.get("opens_after")
    if at is not None and after is not None:
        out.add(f"{path}.opens_after", "give opens_at or opens_after, not both")
        return None
    if at is not None:
        time = out.time(at, f"{path}.opens_at")
        return Release(at=time) if time is not None else None
    if after is not None:
        duration = parse_duration(out, after, f"{path}.opens_after")
        return Release(after=duration) if duration is not None else None
    return None


def parse_rounds(
    out: Collector, raw: object, parse_requires: RequiresParser
) -> tuple[Round, ...] | None:
    if not isinstance(raw, list):
        out.add("rounds", f"must be a list of rounds, got {describe(raw)}")
        return None
    if len(raw) > MAX_ROUNDS:
        out.add("rounds", f"has {len(raw)} rounds; at most {MAX_ROUNDS} are allowed")
        return None
    before = len(out.problems)
    rounds: list[Round] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path = f"rounds[{index}]"
        spec = out.mapping(item, path)
        if spec is None:
            continue
        out.unknown_keys(spec, _ROUND_KEYS, path)
        round_id = out.identifier(spec.get("id"), f"{path}.id")
        if round_id is not None and round_id in seen:
            out.add(f"{path}.id", f"duplicate round id {round_id!r}")
            continue
        title = (
            out.string(spec["title"], f"{path}.title", max_len=MAX_TITLE)
            if "title" in spec
            else round_id
        )
        requires = (
            parse_requires(out, spec["requires"], f"{path}.requires")
            if spec.get("requires") is not None
            else None
        )
        release = parse_release(out, spec, path)
        hidden = out.boolean(spec.get("hidden", False), f"{path}.hidden")
        if round_id is None or title is None or hidden is None:
            continue
        seen.add(round_id)
        rounds.append(Round(round_id, title, requires, release, hidden))
    return tuple(rounds) if len(out.problems) == before else None


def parse_divisions(out: Collector, raw: object) -> tuple[Division, ...] | None:
    path = "hunt.divisions"
    if not isinstance(raw, list) or not raw:
        out.add(path, f"must be a non-empty list of divisions, got {describe(raw)}")
        return None
    if len(raw) > MAX_DIVISIONS:
        out.add(path, f"has {len(raw)} divisions; at most {MAX_DIVISIONS} are allowed")
        return None
    before = len(out.problems)
    divisions: list[Division] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        dpath = f"{path}[{index}]"
        spec = out.mapping(item, dpath)
        if spec is None:
            continue
        out.unknown_keys(spec, {"id", "title"}, dpath)
        division_id = out.identifier(spec.get("id"), f"{dpath}.id")
        if division_id is not None and division_id in seen:
            out.add(f"{dpath}.id", f"division id {division_id!r} is used twice")
            continue
        title = (
            out.string(spec["title"], f"{dpath}.title", max_len=MAX_TITLE)
            if "title" in spec
            else division_id
        )
        if division_id is None or title is None:
            continue
        seen[division_id] = index
        divisions.append(Division(division_id, title))
    return tuple(divisions) if len(out.problems) == before else None


_ROUND_KEYS = {"id", "title", "requires", "opens_at", "opens_after", "hidden"}
