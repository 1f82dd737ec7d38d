"""The ledger behind time travel and receipts, against the spec's own scoring: the board
at any version is the ranking of the first v events, and every team's receipt adds up
to its score at every version."""

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from questline.domain.ledger import HuntLedger
from tests.properties.budget import PURE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import play_pure, spec_ranking, spec_scores


def ledger_of(scenario: Scenario) -> tuple[HuntLedger, list[object]]:
    hunt, _, _ = play_pure(scenario)
    ledger = HuntLedger.of(hunt.log[0])
    for recorded in hunt.log[1:]:
        ledger.apply(recorded)
    return ledger, list(hunt.log)


@PURE
@given(scenarios(), st.data())
def test_the_board_at_any_version_is_the_ranking_of_the_first_v_events(
    scenario: Scenario, data: st.DataObject
) -> None:
    ledger, log = ledger_of(scenario)
    versions = data.draw(
        st.lists(st.integers(1, ledger.version), min_size=1, max_size=5), label="versions"
    )
    for version in [*versions, ledger.version]:
        board = [(s.team_id, s.score) for s in ledger.board(version)]
        assert board == spec_ranking(scenario.definition, log[:version]), version  # type: ignore[arg-type]


@PURE
@given(scenarios())
def test_every_receipt_adds_up_to_the_score_at_every_version(scenario: Scenario) -> None:
    ledger, log = ledger_of(scenario)
    for version in range(1, ledger.version + 1):
        scores = spec_scores(scenario.definition, log[:version])  # type: ignore[arg-type]
        for team_id, score in scores.items():
            lines = [line for line in ledger.receipt(team_id) if line.version <= version]
            assert sum(line.points for line in lines) == score, (team_id, version)


@PURE
@given(scenarios())
def test_the_history_ends_at_each_teams_score(scenario: Scenario) -> None:
    ledger, log = ledger_of(scenario)
    scores = spec_scores(scenario.definition, log)  # type: ignore[arg-type]
    for team_id, score in scores.items():
        points = ledger.history(team_id, ledger.version)
        assert (points[-1][1] if points else 0) == score
        assert all(a[1] != b[1] for a, b in pairwise(points))
