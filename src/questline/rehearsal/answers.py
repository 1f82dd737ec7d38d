"""What a simulated team types: a right answer when it has solved the puzzle, a
wrong guess or a half answer (`keep_going`) while it is still working.

A right answer is one the clue accepts as written (its first `accept` entry, or a
code it lists, or its check-in point). A clue that accepts only patterns gets an
example built from the pattern; every right answer is checked with the domain's
own judge before the rehearsal starts, and a clue with none the simulation can
type is named in the report rather than silently never solved.
"""

import random
import warnings
from typing import Any

from questline.domain.answer_checking import PreparedAnswer, judge, prepare_spec
from questline.domain.commands import CodeGiven, GeoGiven, Given, PartGiven, TextGiven
from questline.domain.definition import (
    AnswerSpec,
    Clue,
    CodeAnswer,
    GeoAnswer,
    PartsAnswer,
    PhotoAnswer,
    TextAnswer,
)

with warnings.catch_warnings():  # deprecated as a public name, still the stdlib's parser
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as sc
    import sre_parse

GUESSES = ("lantern", "anchor", "compass", "mermaid", "tide", "beacon", "harbour", "rope")
METRES_PER_DEGREE = 111_320.0


def right_answers(clue: Clue) -> dict[str, Given] | None:
    """The right answer of the clue (key "") or of each part (keyed by part id);
    None if the simulation cannot type one (a photo needs none: it is judged)."""
    answer = clue.answer
    if isinstance(answer, PartsAnswer):
        found: dict[str, Given] = {}
        for part in answer.parts:
            text = _accepted_text(part.as_text())
            if text is None:
                return None
            found[part.id] = PartGiven(part.id, text)
        return found
    given = _right_given(answer)
    return None if given is None else {"": given}


def _right_given(answer: AnswerSpec) -> Given | None:
    if isinstance(answer, TextAnswer):
        text = _accepted_text(answer)
        return None if text is None else TextGiven(text)
    if isinstance(answer, CodeAnswer):
        return CodeGiven(answer.codes[0])
    if isinstance(answer, GeoAnswer):
        return GeoGiven(answer.lat, answer.lon)
    assert isinstance(answer, PhotoAnswer)
    return None


def _accepted_text(answer: TextAnswer) -> str | None:
    prepared = prepare_spec(answer)
    candidates: list[str | None] = list(answer.accept[:1])
    for pattern in answer.accept_regex:
        candidates += [_example(pattern, at_least_one=False), _example(pattern, at_least_one=True)]
    for text in candidates:
        if text and _judged_right(prepared, TextGiven(text)):
            return text
    return None


def _judged_right(prepared: PreparedAnswer, given: TextGiven) -> bool:
    try:
        return judge(prepared, given) == "correct"
    except ValueError:
        return False


def wrong_given(clue: Clue, part: str | None, rng: random.Random) -> Given:
    """A guess that is almost surely wrong (the rules judge it all the same)."""
    answer = clue.answer
    word = f"{rng.choice(GUESSES)} {rng.randrange(1000)}"
    if isinstance(answer, PartsAnswer):
        return PartGiven(part or answer.parts[0].id, word)
    if isinstance(answer, CodeAnswer):
        return CodeGiven(f"{answer.codes[0]}-{rng.randrange(100)}")
    if isinstance(answer, GeoAnswer):
        metres = answer.radius_m + rng.uniform(80.0, 600.0)  # a street or two away
        return GeoGiven(min(90.0, answer.lat + metres / METRES_PER_DEGREE), answer.lon)
    return TextGiven(word)


def half_answer(clue: Clue, part: str | None, rng: random.Random) -> Given | None:
    """One of the clue's (or part's) `keep_going` answers, if it has any."""
    answer = clue.answer
    if isinstance(answer, PartsAnswer):
        chosen = answer.part(part) if part is not None else None
        if chosen is None or not chosen.keep_going:
            return None
        return PartGiven(chosen.id, rng.choice(chosen.keep_going))
    if isinstance(answer, TextAnswer) and answer.keep_going:
        return TextGiven(rng.choice(answer.keep_going))
    return None


# -- an example string for a pattern ---------------------------------------------------


def _example(pattern: str, *, at_least_one: bool) -> str | None:
    """A string the pattern matches (repeats taken at their minimum, or at least once),
    or None for constructs this does not cover. Only a candidate: the judge decides."""
    try:
        parsed = sre_parse.parse(pattern)
        return _render(list(parsed.data), at_least_one)
    except (ValueError, sc.error, _Unsupported):
        return None


class _Unsupported(Exception):
    pass


def _render(items: list[tuple[Any, Any]], at_least_one: bool) -> str:
    out: list[str] = []
    for op, value in items:
        if op is sc.LITERAL:
            out.append(chr(value))
        elif op is sc.ANY:
            out.append("a")
        elif op is sc.IN:
            out.append(_in_class(value))
        elif op is sc.BRANCH:
            out.append(_render(list(value[1][0]), at_least_one))
        elif op is sc.SUBPATTERN:
            out.append(_render(list(value[-1]), at_least_one))
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT) or str(op) == "POSSESSIVE_REPEAT":
            low, _high, inner = value
            times = max(low, 1) if at_least_one else low
            out.append(_render(list(inner), at_least_one) * times)
        elif op is sc.AT:
            continue
        else:
            raise _Unsupported(str(op))
    return "".join(out)


def _in_class(items: list[tuple[Any, Any]]) -> str:
    if items and items[0][0] is sc.NEGATE:
        raise _Unsupported("negated class")
    op, value = items[0]
    if op is sc.LITERAL:
        return chr(value)
    if op is sc.RANGE:
        return chr(value[0])
    if op is sc.CATEGORY:
        if value is sc.CATEGORY_DIGIT:
            return "0"
        if value is sc.CATEGORY_WORD:
            return "a"
    raise _Unsupported(str(op))
