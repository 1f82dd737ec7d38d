"""Photos: a submission waits for review; approval solves the clue at the
review's time, rejection with a reason is a wrong attempt at the review's time;
at most one photo waiting per team and clue."""

from questline.domain.events import ClueSolved, PhotoRejected, PhotoSubmitted
from questline.domain.projections.rows import ReviewRow
from questline.domain.replies import ReviewReply, SubmissionReply
from tests.hunt_builders import ENDS, MINUTE, SECOND, STARTS, PureHunt, spec_hunt
from tests.rules.support import board, dynamic, play, refused


def _submitted(result: object) -> str:
    assert isinstance(result, SubmissionReply), result
    assert (result.result, result.points, result.bonus) == ("pending_review", 0, 0)
    assert result.review_id is not None
    return result.review_id


def _photo(**extra: object) -> dict[str, object]:
    return {"id": "pic", "points": 150, "answer": {"kind": "photo"}, **extra}


def test_photo_submission_waits_for_review_and_scores_nothing_yet() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    review_id = _submitted(hunt.photo(team, "selfie", "photo-1"))
    event = hunt.log[-1].event
    assert isinstance(event, PhotoSubmitted)
    assert (event.review_id, event.team_id, event.clue_id, event.photo_id) == (
        review_id,
        team,
        "selfie",
        "photo-1",
    )
    assert hunt.score(team) == 0
    rows = [r for r in hunt.rows().values() if isinstance(r, ReviewRow)]
    assert [(r.review_id, r.status) for r in rows] == [(review_id, "waiting")]


def test_a_team_has_at_most_one_photo_waiting_per_clue() -> None:
    hunt = play(_photo(), {"id": "pic2", "points": 10, "answer": {"kind": "photo"}})
    team, other = hunt.register("Otters"), hunt.register("Gulls")
    review_id = _submitted(hunt.photo(team, "pic", "one"))
    result = refused(hunt.photo(team, "pic", "two"), "photo_pending", 409)
    assert result.details == {"review_id": review_id}
    _submitted(hunt.photo(team, "pic2", "other clue"))  # another clue: fine
    _submitted(hunt.photo(other, "pic", "other team"))  # another team: fine


def test_photo_approval_solves_the_clue_at_the_reviews_time() -> None:
    """Solve order, bonus and dynamic value are those at the review, not the upload."""
    hunt = play(
        {"id": "pic", "points": dynamic(200, 50, 50, "linear"), "answer": {"kind": "photo"}},
        scoring={"first_solve_bonus": [30, 20]},
    )
    early, late = hunt.register("Early"), hunt.register("Late")
    early_review = _submitted(hunt.at(STARTS).photo(early, "pic"))
    late_review = _submitted(hunt.at(STARTS + MINUTE).photo(late, "pic"))
    review_time = STARTS + 10 * MINUTE
    assert hunt.at(review_time).review(late_review, approve=True) == ReviewReply(
        late_review, True, late, "pic", 200 + 30
    )
    assert hunt.log[-1].time == review_time
    assert hunt.log[-1].event == ClueSolved(late, "pic", 200, 30, 1, late_review)
    hunt.at(review_time + MINUTE).review(early_review, approve=True)
    assert hunt.log[-1].event == ClueSolved(early, "pic", 150, 20, 2, early_review)
    assert (hunt.score(late), hunt.score(early)) == (150 + 30, 150 + 20)
    assert [row.team_id for row in board(hunt)] == [late, early]


def test_approved_photo_makes_later_submissions_already_solved() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.review(_submitted(hunt.photo(team, "selfie")), approve=True)
    reply = hunt.photo(team, "selfie")
    assert isinstance(reply, SubmissionReply) and reply.result == "already_solved"


def test_photo_rejection_needs_a_reason() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    review_id = _submitted(hunt.photo(team, "selfie"))
    refused(hunt.review(review_id, approve=False, reason=""), "invalid_input", 422)
    refused(hunt.review(review_id, approve=False, reason="  "), "invalid_input", 422)
    reply = hunt.review(review_id, approve=False, reason="We cannot see the lighthouse.")
    assert reply == ReviewReply(review_id, False, team, "selfie", 0)
    assert hunt.log[-1].event == PhotoRejected(
        review_id, team, "selfie", "We cannot see the lighthouse."
    )


def test_photo_rejection_counts_as_a_wrong_attempt_toward_max_attempts() -> None:
    hunt = PureHunt(spec_hunt())  # selfie: max_attempts 3
    team = hunt.register("Otters")
    for attempt in range(3):
        review_id = _submitted(hunt.advance(MINUTE).photo(team, "selfie", f"try-{attempt}"))
        hunt.advance(MINUTE).review(review_id, approve=False, reason="blurry")
    assert hunt.state.teams[team].wrong("selfie") == 3
    refused(hunt.advance(MINUTE).photo(team, "selfie", "try-4"), "clue_locked", 409)


def test_photo_rejection_is_a_wrong_attempt_at_the_reviews_time_for_the_rate_limit() -> None:
    """Limit 1 a minute: uploaded at 0 s, rejected at 600 s. At 630 s the team is
    rate limited for 30 s more; had the attempt counted at upload, it would not be."""
    hunt = play(_photo(), attempts={"wrong_per_minute": 1})
    team = hunt.register("Otters")
    review_id = _submitted(hunt.at(STARTS).photo(team, "pic"))
    hunt.at(STARTS + 600 * SECOND).review(review_id, approve=False, reason="no")
    result = refused(hunt.at(STARTS + 630 * SECOND).photo(team, "pic"), "rate_limited", 429)
    assert result.details == {"retry_after": 30}
    _submitted(hunt.at(STARTS + 660 * SECOND).photo(team, "pic"))


def test_a_photo_may_be_sent_again_after_a_rejection() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.review(_submitted(hunt.photo(team, "selfie")), approve=False, reason="blurry")
    second = _submitted(hunt.advance(MINUTE).photo(team, "selfie"))
    hunt.review(second, approve=True)
    assert hunt.score(team) == 150 + 50


def test_a_photo_is_reviewed_once() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    review_id = _submitted(hunt.photo(team, "selfie"))
    hunt.review(review_id, approve=True)
    refused(
        hunt.review(review_id, approve=False, reason="changed my mind"), "already_reviewed", 409
    )
    refused(hunt.review(review_id, approve=True), "already_reviewed", 409)
    refused(hunt.review("p-404", approve=True), "unknown_review", 404)
    assert hunt.score(team) == 200


def test_photos_may_be_reviewed_while_paused_and_after_the_end() -> None:
    hunt = PureHunt(spec_hunt())
    a, b = hunt.register("A"), hunt.register("B")
    first = _submitted(hunt.photo(a, "selfie"))
    second = _submitted(hunt.photo(b, "selfie"))
    hunt.pause()
    hunt.review(first, approve=True)
    hunt.at(ENDS + MINUTE).review(second, approve=False, reason="late and blurry")
    assert hunt.log[-1].time == ENDS + MINUTE
    assert (hunt.score(a), hunt.score(b)) == (200, 0)
    statuses = {r.review_id: r.status for r in hunt.rows().values() if isinstance(r, ReviewRow)}
    assert statuses == {first: "approved", second: "rejected"}
