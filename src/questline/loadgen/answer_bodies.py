"""The JSON bodies simulated teams submit, with the mistakes real players make:
typos, half answers (`keep_going`), odd case and spacing, check-ins a street
away, mistyped codes. A clue in parts is answered one part at a time
(`{"clue", "part", "answer"}`, hunt-day.md "Clues in parts")."""

import math
import random
from typing import Any

from questline.domain.definition import (
    Clue,
    CodeAnswer,
    GeoAnswer,
    PartsAnswer,
    TextAnswer,
)
from questline.rehearsal.answers import right_answers

WRONG_WORDS = ("lamp", "clock", "tower", "door", "river", "boat", "chimney", "window")


def answer_body(
    clue: Clue, right: bool, rng: random.Random, part: str | None = None
) -> dict[str, Any]:
    answer = clue.answer
    if isinstance(answer, PartsAnswer):
        chosen = answer.part(part) if part is not None else None
        chosen = chosen or answer.parts[0]
        text = _text(chosen.as_text(), right, rng, _accepted(clue, chosen.id))
        return {"clue": clue.id, "part": chosen.id, "answer": text}
    if isinstance(answer, TextAnswer):
        return {"clue": clue.id, "answer": _text(answer, right, rng, _accepted(clue, ""))}
    if isinstance(answer, GeoAnswer):
        metres = rng.uniform(0, answer.radius_m * 0.8) if right else rng.uniform(80, 600)
        lat, lon = _offset(answer.lat, answer.lon, metres, rng)
        return {"clue": clue.id, "lat": lat, "lon": lon}
    if isinstance(answer, CodeAnswer):
        code = rng.choice(answer.codes)
        return {"clue": clue.id, "code": f" {code} " if right else _typo(code, rng)}
    raise ValueError(f"clue {clue.id!r} takes a {clue.kind}, not a JSON body")


def _accepted(clue: Clue, part: str) -> str | None:
    """An answer the clue (or part) accepts as written, or made from its pattern."""
    found = right_answers(clue)
    given = found.get(part) if found is not None else None
    text = getattr(given, "answer", None)
    return text if isinstance(text, str) else None


def _text(answer: TextAnswer, right: bool, rng: random.Random, accepted: str | None) -> str:
    if right:
        choice = rng.choice(answer.accept) if answer.accept else (accepted or "answer")
        return _vary_case(choice, rng)
    if answer.keep_going and rng.random() < 0.25:
        return rng.choice(answer.keep_going)
    base = accepted or "answer"
    return _typo(base, rng) if rng.random() < 0.5 else rng.choice(WRONG_WORDS)


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text + "x"
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # swap two letters


def _offset(lat: float, lon: float, metres: float, rng: random.Random) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    d_lat = metres * math.cos(bearing) / 111_320
    d_lon = metres * math.sin(bearing) / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return lat + d_lat, lon + d_lon


def _vary_case(text: str, rng: random.Random) -> str:
    styles = (str.lower, str.upper, str.title, lambda s: f"  {s}! ")
    return rng.choice(styles)(text)
