"""`questline schema events`, `questline --version` and `questline examples`: what a
user who installed the wheel reaches without the source tree."""

import json
from importlib.metadata import version

from typer.testing import CliRunner

from questline.cli.app import app
from questline.cli.example_commands import EXAMPLES_DIR
from questline.event_schema import events_schema

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_schema_events_prints_the_generated_json_schema() -> None:
    code, output = run("schema", "events")
    assert code == 0
    assert json.loads(output) == events_schema()


def test_schema_events_can_root_the_document_at_a_definition() -> None:
    code, output = run("schema", "events", "--root", "EventsTopicMessage")
    assert code == 0
    assert json.loads(output)["$ref"] == "#/$defs/EventsTopicMessage"


def test_schema_events_names_the_known_definitions_for_an_unknown_root() -> None:
    code, output = run("schema", "events", "--root", "Nope")
    assert code == 2
    assert "no definition 'Nope'" in output
    assert "EventsTopicMessage" in output


def test_version_prints_the_installed_package_version() -> None:
    code, output = run("--version")
    assert (code, output) == (0, f"questline {version('questline')}\n")


def test_examples_lists_the_example_hunts_in_the_package() -> None:
    code, output = run("examples")
    assert code == 0
    assert output.splitlines() == [
        f"broken\t{EXAMPLES_DIR / 'broken.yaml'}",
        f"harbour-night\t{EXAMPLES_DIR / 'harbour-night.yaml'}",
        f"puzzle-night\t{EXAMPLES_DIR / 'puzzle-night.yaml'}",
    ]


def test_an_example_prints_as_yaml_or_as_its_path_for_hunt_validate() -> None:
    code, text = run("examples", "harbour-night")
    assert code == 0
    assert text == (EXAMPLES_DIR / "harbour-night.yaml").read_text(encoding="utf-8")
    code, path = run("examples", "harbour-night", "--path")
    assert code == 0
    code, output = run("hunt", "validate", path.strip())
    assert (code, "is valid" in output) == (0, True)


def test_an_unknown_example_lists_the_known_ones() -> None:
    code, output = run("examples", "nope")
    assert code == 2
    assert "there are: broken, harbour-night" in output
