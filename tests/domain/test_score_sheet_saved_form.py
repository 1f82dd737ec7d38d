"""The score sheet keeps what a team paid or was given, and its score, only for teams
that have something, but saves every team's (as snapshots written before did), and
restores from either."""

import msgspec

from questline.domain.score_sheet import ScoresData, ScoreSheet
from tests.hunt_builders import spec_hunt


def test_every_team_is_saved_with_what_it_paid() -> None:
    definition = spec_hunt()
    teams = ("t-1", "t-2", "t-3")
    sheet = ScoreSheet(definition)
    sheet.add("t-2", -20)
    data = sheet.dump(teams)
    assert data.base == {"t-1": 0, "t-2": -20, "t-3": 0}
    restored = ScoreSheet.load(definition, data)
    assert restored.dump(teams) == data
    assert [restored.score(t) for t in ("t-1", "t-2", "t-3")] == [0, -20, 0]


def test_a_sheet_saved_with_every_team_in_base_restores() -> None:
    definition = spec_hunt()
    saved = ScoresData({"t-1": 0, "t-2": 15}, {clue.id: [] for clue in definition.clues}, {})
    restored = ScoreSheet.load(definition, saved)
    restored.add("t-1", -5)
    assert (restored.score("t-1"), restored.score("t-2")) == (-5, 15)
    assert restored.dump(["t-1", "t-2"]).base == {"t-1": -5, "t-2": 15}


def test_a_solver_of_a_clue_worth_nothing_is_revalued_when_it_gains_worth() -> None:
    """Teams with nothing are not kept; a team that holds a solve always is, so a
    revision that gives the clue points pays it."""
    definition = spec_hunt()
    clue = definition.clues[0]
    free = msgspec.structs.replace(
        definition,
        clues=[msgspec.structs.replace(clue, points=0), *definition.clues[1:]],
        first_solve_bonus=[],
    )
    sheet = ScoreSheet(free)
    assert sheet.solve("t-2", clue.id, 9) == {}
    assert sheet.solve("t-1", clue.id, 5) == {}  # rejudged: counts before t-2's
    assert (sheet.score("t-1"), sheet.score("t-2")) == (0, 0)
    bonus = [*definition.first_solve_bonus, 0, 0]
    assert sheet.revise(definition) == {
        "t-1": clue.points + bonus[0],
        "t-2": clue.points + bonus[1],
    }
    restored = ScoreSheet.load(definition, sheet.dump(["t-1", "t-2", "t-3"]))
    assert [restored.score(t) for t in ("t-1", "t-2", "t-3")] == [
        sheet.score("t-1"),
        sheet.score("t-2"),
        0,
    ]
