"""The freeze: from `freeze_at` on the public board shows the standings made by the
events before `freeze_at`; organizers and each team's own view stay live; from
`ends_at` on everyone sees the final (live) standings, which reviews and
adjustments may still change."""

from questline.domain.replies import SubmissionReply
from tests.hunt_builders import ENDS, FREEZES, SECOND, PureHunt, spec_hunt
from tests.rules.support import board, dynamic, order, play, text_clue


def _frozen_scores(hunt: PureHunt) -> dict[str, int]:
    return {row.team_id: row.score for row in board(hunt, "leaderboard_frozen")}


def _live_scores(hunt: PureHunt) -> dict[str, int]:
    return {row.team_id: row.score for row in board(hunt, "leaderboard_live")}


def test_public_board_during_freeze_shows_standings_before_freeze_at() -> None:
    hunt = PureHunt(spec_hunt())
    a, b = hunt.register("A"), hunt.register("B")
    hunt.at(FREEZES - 1).solve_lighthouse(a)  # before the freeze: 100 + 50
    hunt.at(FREEZES).solve_lighthouse(b)  # at freeze_at: not before it
    hunt.at(FREEZES + 60 * SECOND).code(a, "crate", "QL-7F3K-22")  # after
    assert _frozen_scores(hunt) == {a: 150, b: 0}
    assert order(board(hunt, "leaderboard_frozen")) == [a, b]
    assert _live_scores(hunt) == {a: 150 + 250, b: 100 + 25}


def test_teams_registered_from_freeze_at_on_are_not_on_the_frozen_board() -> None:
    hunt = PureHunt(spec_hunt())
    early = hunt.at(FREEZES - 1).register("Early")
    at_freeze = hunt.at(FREEZES).register("At freeze")
    late = hunt.at(FREEZES + SECOND).register("Late")
    hunt.solve_lighthouse(late)
    assert set(_frozen_scores(hunt)) == {early}
    assert set(_live_scores(hunt)) == {early, at_freeze, late}
    assert order(board(hunt)) == [late, early, at_freeze]


def test_frozen_board_keeps_pre_freeze_dynamic_values_and_order() -> None:
    """After the freeze, another solve of a dynamic clue lowers the live scores of
    earlier solvers; the frozen board keeps the values as of the freeze."""
    hunt = play(
        text_clue("d", points=dynamic(100, 10, 30, "linear")),
        text_clue("s", points=80),
        scoring=None,
    )
    a, b, c = (hunt.register(n) for n in ("A", "B", "C"))
    hunt.at(FREEZES - 2 * SECOND).text(a, "d", "d")  # A 100
    hunt.at(FREEZES - SECOND).text(b, "s", "s")  # B 80
    hunt.at(FREEZES + SECOND).text(c, "d", "d")  # d -> 70 for A and C
    assert _frozen_scores(hunt) == {a: 100, b: 80, c: 0}
    assert order(board(hunt, "leaderboard_frozen")) == [a, b, c]
    assert _live_scores(hunt) == {a: 70, b: 80, c: 70}
    assert order(board(hunt)) == [b, a, c]


def test_a_team_still_sees_its_own_live_score_and_live_clue_values_during_freeze() -> None:
    hunt = play(text_clue("d", points=dynamic(100, 10, 30, "linear")), scoring=None)
    a, b = hunt.register("A"), hunt.register("B")
    hunt.at(FREEZES - SECOND).text(a, "d", "d")
    hunt.at(FREEZES + SECOND).text(b, "d", "d")
    assert hunt.score(a) == 70  # its live score, not the frozen 100
    assert hunt.state.scores.value_now("d", solved=True) == 70
    assert hunt.state.scores.value_now("d", solved=False) == 40
    assert _frozen_scores(hunt)[a] == 100


def test_frozen_board_ties_use_scoring_events_before_the_freeze_only() -> None:
    hunt = play(text_clue("x", points=10), scoring=None)
    a, b = hunt.register("A"), hunt.register("B")
    hunt.at(FREEZES - 2 * SECOND).text(b, "x", "x")
    hunt.at(FREEZES - SECOND).text(a, "x", "x")
    hunt.at(FREEZES + SECOND).adjust(b, 5, "after the freeze")
    hunt.adjust(b, -5, "and back")
    # Live: equal scores, B's own last scoring event is now later than A's.
    assert order(board(hunt)) == [a, b]
    # Frozen: only the solves count, and B's came first.
    assert order(board(hunt, "leaderboard_frozen")) == [b, a]


def test_a_hunt_without_freeze_at_has_no_frozen_board() -> None:
    hunt = PureHunt(spec_hunt(freeze_at=None))
    hunt.register("A")
    assert board(hunt, "leaderboard_frozen") == []


def test_final_standings_can_still_change_by_reviews_and_adjustments_after_ends_at() -> None:
    hunt = PureHunt(spec_hunt())
    a, b = hunt.register("A"), hunt.register("B")
    hunt.at(ENDS - SECOND).solve_lighthouse(a)  # 150
    reply = hunt.photo(b, "selfie")
    assert isinstance(reply, SubmissionReply) and reply.review_id is not None
    review_id = reply.review_id
    hunt.at(ENDS + 60 * SECOND).review(review_id, approve=True)  # 150 + 50
    assert _live_scores(hunt) == {a: 150, b: 200}
    hunt.adjust(b, -60, "rule breach")
    assert _live_scores(hunt) == {a: 150, b: 140}
    assert order(board(hunt)) == [a, b]


def test_a_photo_sent_before_the_freeze_but_approved_after_it_is_not_on_the_frozen_board() -> None:
    """The clue is solved at the review's time, which is after freeze_at."""
    hunt = PureHunt(spec_hunt())
    team = hunt.register("A")
    reply = hunt.at(FREEZES - SECOND).photo(team, "selfie")
    assert isinstance(reply, SubmissionReply) and reply.review_id is not None
    review_id = reply.review_id
    hunt.at(FREEZES + SECOND).review(review_id, approve=True)
    assert _frozen_scores(hunt) == {team: 0}
    assert _live_scores(hunt) == {team: 200}
