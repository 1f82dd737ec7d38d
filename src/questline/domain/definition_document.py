"""A definition written back as the organizer's document (hunt-format.md's shape), so
the console can load it, edit it and send it back as a revision: parsing what this
writes gives the same definition (a property test checks it).
"""

from typing import Any

import msgspec

from questline.domain.definition import (
    Clue,
    DynamicPoints,
    HuntDefinition,
    Release,
    Requires,
    Round,
)
from questline.domain.timestamps import MICROS_PER_SECOND, Micros, to_rfc3339


def definition_document(definition: HuntDefinition) -> dict[str, Any]:
    d = definition
    hunt: dict[str, Any] = {
        "id": d.id,
        "title": d.title,
        "starts_at": to_rfc3339(d.starts_at),
        "ends_at": to_rfc3339(d.ends_at),
    }
    if d.freeze_at is not None:
        hunt["freeze_at"] = to_rfc3339(d.freeze_at)
    if d.team_size_max is not None:
        hunt["team_size"] = {"max": d.team_size_max}
    scoring: dict[str, Any] = {}
    if d.first_solve_bonus:
        scoring["first_solve_bonus"] = list(d.first_solve_bonus)
    if d.wrong_answer_penalty:
        scoring["wrong_answer_penalty"] = d.wrong_answer_penalty
    if scoring:
        hunt["scoring"] = scoring
    hunt["attempts"] = {"wrong_per_minute": d.wrong_per_minute}
    if d.listed:
        hunt["listed"] = True
    if d.ranking != "score":
        hunt["ranking"] = d.ranking
    if d.finish is not None:
        hunt["finish"] = d.finish
    if d.divisions:
        hunt["divisions"] = [{"id": x.id, "title": x.title} for x in d.divisions]
    document: dict[str, Any] = {"hunt": hunt}
    if d.rounds:
        document["rounds"] = [_round(r) for r in d.rounds]
    document["clues"] = [_clue(clue) for clue in d.clues]
    return document


def _round(r: Round) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id, "title": r.title}
    if r.requires is not None:
        out["requires"] = _requires(r.requires)
    out.update(_release(r.release))
    if r.hidden:
        out["hidden"] = True
    return out


def _clue(clue: Clue) -> dict[str, Any]:
    out: dict[str, Any] = {"id": clue.id, "title": clue.title}
    if clue.text:
        out["text"] = clue.text
    if clue.kind != "parts":
        points = clue.points
        out["points"] = {"dynamic": _plain(points)} if isinstance(points, DynamicPoints) else points
    answer: dict[str, Any] = {"kind": clue.kind, **_plain(clue.answer)}
    out["answer"] = answer
    if clue.hints:
        out["hints"] = [{"id": h.id, "text": h.text, "cost": h.cost} for h in clue.hints]
    if clue.requires is not None:
        out["requires"] = _requires(clue.requires)
    if clue.max_attempts is not None:
        out["max_attempts"] = clue.max_attempts
    if clue.round is not None:
        out["round"] = clue.round
    if clue.meta:
        out["meta"] = True
    out.update(_release(clue.release))
    if clue.hidden:
        out["hidden"] = True
    if clue.expected_minutes is not None:
        out["expected_minutes"] = clue.expected_minutes
    return out


def _requires(requires: Requires) -> Any:
    if requires.count == len(requires.of):
        return list(requires.of)
    return {"any": requires.count, "of": list(requires.of)}


def _release(release: Release | None) -> dict[str, Any]:
    if release is None:
        return {}
    if release.at is not None:
        return {"opens_at": to_rfc3339(release.at)}
    return {"opens_after": duration_text(release.after or 0)}


def duration_text(micros: Micros) -> str:
    """A duration as the format writes it: "1h30m", "45m", "90s"."""
    seconds = micros // MICROS_PER_SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{seconds}s" if seconds or not text else ""
    return text


def _plain(value: object) -> Any:
    """JSON's own types (lists, not tuples), as a document read from a file has."""
    return msgspec.json.decode(msgspec.json.encode(value))
