"""Bodies built to crash a parser get a 4xx with the error body, never a 500
(issue 12, item 3): deep nesting, bytes that are not UTF-8, numbers too big for a
float or for Python's int-from-string limit, impossible times, YAML nested 50,000 deep.
`hunt validate` reports the same files as problems with their line, no traceback."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from questline.cli.app import app
from tests.api.conftest import HUNT, ORG, Api, TeamAuth, assert_error
from tests.hunt_builders import spec_document

YAML = {**ORG, "Content-Type": "application/yaml"}
HUGE_INT = "9" * 5000  # past Python's 4,300-digit int-from-string limit
LATITUDE_310_DIGITS = "1" * 310  # an int no float can hold


def _hunt_yaml(**hunt_fields: str) -> str:
    """The spec's hunt as YAML text with some hunt fields replaced by raw YAML text."""
    document = spec_document()
    document["hunt"]["id"] = "hostile"
    for name in hunt_fields:
        document["hunt"][name] = f"@@{name}@@"
    text = yaml.safe_dump(document, sort_keys=False)
    for name, raw in hunt_fields.items():
        text = text.replace(f"'@@{name}@@'", raw).replace(f"@@{name}@@", raw)
    return text


def _hunt_json_with(raw_max: str) -> bytes:
    document = spec_document()
    document["hunt"]["id"] = "hostile"
    return json.dumps(document).replace('"max": 4', f'"max": {raw_max}').encode()


def _json_bodies(team: TeamAuth) -> list[tuple[str, bytes, dict[str, str]]]:
    submissions = f"/api/hunts/{HUNT}/submissions"
    return [
        ("/api/hunts", b"[" * 1000, ORG),
        (submissions, b"[" * 1000, team.headers),
        (f"/api/hunts/{HUNT}/adjustments", b"[" * 1000, ORG),
        (f"/api/hunts/{HUNT}/teams", b"[" * 1000, {}),
        (submissions, b'{"clue": "lighthouse", "answer": "\xff"}', team.headers),
        (f"/api/hunts/{HUNT}/teams", b'{"name": "\xff\xfe"}', {}),
        (
            submissions,
            b'{"clue": "dock", "lat": ' + LATITUDE_310_DIGITS.encode() + b', "lon": 1}',
            team.headers,
        ),
        (
            submissions,
            b'{"clue": "dock", "lat": 1, "lon": -' + HUGE_INT.encode() + b"}",
            team.headers,
        ),
        ("/api/hunts", _hunt_json_with(HUGE_INT), ORG),
        ("/api/hunts", _hunt_json_with("1e400"), ORG),
    ]


def test_hostile_json_bodies_get_422_with_the_error_body(api: Api, team_a: TeamAuth) -> None:
    for path, body, headers in _json_bodies(team_a):
        response = api.post(
            path, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("nested 50,000 deep (flow)", "[" * 50_000),
        ("nested 50,000 deep (block)", "- " * 50_000 + "x"),
        ("nested mappings", "".join(f"{' ' * i}k:\n" for i in range(200)) + " " * 200 + "v"),
        ("impossible starts_at", _hunt_yaml(starts_at="2026-13-45T99:00:00Z")),
        ("an int past the digit limit", _hunt_yaml(team_size=f"{{max: {HUGE_INT}}}")),
        ("a latitude of 310 digits", _hunt_yaml().replace("59.9139", LATITUDE_310_DIGITS)),
        ("bytes that are not UTF-8", "title: \udcff"),
    ],
)
def test_hostile_yaml_hunts_get_422_with_the_error_body(api: Api, name: str, text: str) -> None:
    body = text.encode("utf-8", "surrogateescape")
    assert_error(api.post("/api/hunts", content=body, headers=YAML), 422, "invalid_input")


def test_an_impossible_starts_at_is_a_problem_on_its_line(api: Api) -> None:
    text = _hunt_yaml(starts_at="2026-13-45T99:00:00Z")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "starts_at" in t)
    error = assert_error(api.post("/api/hunts", content=text, headers=YAML), 422)
    problems: list[dict[str, Any]] = error["details"]["problems"]
    assert [(p["path"], p["line"]) for p in problems] == [("hunt.starts_at", line)], problems


def test_year_one_is_echoed_with_four_digits(api: Api) -> None:
    text = _hunt_yaml(starts_at="0001-01-01T00:00:00Z")
    response = api.post("/api/hunts", content=text, headers=YAML)
    assert response.status_code == 201, response.text
    assert response.json()["starts_at"] == "0001-01-01T00:00:00Z"


runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_hunt_yaml(starts_at="2026-13-45T99:00:00Z"), "hunt.starts_at"),
        ("[" * 50_000, "(document)"),
        (_hunt_yaml(team_size=f"{{max: {HUGE_INT}}}"), "4300 digits"),
    ],
    ids=["impossible time", "nested 50,000 deep", "huge int"],
)
def test_hunt_validate_prints_the_problem_and_its_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["hunt", "validate", str(path)])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert re.search(rf"{re.escape(str(path))}:\d+: ", result.output), result.output
    assert expected in result.output, result.output
