"""A page of the board at a version (what `leaderboard?version=` serves) is the slice
of the whole board at that version, with its total; a division's board is the whole
board with only that division's teams (the whole board is checked against the spec's
ranking in test_ledger.py)."""

from hypothesis import given
from hypothesis import strategies as st

from tests.properties.budget import PURE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.test_ledger import ledger_of


@PURE
@given(scenarios(), st.data())
def test_a_page_of_the_board_at_a_version_is_the_slice_of_the_whole_board(
    scenario: Scenario, data: st.DataObject
) -> None:
    ledger, _ = ledger_of(scenario)
    version = data.draw(st.integers(1, ledger.version), label="version")
    divisions = [None, *(d.id for d in scenario.definition.divisions)]
    division = data.draw(st.sampled_from(divisions), label="division")
    limit = data.draw(st.integers(1, 5), label="limit")
    offset = data.draw(st.integers(0, 6), label="offset")
    whole = ledger.board(version)
    board = ledger.board(version, division)
    assert board == [s for s in whole if division is None or s.division == division]
    assert ledger.page(version, division, limit, offset) == (
        len(board),
        board[offset : offset + limit],
    )
    assert ledger.page(version, division) == (len(board), board)
