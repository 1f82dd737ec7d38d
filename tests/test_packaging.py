"""The package as an index shows it and as pip installs it: the Python versions it
claims (and the lock resolves for), wheels for every compiled dependency on each of
them, its metadata, and the example hunts inside it. scripts/test-wheel installs the
built wheel on each version and plays the demo from it."""

import re
import tomllib
from importlib.metadata import metadata
from pathlib import Path
from typing import Any

from questline.cli.example_commands import EXAMPLES_DIR

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK: dict[str, Any] = tomllib.loads((ROOT / "uv.lock").read_text())
PROJECT: dict[str, Any] = PYPROJECT["project"]


def claimed_versions() -> list[str]:
    prefix = "Programming Language :: Python :: 3."
    return [f"3.{c.removeprefix(prefix)}" for c in PROJECT["classifiers"] if c.startswith(prefix)]


def test_python_3_11_to_3_13_are_claimed_with_no_upper_cap() -> None:
    assert PROJECT["requires-python"] == ">=3.11"
    assert claimed_versions() == ["3.11", "3.12", "3.13"]
    assert "Programming Language :: Python :: 3 :: Only" in PROJECT["classifiers"]


def test_the_lock_resolves_for_every_claimed_version() -> None:
    assert LOCK["requires-python"] == PROJECT["requires-python"]


def test_every_dependency_with_a_wheel_for_3_11_has_one_for_each_claimed_version() -> None:
    """So no version needs a compiler where 3.11 needs none (Linux x86-64, as CI)."""
    missing = []
    for package in LOCK["package"]:
        names = [Path(wheel["url"]).name for wheel in package.get("wheels", [])]
        if any(re.search(r"-(py3|abi3|none)-", name) for name in names):
            continue
        built_for = set(re.findall(r"-cp3(\d+)-[^-]*-[^-]*x86_64", " ".join(names)))
        if "11" in built_for:
            missing += [
                f"{package['name']} {package['version']} for {version}"
                for version in claimed_versions()
                if version.removeprefix("3.") not in built_for
            ]
    assert missing == []


def test_the_metadata_an_index_shows() -> None:
    shown = metadata("questline")
    assert shown["Summary"] == PROJECT["description"]
    assert shown["License-Expression"] == "Apache-2.0"
    assert shown["Requires-Python"] == ">=3.11"
    assert shown["Description-Content-Type"] == "text/markdown"
    assert shown["Description"].startswith("# Questline")
    assert set(shown.get_all("Classifier") or []) == set(PROJECT["classifiers"])


def test_the_example_hunts_live_in_the_package_and_examples_is_that_folder() -> None:
    """One copy: the wheel carries src/questline/examples; examples/ links to it."""
    assert sorted(p.name for p in EXAMPLES_DIR.glob("*.yaml")) == [
        "broken.yaml",
        "harbour-night.yaml",
        "puzzle-night.yaml",
    ]
    assert (ROOT / "examples").resolve() == EXAMPLES_DIR
