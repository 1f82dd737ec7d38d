"""The score sheet keeps what a team paid or was given only for teams that have, but
saves every team's (as snapshots written before did), and restores from either."""

from questline.domain.score_sheet import ScoresData, ScoreSheet
from tests.hunt_builders import spec_hunt


def test_every_team_is_saved_with_what_it_paid() -> None:
    definition = spec_hunt()
    sheet = ScoreSheet(definition)
    for team in ("t-1", "t-2", "t-3"):
        sheet.add_team(team)
    sheet.add("t-2", -20)
    data = sheet.dump()
    assert data.base == {"t-1": 0, "t-2": -20, "t-3": 0}
    restored = ScoreSheet.load(definition, data)
    assert restored.dump() == data
    assert [restored.score(t) for t in ("t-1", "t-2", "t-3")] == [0, -20, 0]


def test_a_sheet_saved_with_every_team_in_base_restores() -> None:
    definition = spec_hunt()
    saved = ScoresData({"t-1": 0, "t-2": 15}, {clue.id: [] for clue in definition.clues}, {})
    restored = ScoreSheet.load(definition, saved)
    restored.add("t-1", -5)
    assert (restored.score("t-1"), restored.score("t-2")) == (-5, 15)
    assert restored.dump().base == {"t-1": -5, "t-2": 15}
