"""Refusals: when several apply, the first in the spec's order wins.

invalid input 422 > not live 423 > unknown clue or hint 404 > clue not open 409 >
already solved 200 > locked 409 > photo waiting 409 > rate limited 429, and a
keep_going answer is judged after all of them. (413, 401, 403 and unknown hunt
are decided before the domain sees a command.)

Some pairs can never both hold through `decide` alone (a solved clue never
becomes closed or locked later, a clue is never locked or rate limited while a
photo waits); for those the state is reached by forcing the facts into the
hunt's history, since the order is a rule of `decide` whatever the state.
"""

from questline.domain.events import AnswerWrong, ClueSolved
from questline.domain.replies import SubmissionReply
from tests.hunt_builders import BEFORE_START, ENDS, PureHunt, spec_hunt
from tests.rules.support import force, play, refused, text_clue


def _reply(result: object) -> SubmissionReply:
    assert isinstance(result, SubmissionReply), result
    return result


def _photo_clue(**extra: object) -> dict[str, object]:
    return {"id": "pic", "points": 50, "answer": {"kind": "photo"}, **extra}


def test_refusal_order_invalid_input_before_not_live() -> None:
    hunt = PureHunt(spec_hunt(), now=BEFORE_START)
    team = hunt.register("Otters")
    refused(hunt.text(team, "lighthouse", "!!!"), "invalid_input", 422)
    refused(hunt.text(team, "crate", "a text for a code clue"), "invalid_input", 422)
    refused(hunt.at(ENDS).code(team, "crate", " "), "invalid_input", 422)
    hunt.at(ENDS - 1).pause()
    refused(hunt.text(team, "lighthouse", "x" * 1001), "invalid_input", 422)
    refused(hunt.text(team, "no-such-clue", ""), "invalid_input", 422)


def test_refusal_order_not_live_before_unknown_clue() -> None:
    hunt = PureHunt(spec_hunt(), now=BEFORE_START)
    team = hunt.register("Otters")
    refused(hunt.text(team, "no-such-clue", "keeper"), "hunt_not_live", 423)
    refused(hunt.at(ENDS).text(team, "no-such-clue", "keeper"), "hunt_not_live", 423)
    hunt.at(ENDS - 1).pause()
    refused(hunt.text(team, "no-such-clue", "keeper"), "hunt_not_live", 423)
    refused(hunt.hint(team, "no-such-clue", "look-up"), "hunt_not_live", 423)
    refused(hunt.hint(team, "lighthouse", "no-such-hint"), "hunt_not_live", 423)


def test_refusal_order_not_live_before_clue_not_open_and_already_solved() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    hunt.at(ENDS)
    refused(hunt.solve_lighthouse(team), "hunt_not_live", 423)
    fresh = PureHunt(spec_hunt(), now=BEFORE_START)
    other = fresh.register("Gulls")
    refused(fresh.code(other, "crate", "QL-7F3K-22"), "hunt_not_live", 423)


def test_refusal_order_unknown_clue_or_hint_before_clue_not_open() -> None:
    """A submission can name an unknown clue, but an unknown clue is never "not open";
    the pair meets on hint unlocks: an unknown hint of a closed clue is 404."""
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    refused(hunt.text(team, "no-such-clue", "keeper"), "unknown_clue", 404)
    refused(hunt.hint(team, "dock-9", "no-such-hint"), "unknown_hint", 404)
    refused(hunt.hint(team, "no-such-clue", "look-up"), "unknown_clue", 404)


def test_refusal_order_clue_not_open_before_already_solved() -> None:
    hunt = play(text_clue("a"), text_clue("b", requires=["a"]))
    team = hunt.register("Otters")
    force(hunt, ClueSolved(team, "b", 100, 0, 1))
    refused(hunt.text(team, "b", "b"), "clue_not_open", 409)


def test_refusal_order_already_solved_before_locked() -> None:
    hunt = play(text_clue("a", max_attempts=1))
    team = hunt.register("Otters")
    hunt.text(team, "a", "a")
    force(hunt, AnswerWrong(team, "a"))
    assert _reply(hunt.text(team, "a", "a")).result == "already_solved"


def test_refusal_order_already_solved_before_rate_limited() -> None:
    hunt = play(text_clue("a"), attempts={"wrong_per_minute": 1})
    team = hunt.register("Otters")
    hunt.text(team, "a", "a")
    force(hunt, AnswerWrong(team, "a"))
    assert _reply(hunt.text(team, "a", "wrong")).result == "already_solved"


def test_refusal_order_locked_before_photo_waiting() -> None:
    hunt = play(_photo_clue(max_attempts=1))
    team = hunt.register("Otters")
    assert _reply(hunt.photo(team, "pic")).result == "pending_review"
    force(hunt, AnswerWrong(team, "pic"))
    refused(hunt.photo(team, "pic"), "clue_locked", 409)


def test_refusal_order_locked_before_rate_limited() -> None:
    hunt = play(text_clue("a", "alpha", max_attempts=2), attempts={"wrong_per_minute": 2})
    team = hunt.register("Otters")
    hunt.text(team, "a", "x")
    hunt.text(team, "a", "y")
    refused(hunt.text(team, "a", "alpha"), "clue_locked", 409)


def test_refusal_order_photo_waiting_before_rate_limited() -> None:
    hunt = play(_photo_clue(), attempts={"wrong_per_minute": 1})
    team = hunt.register("Otters")
    assert _reply(hunt.photo(team, "pic")).result == "pending_review"
    force(hunt, AnswerWrong(team, "pic"))
    refused(hunt.photo(team, "pic"), "photo_pending", 409)


def test_refusal_order_rate_limited_before_keep_going() -> None:
    hunt = play(text_clue("a", "alpha", keep_going=["alp"]), attempts={"wrong_per_minute": 1})
    team = hunt.register("Otters")
    hunt.text(team, "a", "nope")
    refused(hunt.text(team, "a", "alp"), "rate_limited", 429)


def test_refusal_order_every_refusal_comes_before_keep_going() -> None:
    hunt = play(
        text_clue("a", "alpha", keep_going=["alp"], max_attempts=1),
        text_clue("b", "beta", keep_going=["be"], requires=["a"]),
    )
    team = hunt.register("Otters")
    refused(hunt.text(team, "b", "be"), "clue_not_open", 409)
    hunt.text(team, "a", "nope")
    refused(hunt.text(team, "a", "alp"), "clue_locked", 409)
    refused(hunt.at(ENDS).text(team, "a", "alp"), "hunt_not_live", 423)
