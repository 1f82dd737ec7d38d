"""The validator: every problem of a hunt definition, each with the path of the
value it is about, all reported at once, with YAML line numbers from
`load_hunt_text`."""

from typing import Any

import pytest

from questline.domain.definition import DynamicPoints, GeoAnswer
from questline.domain.definition_parsing import InvalidHunt, parse_definition
from questline.domain.definition_text import HuntFileError, load_hunt_text
from tests.hunt_builders import FREEZES, spec_document
from tests.rules.support import document, text_clue


def problems(doc: dict[str, Any]) -> dict[str, str]:
    """path -> message of every problem, " | "-joined per path (fails if valid)."""
    with pytest.raises(InvalidHunt) as caught:
        parse_definition(doc)
    found: dict[str, str] = {}
    for p in caught.value.problems:
        found[p.path] = f"{found[p.path]} | {p.message}" if p.path in found else p.message
    return found


def only_problem(doc: dict[str, Any]) -> tuple[str, str]:
    found = problems(doc)
    assert len(found) == 1, found
    ((path, message),) = found.items()
    return path, message


def test_the_spec_example_is_valid() -> None:
    definition = parse_definition(spec_document())
    assert [c.id for c in definition.clues] == ["lighthouse", "dock-9", "crate", "selfie"]
    assert definition.freeze_at == FREEZES
    assert definition.first_solve_bonus == (50, 25, 10)
    assert definition.clues[1].points == DynamicPoints(500, 100, 20, "logarithmic")
    assert definition.clues[1].answer == GeoAnswer(59.9139, 10.7522, 30)


def test_unknown_keys_are_reported_where_they_are() -> None:
    doc = document(
        {**text_clue("a"), "colour": "red"},
        {"id": "b", "points": 1, "answer": {"kind": "code", "codes": ["X"], "case": "any"}},
    )
    doc["hunt"]["timezone"] = "UTC"
    doc["extra"] = 1
    found = problems(doc)
    assert set(found) == {"extra", "hunt.timezone", "clues[0].colour", "clues[1].answer.case"}
    assert all("unknown key" in m for m in found.values())


def test_duplicate_clue_id_is_reported_at_the_second() -> None:
    path, message = only_problem(document(text_clue("a"), text_clue("b"), text_clue("a")))
    assert path == "clues[2].id"
    assert "duplicate" in message and "clues[0]" in message


def test_duplicate_hint_id_in_a_clue_is_reported() -> None:
    hints = [{"id": "h", "text": "x", "cost": 1}, {"id": "h", "text": "y", "cost": 2}]
    path, message = only_problem(document(text_clue("a", hints=hints)))
    assert path == "clues[0].hints[1].id" and "duplicate" in message


def test_a_clue_requiring_itself_is_reported() -> None:
    path, message = only_problem(document(text_clue("a"), text_clue("b", requires=["a", "b"])))
    assert path == "clues[1].requires" and "itself" in message


def test_a_requires_cycle_is_reported() -> None:
    doc = document(
        text_clue("start"),
        text_clue("a", requires=["c"]),
        text_clue("b", requires={"any": 1, "of": ["a", "start"]}),
        text_clue("c", requires=["b"]),
    )
    found = problems(doc)
    cycles = {p: m for p, m in found.items() if "cycle" in m}
    assert len(cycles) == 1, found
    ((path, message),) = cycles.items()
    assert path.startswith("clues[") and path.endswith("].requires")
    assert all(name in message for name in ("a", "b", "c"))


def test_any_larger_than_its_list_is_reported() -> None:
    doc = document(
        text_clue("a"), text_clue("b"), text_clue("c", requires={"any": 3, "of": ["a", "b"]})
    )
    path, message = only_problem(doc)
    assert path == "clues[2].requires.any" and "3" in message


def test_requires_naming_an_unknown_clue_is_reported() -> None:
    path, message = only_problem(document(text_clue("a", requires=["ghost"])))
    assert path == "clues[0].requires" and "ghost" in message


def test_a_clue_no_team_can_open_is_reported() -> None:
    """d needs both a and b, which only open each other: a cycle, and d behind it."""
    doc = document(
        text_clue("a", requires=["b"]),
        text_clue("b", requires=["a"]),
        text_clue("d", requires=["a", "b"]),
    )
    found = problems(doc)
    assert "clues[2].requires" in found and "never" in found["clues[2].requires"]
    assert any("cycle" in m for m in found.values())


def test_ends_at_not_after_starts_at_is_reported() -> None:
    doc = document(text_clue("a"), ends_at="2026-12-01T18:00:00Z", freeze_at=None)
    assert only_problem(doc)[0] == "hunt.ends_at"
    doc = document(text_clue("a"), ends_at="2026-12-01T17:00:00Z", freeze_at=None)
    assert only_problem(doc)[0] == "hunt.ends_at"


@pytest.mark.parametrize(
    "bad", ["tomorrow", "2026-12-01T18:00:00", "2026-13-01T18:00:00Z", 12, "2026-12-01"]
)
def test_times_that_are_not_rfc3339_with_an_offset_are_reported(bad: object) -> None:
    path, _ = only_problem(document(text_clue("a"), starts_at=bad, freeze_at=None))
    assert path == "hunt.starts_at"


@pytest.mark.parametrize(
    "freeze_at", ["2026-12-01T17:59:59Z", "2026-12-01T22:00:00Z", "2026-12-02T00:00:00Z"]
)
def test_freeze_at_outside_the_hunts_window_is_reported(freeze_at: str) -> None:
    """The window is [starts_at, ends_at): a freeze at ends_at would never show."""
    assert only_problem(document(text_clue("a"), freeze_at=freeze_at))[0] == "hunt.freeze_at"


def test_freeze_at_may_be_starts_at_or_absent_or_null() -> None:
    """Reading an explicit null for the optional freeze_at as "no freeze"."""
    assert parse_definition(document(text_clue("a"), freeze_at="2026-12-01T18:00:00Z"))
    doc = document(text_clue("a"))
    del doc["hunt"]["freeze_at"]
    assert parse_definition(doc).freeze_at is None
    doc["hunt"]["freeze_at"] = None
    assert parse_definition(doc).freeze_at is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", 90.5),
        ("lat", -91),
        ("lon", 180.01),
        ("lon", -200),
        ("radius_m", 0),
        ("radius_m", -5),
    ],
)
def test_out_of_range_geo_values_are_reported(field: str, value: float) -> None:
    answer = {"kind": "geo", "lat": 10.0, "lon": 20.0, "radius_m": 30, field: value}
    path, _ = only_problem(document({"id": "g", "points": 1, "answer": answer}))
    assert path == f"clues[0].answer.{field}"


def test_geo_extremes_are_valid() -> None:
    answer = {"kind": "geo", "lat": -90, "lon": 180, "radius_m": 0.5}
    assert parse_definition(document({"id": "g", "points": 1, "answer": answer}))


def test_negative_points_costs_bonuses_and_dynamic_values_are_reported() -> None:
    doc = document(
        text_clue("a", points=-1),
        text_clue("b", hints=[{"id": "h", "text": "t", "cost": -5}]),
        text_clue(
            "c",
            points={"dynamic": {"initial": -10, "minimum": -20, "decay": 1, "function": "linear"}},
        ),
        scoring={"first_solve_bonus": [10, -1]},
    )
    assert set(problems(doc)) == {
        "clues[0].points",
        "clues[1].hints[0].cost",
        "clues[2].points.dynamic.initial",
        "clues[2].points.dynamic.minimum",
        "hunt.scoring.first_solve_bonus[1]",
    }


def test_zero_points_and_costs_are_valid() -> None:
    doc = document(text_clue("a", points=0, hints=[{"id": "h", "text": "t", "cost": 0}]))
    assert parse_definition(doc).clues[0].points == 0


def test_dynamic_minimum_larger_than_initial_is_reported() -> None:
    points = {"dynamic": {"initial": 100, "minimum": 101, "decay": 5, "function": "linear"}}
    path, message = only_problem(document(text_clue("a", points=points)))
    assert path == "clues[0].points.dynamic.minimum" and "101" in message


def test_dynamic_minimum_equal_to_initial_is_valid() -> None:
    points = {"dynamic": {"initial": 100, "minimum": 100, "decay": 5, "function": "logarithmic"}}
    assert parse_definition(document(text_clue("a", points=points)))


@pytest.mark.parametrize("decay", [0, -3])
def test_dynamic_decay_of_zero_or_less_is_reported(decay: int) -> None:
    points = {"dynamic": {"initial": 100, "minimum": 10, "decay": decay, "function": "linear"}}
    assert (
        only_problem(document(text_clue("a", points=points)))[0] == "clues[0].points.dynamic.decay"
    )


@pytest.mark.parametrize("value", [1.5, "10", True])
def test_points_must_be_integers(value: object) -> None:
    assert only_problem(document(text_clue("a", points=value)))[0] == "clues[0].points"


def test_unknown_dynamic_function_is_reported() -> None:
    points = {"dynamic": {"initial": 100, "minimum": 10, "decay": 5, "function": "cubic"}}
    assert only_problem(document(text_clue("a", points=points)))[0] == (
        "clues[0].points.dynamic.function"
    )


def test_bad_ids_are_reported() -> None:
    doc = document(text_clue("Upper"), id="Harbour Night")
    assert set(problems(doc)) == {"hunt.id", "clues[0].id"}


def test_an_invalid_accept_regex_is_reported() -> None:
    path, _ = only_problem(document(text_clue("a", accept_regex=["(unclosed"])))
    assert path == "clues[0].answer.accept_regex[0]"


def test_accept_entries_that_normalize_to_nothing_are_reported() -> None:
    path, _ = only_problem(document(text_clue("a", "ok", "!!!")))
    assert path == "clues[0].answer.accept[1]"


def test_all_problems_are_reported_at_once() -> None:
    """Self-require, a separate cycle, a bad any, bad times and more: every one shows."""
    doc = document(
        text_clue("a", requires=["a"]),
        text_clue("b", requires=["c"]),
        text_clue("c", requires=["b"]),
        text_clue("d", requires={"any": 5, "of": ["a", "b"]}),
        text_clue("e", requires=["d"]),
        text_clue("b"),
        {"id": "g", "points": -1, "answer": {"kind": "geo", "lat": 99, "lon": 0, "radius_m": 1}},
        {
            "id": "x",
            "points": {"dynamic": {"initial": 5, "minimum": 9, "decay": 0}},
            "answer": {"kind": "photo"},
        },
        starts_at="2026-12-01T23:00:00Z",
        freeze_at="2026-12-03T00:00:00Z",
        colour="blue",
    )
    found = problems(doc)
    expected_paths = {
        "hunt.colour",
        "hunt.ends_at",
        "hunt.freeze_at",
        "clues[0].requires",  # a requires itself
        "clues[3].requires.any",
        "clues[5].id",  # duplicate b
        "clues[6].points",
        "clues[6].answer.lat",
        "clues[7].points.dynamic.minimum",
        "clues[7].points.dynamic.decay",
    }
    assert expected_paths <= set(found), sorted(set(found))
    assert any("cycle" in m for m in found.values()), found  # b <-> c
    # e requires d, whose requires is broken: d is still a known clue.
    assert not any("unknown clue 'd'" in m for m in found.values()), found


YAML_HUNT = """\
hunt:
  id: harbour-night
  title: Harbour Night Hunt
  starts_at: 2026-12-01T18:00:00Z
  ends_at: 2026-12-01T17:00:00Z
  freeze_at: 2026-12-01T21:30:00Z
clues:
  - id: lighthouse
    points: 100
    answer: {kind: text, accept: ["keeper"]}
  - id: dock-9
    points: {dynamic: {initial: 50, minimum: 100, decay: 20, function: logarithmic}}
    requires: [dock-9]
    answer:
      kind: geo
      lat: 59.9139
      lon: 10.7522
      radius_m: -30
  - id: lighthouse
    pointz: 3
    answer: {kind: photo}
"""


def _line_of(text: str, fragment: str, nth: int = 1) -> int:
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    return hits[nth - 1]


def test_yaml_problems_carry_their_line_numbers() -> None:
    with pytest.raises(HuntFileError) as caught:
        load_hunt_text(YAML_HUNT)
    found = {p.path: p.line for p in caught.value.problems}
    text = YAML_HUNT
    expected = {
        "hunt.ends_at": _line_of(text, "ends_at:"),
        "hunt.freeze_at": _line_of(text, "freeze_at:"),
        "clues[1].points.dynamic.minimum": _line_of(text, "points: {dynamic"),
        "clues[1].requires": _line_of(text, "requires: [dock-9]"),
        "clues[1].answer.radius_m": _line_of(text, "radius_m: -30"),
        "clues[2].id": _line_of(text, "- id: lighthouse", 2),
        "clues[2].pointz": _line_of(text, "pointz:"),
        "clues[2].points": _line_of(text, "- id: lighthouse", 2),  # missing: the clue's line
    }
    assert found == expected


def test_json_hunt_text_problems_carry_line_numbers_too() -> None:
    text = (
        '{\n  "hunt": {"id": "x", "title": "T",\n'
        '    "starts_at": "2026-12-01T18:00:00Z",\n'
        '    "ends_at": "nope"},\n'
        '  "clues": [{"id": "a", "points": 1, "answer": {"kind": "photo"}}]\n}\n'
    )
    with pytest.raises(HuntFileError) as caught:
        load_hunt_text(text, "json")
    assert [(p.path, p.line) for p in caught.value.problems] == [("hunt.ends_at", 4)]


def test_unparsable_yaml_reports_its_line() -> None:
    text = "hunt:\n  id: x\n  title: [unclosed\nclues: []\n"
    with pytest.raises(HuntFileError) as caught:
        load_hunt_text(text)
    (problem,) = caught.value.problems
    assert problem.path == "(document)" and problem.line is not None and problem.line >= 3


def test_valid_yaml_loads() -> None:
    text = YAML_HUNT.replace("ends_at: 2026-12-01T17:00:00Z", "ends_at: 2026-12-01T22:00:00Z")
    text = text.replace("minimum: 100", "minimum: 10").replace(
        "requires: [dock-9]", "requires: [lighthouse]"
    )
    text = text.replace("radius_m: -30", "radius_m: 30").replace(
        "  - id: lighthouse\n    pointz: 3", "  - id: selfie\n    points: 3"
    )
    definition = load_hunt_text(text)
    assert [c.id for c in definition.clues] == ["lighthouse", "dock-9", "selfie"]
