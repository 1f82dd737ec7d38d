"""Attempts: registration window, the live window, pause, already solved,
the rate limit and max_attempts."""

import math

import pytest

from questline.domain.commands import RegisterTeam
from questline.domain.events import AnswerWrong
from questline.domain.replies import SubmissionReply, TeamReply
from tests.hunt_builders import BEFORE_START, ENDS, MINUTE, SECOND, STARTS, PureHunt, spec_hunt
from tests.rules.support import play, refused, text_clue


def _reply(result: object) -> SubmissionReply:
    assert isinstance(result, SubmissionReply), result
    return result


# Registration -----------------------------------------------------------------


def test_teams_register_from_creation_until_ends_at() -> None:
    hunt = PureHunt(spec_hunt(), now=BEFORE_START)
    assert hunt.register("Early")
    hunt.at(STARTS + 5 * SECOND).register("During")
    hunt.at(ENDS - 1).register("Last")
    assert len(hunt.state.teams) == 3


def test_registration_at_or_after_ends_at_is_refused_with_423() -> None:
    hunt = PureHunt(spec_hunt(), now=ENDS)
    refused(_register(hunt, "Late"), "registration_closed", 423)
    hunt.at(ENDS + 3600 * SECOND)
    refused(_register(hunt, "Later"), "registration_closed", 423)
    assert hunt.state.teams == {}


def test_registration_is_open_while_paused() -> None:
    hunt = PureHunt(spec_hunt())
    hunt.pause()
    assert isinstance(_register(hunt, "Otters"), TeamReply)


def _register(hunt: PureHunt, name: str) -> object:
    return hunt.run(RegisterTeam(hunt.hunt_id, name, f"hash-of-{name}"))


# The live window ---------------------------------------------------------------


def test_submissions_are_accepted_from_starts_at_inclusive() -> None:
    hunt = PureHunt(spec_hunt(), now=BEFORE_START)
    team = hunt.register("Otters")
    refused(hunt.at(STARTS - 1).solve_lighthouse(team), "hunt_not_live", 423)
    assert _reply(hunt.at(STARTS).solve_lighthouse(team)).result == "correct"


def test_submissions_are_refused_from_ends_at_exclusive() -> None:
    hunt = PureHunt(spec_hunt())
    late, last = hunt.register("Late"), hunt.register("Last")
    assert _reply(hunt.at(ENDS - 1).solve_lighthouse(last)).result == "correct"
    result = refused(hunt.at(ENDS).solve_lighthouse(late), "hunt_not_live", 423)
    assert result.details == {"state": "ended"}


def test_submissions_are_refused_while_paused_and_accepted_after_resume() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.pause()
    result = refused(hunt.advance(SECOND).solve_lighthouse(team), "hunt_not_live", 423)
    assert result.details == {"state": "paused"}
    assert hunt.state.phase(hunt.now) == "paused"
    hunt.resume()
    assert hunt.state.phase(hunt.now) == "live"
    assert _reply(hunt.advance(SECOND).solve_lighthouse(team)).result == "correct"


def test_pause_and_resume_are_idempotent() -> None:
    hunt = PureHunt(spec_hunt())
    hunt.pause()
    size = len(hunt.log)
    hunt.pause()
    assert len(hunt.log) == size
    hunt.resume()
    hunt.resume()
    assert len(hunt.log) == size + 1


def test_a_hunt_paused_before_it_starts_stays_closed_at_starts_at() -> None:
    hunt = PureHunt(spec_hunt(), now=BEFORE_START)
    team = hunt.register("Otters")
    hunt.pause()
    refused(hunt.at(STARTS).solve_lighthouse(team), "hunt_not_live", 423)
    hunt.resume()
    assert _reply(hunt.solve_lighthouse(team)).result == "correct"


def test_a_pause_does_not_extend_ends_at() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.pause()
    hunt.at(ENDS - SECOND).resume()
    refused(hunt.at(ENDS).solve_lighthouse(team), "hunt_not_live", 423)


# Already solved -------------------------------------------------------------------


def test_already_solved_answers_200_with_no_points_and_records_nothing() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    size = len(hunt.log)
    for answer in ["keeper", "wrong", "light"]:
        assert _reply(hunt.text(team, "lighthouse", answer)) == SubmissionReply(
            "already_solved", 0, 0, 150
        )
    assert len(hunt.log) == size
    assert hunt.score(team) == 150


# Wrong attempts and the rate limit ---------------------------------------------------


def test_wrong_answer_is_recorded_as_an_attempt() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.text(team, "lighthouse", "tower")
    assert hunt.log[-1].event == AnswerWrong(team, "lighthouse", answer="tower")
    assert hunt.log[-1].time == STARTS


def _limited_hunt(limit: int) -> PureHunt:
    return play(
        text_clue("a", "alpha"), text_clue("b", "beta"), attempts={"wrong_per_minute": limit}
    )


def test_rate_limit_refuses_right_answers_too_until_the_window_allows_one_more() -> None:
    """The window is the last 60 s, (now - 60 s, now]: a wrong attempt made exactly
    60 s ago has left it, matching Retry-After (waiting that long is enough)."""
    hunt = _limited_hunt(3)
    team = hunt.register("Otters")
    t0 = STARTS + 10 * SECOND
    for offset in (0, 1, 2):
        assert _reply(hunt.at(t0 + offset * SECOND).text(team, "a", "nope")).result == "incorrect"
    refused(hunt.at(t0 + 3 * SECOND).text(team, "a", "nope"), "rate_limited", 429)
    refused(hunt.at(t0 + 59 * SECOND).text(team, "a", "alpha"), "rate_limited", 429)
    refused(hunt.at(t0 + 60 * SECOND - 1).text(team, "a", "alpha"), "rate_limited", 429)
    # The attempt at t0 has left the window: exactly one more is allowed.
    assert _reply(hunt.at(t0 + 60 * SECOND).text(team, "a", "nope")).result == "incorrect"
    refused(hunt.at(t0 + 60 * SECOND).text(team, "a", "alpha"), "rate_limited", 429)
    assert _reply(hunt.at(t0 + 61 * SECOND).text(team, "a", "alpha")).result == "correct"


def test_rate_limit_default_is_10_wrong_per_minute() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    for i in range(10):
        assert _reply(hunt.at(STARTS + i).text(team, "lighthouse", "no")).result == "incorrect"
    refused(hunt.at(STARTS + 10).solve_lighthouse(team), "rate_limited", 429)


def test_rate_limited_attempts_are_not_recorded() -> None:
    hunt = _limited_hunt(2)
    team = hunt.register("Otters")
    hunt.text(team, "a", "x")
    hunt.text(team, "a", "y")
    size = len(hunt.log)
    for i in range(20):
        refused(hunt.at(STARTS + i * SECOND).text(team, "a", "z"), "rate_limited", 429)
    assert len(hunt.log) == size
    assert hunt.state.teams[team].wrong("a") == 2
    # Had the refusals counted, the window would still be full at STARTS + 60 s.
    assert _reply(hunt.at(STARTS + 60 * SECOND).text(team, "a", "alpha")).result == "correct"


def test_rate_limit_is_per_team_and_per_clue() -> None:
    hunt = _limited_hunt(2)
    team, other = hunt.register("Otters"), hunt.register("Gulls")
    hunt.text(team, "a", "x")
    hunt.text(team, "a", "y")
    refused(hunt.text(team, "a", "alpha"), "rate_limited", 429)
    assert _reply(hunt.text(team, "b", "beta")).result == "correct"
    assert _reply(hunt.text(other, "a", "alpha")).result == "correct"


@pytest.mark.parametrize(
    ("wait_from_oldest_us", "expected_s"),
    [
        (3 * SECOND, 57),  # 57 s to go exactly
        (3 * SECOND + 1, 57),  # 56.999999 s -> 57
        (2_500_000, 58),  # 57.5 s -> 58
        (59 * SECOND, 1),  # 1 s to go
        (60 * SECOND - 1, 1),  # 1 microsecond to go -> at least 1
        (59_700_000, 1),  # 0.3 s -> 1
    ],
)
def test_retry_after_is_whole_seconds_rounded_up_and_at_least_1(
    wait_from_oldest_us: int, expected_s: int
) -> None:
    hunt = _limited_hunt(2)
    team = hunt.register("Otters")
    t0 = STARTS + 5 * SECOND
    hunt.at(t0).text(team, "a", "x")
    hunt.at(t0 + SECOND // 2).text(team, "a", "y")
    now = t0 + wait_from_oldest_us
    assert expected_s == max(1, math.ceil((t0 + 60 * SECOND - now) / SECOND))  # the rule
    result = refused(hunt.at(now).text(team, "a", "alpha"), "rate_limited", 429)
    assert result.details == {"retry_after": expected_s}


def test_retry_after_counts_from_the_attempt_that_must_leave_the_window() -> None:
    """With limit 2 and wrong attempts at 0 s, 10 s, 61 s, the window at 62 s holds
    10 s and 61 s: one more is allowed once 10 s leaves, at 70 s (8 s from 62 s)."""
    hunt = _limited_hunt(2)
    team = hunt.register("Otters")
    for at in (0, 10, 61):
        assert _reply(hunt.at(STARTS + at * SECOND).text(team, "a", "x")).result == "incorrect"
    result = refused(hunt.at(STARTS + 62 * SECOND).text(team, "a", "x"), "rate_limited", 429)
    assert result.details == {"retry_after": 8}


# max_attempts -----------------------------------------------------------------------


def test_clue_locks_for_the_team_after_max_attempts_wrong_attempts() -> None:
    hunt = play(text_clue("a", "alpha", max_attempts=2), text_clue("b", "beta"))
    team, other = hunt.register("Otters"), hunt.register("Gulls")
    assert _reply(hunt.text(team, "a", "x")).result == "incorrect"
    assert _reply(hunt.advance(MINUTE).text(team, "a", "y")).result == "incorrect"
    result = refused(hunt.advance(MINUTE).text(team, "a", "alpha"), "clue_locked", 409)
    assert result.details == {"max_attempts": 2}
    refused(hunt.advance(3600 * SECOND).text(team, "a", "alpha"), "clue_locked", 409)
    # Only that clue, only for that team.
    assert _reply(hunt.text(team, "b", "beta")).result == "correct"
    assert _reply(hunt.text(other, "a", "alpha")).result == "correct"


def test_right_answer_before_the_limit_still_solves() -> None:
    hunt = play(text_clue("a", "alpha", max_attempts=3))
    team = hunt.register("Otters")
    hunt.text(team, "a", "x")
    hunt.text(team, "a", "y")
    assert _reply(hunt.text(team, "a", "alpha")).result == "correct"
