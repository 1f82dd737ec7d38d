"""A hunt definition as the engine keeps it: validated, typed, immutable.

`definition_parsing` builds these from organizer files; events carry them.
"""

from typing import Literal

import msgspec

from questline.domain.timestamps import Micros


class TextAnswer(msgspec.Struct, frozen=True, tag="text", tag_field="kind"):
    accept: tuple[str, ...] = ()
    accept_regex: tuple[str, ...] = ()
    keep_going: tuple[str, ...] = ()


class GeoAnswer(msgspec.Struct, frozen=True, tag="geo", tag_field="kind"):
    lat: float
    lon: float
    radius_m: float


class CodeAnswer(msgspec.Struct, frozen=True, tag="code", tag_field="kind"):
    codes: tuple[str, ...]


class PhotoAnswer(msgspec.Struct, frozen=True, tag="photo", tag_field="kind"):
    pass


AnswerSpec = TextAnswer | GeoAnswer | CodeAnswer | PhotoAnswer
AnswerKind = Literal["text", "geo", "code", "photo"]

DecayFunction = Literal["linear", "logarithmic"]


class DynamicPoints(msgspec.Struct, frozen=True):
    initial: int
    minimum: int
    decay: int
    function: DecayFunction


class Hint(msgspec.Struct, frozen=True):
    id: str
    text: str
    cost: int


class Requires(msgspec.Struct, frozen=True):
    """Open when at least `count` of `of` are solved (`count == len(of)` means all)."""

    of: tuple[str, ...]
    count: int


class Clue(msgspec.Struct, frozen=True):
    id: str
    title: str
    text: str
    points: int | DynamicPoints
    answer: AnswerSpec
    hints: tuple[Hint, ...] = ()
    requires: Requires | None = None
    max_attempts: int | None = None

    @property
    def kind(self) -> AnswerKind:
        kind: AnswerKind = self.answer.__struct_config__.tag  # type: ignore[assignment]
        return kind

    def hint(self, hint_id: str) -> Hint | None:
        for hint in self.hints:
            if hint.id == hint_id:
                return hint
        return None


class HuntDefinition(msgspec.Struct, frozen=True):
    id: str
    title: str
    starts_at: Micros
    ends_at: Micros
    clues: tuple[Clue, ...]
    freeze_at: Micros | None = None
    team_size_max: int | None = None
    first_solve_bonus: tuple[int, ...] = ()
    wrong_per_minute: int = 10

    def clue(self, clue_id: str) -> Clue | None:
        for clue in self.clues:
            if clue.id == clue_id:
                return clue
        return None
