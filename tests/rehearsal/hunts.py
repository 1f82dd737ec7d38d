"""Small hunts for rehearsal tests, each built to show one thing a rehearsal must find."""

from pathlib import Path
from typing import Any

from questline.domain.definition import HuntDefinition
from questline.domain.definition_parsing import parse_definition
from questline.domain.definition_text import load_hunt_text

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "questline" / "examples"


def example(name: str) -> HuntDefinition:
    return load_hunt_text((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def header(**extra: Any) -> dict[str, Any]:
    return {
        "id": "rehearsal-test",
        "title": "Rehearsal Test",
        "starts_at": "2026-12-01T18:00:00Z",
        "ends_at": "2026-12-01T22:00:00Z",
        **extra,
    }


def text(clue_id: str, minutes: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": clue_id,
        "points": 100,
        "expected_minutes": minutes,
        "answer": {"kind": "text", "accept": [clue_id]},
        **extra,
    }


def dead_end_and_bottleneck() -> HuntDefinition:
    """`vault` opens only behind `impossible`, which no team solves in four hours;
    `long-gate` takes most teams hours and holds the clue behind it."""
    return parse_definition(
        {
            "hunt": header(),
            "clues": [
                text("warm-up", 10),
                text("long-gate", 150),
                text("behind-the-gate", 10, requires=["long-gate"]),
                text("impossible", 100_000),
                text("vault", 10, requires=["impossible"]),
            ],
        }
    )


def photo_storm() -> HuntDefinition:
    """Three photo clues open at the start: every team sends its photos at once."""
    photos = [
        {"id": f"photo-{n}", "points": 100, "expected_minutes": 10, "answer": {"kind": "photo"}}
        for n in range(3)
    ]
    return parse_definition({"hunt": header(), "clues": photos})
