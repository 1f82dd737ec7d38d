"""Judging a given answer against a clue, with the clue's accepted forms prepared once."""

from dataclasses import dataclass, field
from typing import Literal

from questline.domain.answer_patterns import AnswerPattern, compile_pattern
from questline.domain.commands import CodeGiven, GeoGiven, Given, PartGiven, PhotoGiven, TextGiven
from questline.domain.definition import (
    AnswerSpec,
    Clue,
    CodeAnswer,
    GeoAnswer,
    PartsAnswer,
    PhotoAnswer,
    TextAnswer,
)
from questline.domain.geo import haversine_m
from questline.domain.text_normalization import MAX_ANSWER_CODE_POINTS, normalize_answer

Verdict = Literal["correct", "incorrect", "keep_going", "pending_review"]


@dataclass(frozen=True, slots=True)
class PreparedAnswer:
    spec: AnswerSpec
    accept: frozenset[str]
    regexes: tuple[AnswerPattern, ...]  # compiled once, here: RE2, linear time
    keep_going: frozenset[str]
    codes: frozenset[str]
    given_type: type[Given]  # the kind of given answer the clue takes
    parts: dict[str, "PreparedAnswer"] = field(default_factory=dict)  # a clue in parts


_GIVEN_TYPES: dict[type, type[Given]] = {
    TextAnswer: TextGiven,
    GeoAnswer: GeoGiven,
    CodeAnswer: CodeGiven,
    PhotoAnswer: PhotoGiven,
    PartsAnswer: PartGiven,
}


def prepare(clue: Clue) -> PreparedAnswer:
    return prepare_spec(clue.answer)


def prepare_spec(spec: AnswerSpec) -> PreparedAnswer:
    if isinstance(spec, TextAnswer):
        return PreparedAnswer(
            spec,
            frozenset(normalize_answer(a) for a in spec.accept),
            tuple(compile_pattern(r) for r in spec.accept_regex),
            frozenset(normalize_answer(k) for k in spec.keep_going),
            frozenset(),
            TextGiven,
        )
    if isinstance(spec, PartsAnswer):
        parts = {part.id: prepare_spec(part.as_text()) for part in spec.parts}
        return PreparedAnswer(spec, frozenset(), (), frozenset(), frozenset(), PartGiven, parts)
    codes = (
        frozenset(c.strip() for c in spec.codes) if isinstance(spec, CodeAnswer) else frozenset()
    )
    return PreparedAnswer(spec, frozenset(), (), frozenset(), codes, _GIVEN_TYPES[type(spec)])


def input_problem(given: Given) -> tuple[str | None, str | None]:
    """(what makes a given answer invalid input regardless of the clue, if anything;
    the normalized text answer, so it is computed once)."""
    if isinstance(given, TextGiven | PartGiven):
        if len(given.answer) > MAX_ANSWER_CODE_POINTS:
            length = len(given.answer)
            return f"the answer is {length} characters long; at most 1000 are allowed", None
        normalized = normalize_answer(given.answer)
        if not normalized:
            return "the answer has no letters or digits once normalized", None
        return None, normalized
    return _other_problem(given), None


def _other_problem(given: Given) -> str | None:
    if isinstance(given, CodeGiven):
        if len(given.code) > MAX_ANSWER_CODE_POINTS:
            return f"the code is {len(given.code)} characters long; at most 1000 are allowed"
        if not given.code.strip():
            return "the code is empty"
    elif isinstance(given, GeoGiven):
        if not -90.0 <= given.lat <= 90.0:
            return f"lat must be between -90 and 90, got {given.lat}"
        if not -180.0 <= given.lon <= 180.0:
            return f"lon must be between -180 and 180, got {given.lon}"
    return None


def kind_of(given: Given) -> str:
    tag: str = given.__struct_config__.tag  # type: ignore[assignment]
    return tag


def judge(prepared: PreparedAnswer, given: Given, normalized: str | None = None) -> Verdict:
    """The verdict; `normalized` saves normalizing a text answer a second time."""
    spec = prepared.spec
    if isinstance(given, PartGiven) and isinstance(spec, PartsAnswer):
        return judge(prepared.parts[given.part], TextGiven(given.answer), normalized)
    if isinstance(given, TextGiven) and isinstance(spec, TextAnswer):
        if normalized is None:
            normalized = normalize_answer(given.answer)
        if normalized in prepared.accept:
            return "correct"
        if prepared.regexes and any(r.fullmatch(normalized) for r in prepared.regexes):
            return "correct"
        return "keep_going" if normalized in prepared.keep_going else "incorrect"
    if isinstance(given, GeoGiven) and isinstance(spec, GeoAnswer):
        distance = haversine_m(given.lat, given.lon, spec.lat, spec.lon)
        return "correct" if distance <= spec.radius_m else "incorrect"
    if isinstance(given, CodeGiven) and isinstance(spec, CodeAnswer):
        return "correct" if given.code.strip() in prepared.codes else "incorrect"
    if isinstance(given, PhotoGiven) and isinstance(spec, PhotoAnswer):
        return "pending_review"
    raise ValueError("the given answer does not fit the clue's kind")  # decide checks first


def accepts(prepared: PreparedAnswer, key: str) -> bool:
    """Whether a recorded wrong answer (its normalized text, or its trimmed code) is
    accepted by these prepared answers: rejudging asks it of each one."""
    if isinstance(prepared.spec, CodeAnswer):
        return key in prepared.codes
    return key in prepared.accept or any(r.fullmatch(key) for r in prepared.regexes)
