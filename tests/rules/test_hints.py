"""Hints: the cost is paid once per team; unlocking again shows the hint again for
free; only while the hunt is live and the clue open; the text goes only to teams
that unlocked it."""

from questline.domain.events import HintUnlocked
from questline.domain.projections.rows import TeamRow
from questline.domain.replies import HintReply
from tests.hunt_builders import BEFORE_START, ENDS, SECOND, PureHunt, spec_hunt
from tests.rules.support import encoded, play, refused, text_clue


def _hunt() -> PureHunt:
    return play(
        text_clue("a", hints=[{"id": "h1", "text": "Look up.", "cost": 20}]),
        text_clue(
            "b",
            requires=["a"],
            hints=[
                {"id": "h2", "text": "Behind the crates.", "cost": 15},
                {"id": "free", "text": "It is blue.", "cost": 0},
            ],
        ),
        scoring=None,
    )


def test_unlocking_a_hint_subtracts_its_cost_once() -> None:
    hunt = _hunt()
    team = hunt.register("Otters")
    assert hunt.hint(team, "a", "h1") == HintReply("h1", "Look up.", 20, -20)
    assert hunt.log[-1].event == HintUnlocked(team, "a", "h1", 20)
    assert hunt.score(team) == -20


def test_unlocking_a_hint_again_shows_it_again_and_costs_nothing() -> None:
    hunt = _hunt()
    team = hunt.register("Otters")
    hunt.hint(team, "a", "h1")
    size = len(hunt.log)
    for _ in range(3):
        assert hunt.advance(SECOND).hint(team, "a", "h1") == HintReply("h1", "Look up.", 20, -20)
    assert len(hunt.log) == size
    assert hunt.score(team) == -20


def test_hint_cost_is_paid_by_each_team_that_unlocks_it() -> None:
    hunt = _hunt()
    a, b = hunt.register("A"), hunt.register("B")
    hunt.hint(a, "a", "h1")
    hunt.hint(b, "a", "h1")
    assert (hunt.score(a), hunt.score(b)) == (-20, -20)


def test_hints_unlock_only_while_the_hunt_is_live() -> None:
    hunt = PureHunt(spec_hunt(), now=BEFORE_START)
    team = hunt.register("Otters")
    refused(hunt.hint(team, "lighthouse", "look-up"), "hunt_not_live", 423)
    hunt.at(ENDS - SECOND).pause()
    refused(hunt.hint(team, "lighthouse", "look-up"), "hunt_not_live", 423)
    hunt.resume()
    assert isinstance(hunt.hint(team, "lighthouse", "look-up"), HintReply)
    refused(hunt.at(ENDS).hint(team, "lighthouse", "look-up"), "hunt_not_live", 423)
    assert hunt.score(team) == -20


def test_hints_unlock_only_for_a_clue_open_for_the_team() -> None:
    hunt = _hunt()
    team = hunt.register("Otters")
    refused(hunt.hint(team, "b", "h2"), "clue_not_open", 409)
    assert hunt.score(team) == 0
    hunt.text(team, "a", "a")
    assert hunt.hint(team, "b", "h2") == HintReply("h2", "Behind the crates.", 15, 100 - 15)


def test_unknown_clue_or_hint_is_404() -> None:
    hunt = _hunt()
    team = hunt.register("Otters")
    refused(hunt.hint(team, "zzz", "h1"), "unknown_clue", 404)
    refused(hunt.hint(team, "a", "h2"), "unknown_hint", 404)  # h2 belongs to another clue


def test_a_free_hint_changes_no_score() -> None:
    hunt = _hunt()
    team = hunt.register("Otters")
    hunt.text(team, "a", "a")
    assert hunt.hint(team, "b", "free") == HintReply("free", "It is blue.", 0, 100)
    assert hunt.score(team) == 100


def test_hint_texts_are_shown_only_to_teams_that_unlocked_them() -> None:
    hunt = _hunt()
    a, b = hunt.register("A"), hunt.register("B")
    hunt.hint(a, "a", "h1")
    teams = {row.team_id: row for row in hunt.rows().values() if isinstance(row, TeamRow)}
    assert teams[a].hints == [("a", "h1")]
    assert teams[b].hints == []
    assert teams[a].hint_costs == 20
    # Nothing B is told carries the text: its own replies.
    replies = [hunt.text(b, "a", "wrong"), hunt.text(b, "a", "a")]
    assert all(b"Look up" not in encoded(r) for r in replies)
