"""The clue kinds are one closed set: the `AnswerSpec` union in domain/definition.py
(its tags are `ANSWER_KINDS`). Every place that must know each kind is checked here
against that list, so a new kind fails this test until each layer has learned it
(docs/architecture.md, "Add a clue kind")."""

import random
import re
from pathlib import Path
from typing import Any

import pytest

from questline.domain.answer_checking import prepare_spec
from questline.domain.answer_parsing import PARSERS
from questline.domain.definition import ANSWER_KINDS, Clue, PhotoAnswer
from questline.domain.definition_parsing import parse_definition
from questline.loadgen.answer_bodies import answer_body
from questline.rehearsal.answers import right_answers
from tests.hunt_builders import spec_document

FORMS = Path(__file__).resolve().parents[1] / "src/questline/web/static/js/play/answer-forms.js"

# One sample answer per kind, as a hunt file writes it.
SAMPLES: dict[str, dict[str, Any]] = {
    "text": {"kind": "text", "accept": ["keeper"]},
    "geo": {"kind": "geo", "lat": 59.9139, "lon": 10.7522, "radius_m": 30},
    "code": {"kind": "code", "codes": ["QL-7F3K-22"]},
    "photo": {"kind": "photo"},
    "parts": {
        "kind": "parts",
        "parts": [{"id": "one", "points": 10, "accept": ["first"]}],
    },
}


def test_every_kind_has_a_sample_here() -> None:
    assert sorted(SAMPLES) == sorted(ANSWER_KINDS), "add the new kind's sample answer above"


def sample_clue(kind: str) -> Clue:
    document = spec_document()
    clue: dict[str, Any] = {"id": "sample", "answer": SAMPLES[kind]}
    if kind != "parts":  # a clue in parts has the points of its parts
        clue["points"] = 10
    document["clues"].append(clue)
    definition = parse_definition(document)
    return next(clue for clue in definition.clues if clue.id == "sample")


@pytest.mark.parametrize("kind", ANSWER_KINDS)
def test_the_domain_parses_and_judges_every_kind(kind: str) -> None:
    assert kind in PARSERS
    clue = sample_clue(kind)
    assert clue.kind == kind
    assert prepare_spec(clue.answer).given_type is not None


@pytest.mark.parametrize("kind", ANSWER_KINDS)
def test_simulated_teams_answer_every_kind(kind: str) -> None:
    clue = sample_clue(kind)
    if isinstance(clue.answer, PhotoAnswer):  # judged by people: uploaded, not typed
        assert right_answers(clue) is None
        return
    assert right_answers(clue), f"rehearsal/answers.py cannot answer a {kind} clue"
    body = answer_body(clue, True, random.Random(1))
    assert body["clue"] == "sample"


def test_the_player_page_has_a_form_for_every_kind() -> None:
    forms = FORMS.read_text(encoding="utf-8")
    builders = re.search(r"const builder = \{([^}]*)\}", forms)
    assert builders is not None
    known = set(re.findall(r"(\w+):", builders.group(1)))
    known |= {"parts"} if "clue.parts" in forms else set()
    assert known == set(ANSWER_KINDS)
