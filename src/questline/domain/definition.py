"""A hunt definition as the engine keeps it: validated, typed, immutable.

`definition_parsing` builds these from organizer files; events carry them.
"""

from typing import Literal

import msgspec

from questline.domain.timestamps import Micros


class Value(msgspec.Struct, frozen=True, omit_defaults=True):
    """Immutable, and encoded without fields at their defaults: a field added later
    (with a default) leaves the encoding of every older definition as it was, so
    hashes over the events that carry definitions never change."""


class TextAnswer(Value, frozen=True, tag="text", tag_field="kind"):
    accept: tuple[str, ...] = ()
    accept_regex: tuple[str, ...] = ()
    keep_going: tuple[str, ...] = ()


class GeoAnswer(Value, frozen=True, tag="geo", tag_field="kind"):
    lat: float
    lon: float
    radius_m: float


class CodeAnswer(Value, frozen=True, tag="code", tag_field="kind"):
    codes: tuple[str, ...]


class PhotoAnswer(Value, frozen=True, tag="photo", tag_field="kind"):
    pass


class Part(Value, frozen=True):
    """One part of a clue in parts: judged like a text answer, worth its own points."""

    id: str
    title: str
    points: int
    accept: tuple[str, ...] = ()
    accept_regex: tuple[str, ...] = ()
    keep_going: tuple[str, ...] = ()

    def as_text(self) -> TextAnswer:
        """A part is judged like a text answer."""
        return TextAnswer(self.accept, self.accept_regex, self.keep_going)


class PartsAnswer(Value, frozen=True, tag="parts", tag_field="kind"):
    parts: tuple[Part, ...]

    def part(self, part_id: str) -> Part | None:
        for part in self.parts:
            if part.id == part_id:
                return part
        return None


# The clue kinds: this union is their one list (tags are the kind names).
AnswerSpec = TextAnswer | GeoAnswer | CodeAnswer | PhotoAnswer | PartsAnswer
AnswerKind = Literal["text", "geo", "code", "photo", "parts"]
ANSWER_KINDS: tuple[AnswerKind, ...] = tuple(
    spec.__struct_config__.tag for spec in AnswerSpec.__args__
)

DecayFunction = Literal["linear", "logarithmic"]
Ranking = Literal["score", "finish"]


class DynamicPoints(Value, frozen=True):
    initial: int
    minimum: int
    decay: int
    function: DecayFunction


class Hint(Value, frozen=True):
    id: str
    text: str
    cost: int


class Requires(Value, frozen=True):
    """Open when at least `count` of `of` are solved (`count == len(of)` means all)."""

    of: tuple[str, ...]
    count: int


class Release(Value, frozen=True):
    """When a clue or round opens on the clock: at `at`, or `after` the hunt's start
    (kept as written, so a revision that moves `starts_at` moves it too)."""

    at: Micros | None = None
    after: Micros | None = None  # a duration in microseconds

    def time(self, starts_at: Micros) -> Micros:
        return self.at if self.at is not None else starts_at + (self.after or 0)


class Round(Value, frozen=True):
    id: str
    title: str
    requires: Requires | None = None
    release: Release | None = None
    hidden: bool = False


class Division(Value, frozen=True):
    id: str
    title: str


class Clue(Value, frozen=True):
    id: str
    title: str
    text: str
    points: int | DynamicPoints
    answer: AnswerSpec
    hints: tuple[Hint, ...] = ()
    requires: Requires | None = None
    max_attempts: int | None = None
    round: str | None = None
    meta: bool = False
    release: Release | None = None
    hidden: bool = False
    expected_minutes: int | None = None  # a difficulty hint for rehearsals

    @property
    def kind(self) -> AnswerKind:
        kind: AnswerKind = self.answer.__struct_config__.tag  # type: ignore[assignment]
        return kind

    def hint(self, hint_id: str) -> Hint | None:
        for hint in self.hints:
            if hint.id == hint_id:
                return hint
        return None


class HuntDefinition(Value, frozen=True):
    id: str
    title: str
    starts_at: Micros
    ends_at: Micros
    clues: tuple[Clue, ...]
    freeze_at: Micros | None = None
    team_size_max: int | None = None
    first_solve_bonus: tuple[int, ...] = ()
    wrong_per_minute: int = 10
    wrong_answer_penalty: int = 0
    listed: bool = False
    ranking: Ranking = "score"
    finish: str | None = None  # the final clue: a team finishes when it solves it
    rounds: tuple[Round, ...] = ()
    divisions: tuple[Division, ...] = ()

    def clue(self, clue_id: str) -> Clue | None:
        for clue in self.clues:
            if clue.id == clue_id:
                return clue
        return None

    def round(self, round_id: str) -> Round | None:
        for round_ in self.rounds:
            if round_.id == round_id:
                return round_
        return None
