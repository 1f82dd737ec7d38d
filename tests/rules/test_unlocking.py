"""Unlocking: which clues are open for a team."""

from questline.domain.replies import SubmissionReply
from tests.hunt_builders import PureHunt, spec_hunt
from tests.rules.support import play, refused, text_clue


def _result(reply: object) -> str:
    assert isinstance(reply, SubmissionReply), reply
    return reply.result


def test_clue_without_requires_is_open_from_the_start() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    assert _result(hunt.text(team, "lighthouse", "keeper")) == "correct"
    assert _result(hunt.photo(team, "selfie")) == "pending_review"


def test_requires_list_opens_only_when_all_are_solved() -> None:
    hunt = play(text_clue("a"), text_clue("b"), text_clue("c", requires=["a", "b"]))
    team = hunt.register("Otters")
    refused(hunt.text(team, "c", "c"), "clue_not_open", 409)
    hunt.text(team, "a", "a")
    refused(hunt.text(team, "c", "c"), "clue_not_open", 409)
    hunt.text(team, "b", "b")
    assert _result(hunt.text(team, "c", "c")) == "correct"


def test_requires_any_n_opens_when_n_of_them_are_solved() -> None:
    hunt = play(
        text_clue("a"),
        text_clue("b"),
        text_clue("c"),
        text_clue("d", requires={"any": 2, "of": ["a", "b", "c"]}),
    )
    team = hunt.register("Otters")
    hunt.text(team, "c", "c")
    refused(hunt.text(team, "d", "d"), "clue_not_open", 409)
    hunt.text(team, "a", "a")
    assert _result(hunt.text(team, "d", "d")) == "correct"


def test_spec_example_any_1_opens_crate_after_lighthouse() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    refused(hunt.code(team, "crate", "QL-7F3K-22"), "clue_not_open", 409)
    refused(hunt.geo(team, "dock-9", 59.9139, 10.7522), "clue_not_open", 409)
    hunt.solve_lighthouse(team)
    assert _result(hunt.code(team, "crate", "QL-7F3K-22")) == "correct"


def test_openness_is_per_team() -> None:
    hunt = play(text_clue("a"), text_clue("b", requires=["a"]))
    solver, other = hunt.register("Otters"), hunt.register("Gulls")
    hunt.text(solver, "a", "a")
    refused(hunt.text(other, "b", "b"), "clue_not_open", 409)
    assert _result(hunt.text(solver, "b", "b")) == "correct"


def test_submission_for_a_clue_not_open_is_refused_and_records_nothing() -> None:
    hunt = play(text_clue("a"), text_clue("b", requires=["a"], max_attempts=1))
    team = hunt.register("Otters")
    before = len(hunt.log)
    for _ in range(3):
        refused(hunt.text(team, "b", "wrong"), "clue_not_open", 409)
    assert len(hunt.log) == before
    hunt.text(team, "a", "a")
    assert _result(hunt.text(team, "b", "b")) == "correct"  # no attempt was used up
