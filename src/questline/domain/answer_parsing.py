"""The `answer:` of a clue, parsed by its kind: one parser per kind in `PARSERS`,
keyed like `definition.ANSWER_KINDS` (a test checks that every kind has one).

The keys an answer may have are its spec's fields and `kind`, so adding a field
to a spec is all it takes for the parser to accept the key.
"""

from collections.abc import Callable, Mapping
from typing import Any

from questline.domain.answer_patterns import PatternError, compile_pattern
from questline.domain.definition import (
    ANSWER_KINDS,
    AnswerKind,
    AnswerSpec,
    CodeAnswer,
    GeoAnswer,
    Part,
    PartsAnswer,
    PhotoAnswer,
    TextAnswer,
)
from questline.domain.limits import MAX_POINTS, MAX_RADIUS_M
from questline.domain.parse_collector import MAX_TITLE, Collector, describe
from questline.domain.text_normalization import normalize_answer

Parser = Callable[[Collector, Mapping[str, Any], str, str | None], AnswerSpec | None]
MAX_PARTS = 50


def parse_answer(out: Collector, raw: object, path: str, clue_id: str | None) -> AnswerSpec | None:
    answer = out.mapping(raw, path)
    if answer is None:
        return None
    kind = answer.get("kind")
    if kind not in PARSERS:
        kinds = ", ".join(ANSWER_KINDS)
        out.add(f"{path}.kind", f"must be one of {kinds}; got {describe(kind)}")
        return None
    out.unknown_keys(answer, KEYS[kind], path)
    return PARSERS[kind](out, answer, path, clue_id)


def _text(
    out: Collector, answer: Mapping[str, Any], path: str, clue_id: str | None
) -> TextAnswer | None:
    before = len(out.problems)

    def normalizes(text: str, item_path: str) -> bool:
        if not normalize_answer(text):
            out.add(
                item_path, "normalizes to nothing (no letters or digits), so it can never match"
            )
            return False
        return True

    def compiles(pattern: str, item_path: str) -> bool:
        try:
            compile_pattern(pattern)
        except PatternError as error:
            clue = f"clue {clue_id!r}: " if clue_id is not None else ""
            out.add(
                item_path,
                f"{clue}the pattern `{pattern}` cannot be used: {error}"
                " (answers are matched in linear time, so backreferences and lookaround"
                " are not available)",
            )
            return False
        return True

    accept = (
        out.string_list(answer["accept"], f"{path}.accept", check=normalizes)
        if "accept" in answer
        else ()
    )
    regexes = (
        out.string_list(answer["accept_regex"], f"{path}.accept_regex", check=compiles)
        if "accept_regex" in answer
        else ()
    )
    keep_going = (
        out.string_list(answer["keep_going"], f"{path}.keep_going", check=normalizes)
        if "keep_going" in answer
        else ()
    )
    if accept == () and regexes == ():
        out.add(f"{path}.accept", "a text answer needs at least one accept or accept_regex entry")
    if len(out.problems) > before or accept is None or regexes is None or keep_going is None:
        return None
    return TextAnswer(accept=accept, accept_regex=regexes, keep_going=keep_going)


def _geo(
    out: Collector, answer: Mapping[str, Any], path: str, clue_id: str | None
) -> GeoAnswer | None:
    before = len(out.problems)
    lat = out.number(answer.get("lat"), f"{path}.lat", -90.0, 90.0)
    lon = out.number(answer.get("lon"), f"{path}.lon", -180.0, 180.0)
    radius = out.number(answer.get("radius_m"), f"{path}.radius_m", 0.0, MAX_RADIUS_M)
    if radius is not None and radius <= 0:
        out.add(f"{path}.radius_m", "must be more than 0")
    if len(out.problems) > before:
        return None
    assert lat is not None and lon is not None and radius is not None
    return GeoAnswer(lat=lat, lon=lon, radius_m=radius)


def _code(
    out: Collector, answer: Mapping[str, Any], path: str, clue_id: str | None
) -> CodeAnswer | None:
    before = len(out.problems)
    # Stored codes are trimmed like given ones (prepare() does it), so padding is fine.
    codes = out.string_list(answer.get("codes"), f"{path}.codes")
    if codes is not None and not codes:
        out.add(f"{path}.codes", "must list at least one code")
    if len(out.problems) > before or codes is None:
        return None
    return CodeAnswer(codes=codes)


def _photo(
    out: Collector, answer: Mapping[str, Any], path: str, clue_id: str | None
) -> PhotoAnswer:
    return PhotoAnswer()


def _parts(
    out: Collector, answer: Mapping[str, Any], path: str, clue_id: str | None
) -> PartsAnswer | None:
    before = len(out.problems)
    raw = answer.get("parts")
    if not isinstance(raw, list) or not raw:
        out.add(f"{path}.parts", f"must be a non-empty list of parts, got {describe(raw)}")
        return None
    if len(raw) > MAX_PARTS:
        out.add(f"{path}.parts", f"has {len(raw)} parts; at most {MAX_PARTS} are allowed")
        return None
    parts: list[Part] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        ppath = f"{path}.parts[{index}]"
        part = out.mapping(item, ppath)
        if part is None:
            continue
        out.unknown_keys(part, _PART_KEYS, ppath)
        part_id = out.identifier(part.get("id"), f"{ppath}.id")
        if part_id is not None and part_id in seen:
            out.add(f"{ppath}.id", f"duplicate part id {part_id!r} in this clue")
            part_id = None
        title = (
            out.string(part["title"], f"{ppath}.title", max_len=MAX_TITLE)
            if "title" in part
            else part_id
        )
        if "points" not in part:
            out.add(f"{ppath}.points", "is missing: every part is worth its own points")
            points = None
        else:
            points = out.integer(part["points"], f"{ppath}.points", minimum=0, maximum=MAX_POINTS)
        judged = _text(out, {k: v for k, v in part.items() if k in _JUDGED}, ppath, clue_id)
        if part_id is None or title is None or points is None or judged is None:
            continue
        seen.add(part_id)
        parts.append(
            Part(part_id, title, points, judged.accept, judged.accept_regex, judged.keep_going)
        )
    if len(out.problems) > before:
        return None
    return PartsAnswer(tuple(parts))


_JUDGED = {"accept", "accept_regex", "keep_going"}
_PART_KEYS = {"id", "title", "points", *_JUDGED}

PARSERS: dict[AnswerKind, Parser] = {
    "text": _text,
    "geo": _geo,
    "code": _code,
    "photo": _photo,
    "parts": _parts,
}
KEYS: dict[str, set[str]] = {
    spec.__struct_config__.tag: {"kind", *spec.__struct_fields__} for spec in AnswerSpec.__args__
}
