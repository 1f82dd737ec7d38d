"""Ranking: score descending; ties to the team whose own last scoring event is
earlier in the log (teams without one after those with one); then registration
order. Expected orders are built here from hand-kept scores and log positions
and compared with the leaderboard rows the projections fold from the log."""

from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes, LeaderboardRow
from tests.hunt_builders import SECOND, PureHunt, spec_hunt
from tests.rules.support import (
    board,
    dynamic,
    order,
    play,
    spec_ranking,
    text_clue,
    versions,
)


def _hinted_clue(clue_id: str, points: int, cost: int) -> dict[str, object]:
    return text_clue(clue_id, points=points, hints=[{"id": "h", "text": "psst", "cost": cost}])


def test_every_registered_team_is_on_the_leaderboard() -> None:
    hunt = PureHunt(spec_hunt())
    teams = [hunt.register(name) for name in ("Otters", "Gulls", "Seals")]
    hunt.solve_lighthouse(teams[1])
    rows = board(hunt)
    assert sorted(order(rows)) == sorted(teams)
    assert {row.team_id: row.name for row in rows} == dict(
        zip(teams, ["Otters", "Gulls", "Seals"], strict=True)
    )


def test_leaderboard_orders_by_score_descending() -> None:
    hunt = play(
        text_clue("a", points=10),
        text_clue("b", points=20),
        text_clue("c", points=40),
        scoring=None,
    )
    low, high, mid = (hunt.register(n) for n in ("Low", "High", "Mid"))
    hunt.text(low, "a", "a")
    hunt.text(high, "c", "c")
    hunt.text(mid, "b", "b")
    assert order(board(hunt)) == [high, mid, low]
    assert [row.score for row in board(hunt)] == [40, 20, 10]


def test_tie_goes_to_the_team_whose_own_last_scoring_event_is_earlier() -> None:
    hunt = play(text_clue("a", points=100), text_clue("b", points=100), scoring=None)
    t1, t2, t3, t4, t5 = (hunt.register(f"Team {i}") for i in range(1, 6))
    last: dict[str, int | None] = dict.fromkeys((t1, t2, t3, t4, t5))
    hunt.advance(SECOND).text(t3, "a", "a")
    last[t3] = versions(hunt)
    hunt.advance(SECOND).text(t1, "b", "b")
    last[t1] = versions(hunt)
    hunt.adjust(t5, 10, "up")
    hunt.adjust(t5, -10, "down")
    last[t5] = versions(hunt)
    scores = {t1: 100, t2: 0, t3: 100, t4: 0, t5: 0}
    registered = {t1: 1, t2: 2, t3: 3, t4: 4, t5: 5}
    expected = spec_ranking({t: (scores[t], last[t], registered[t]) for t in scores})
    assert expected == [t3, t1, t5, t2, t4]
    rows = board(hunt)
    assert order(rows) == expected
    assert [row.score for row in rows] == [scores[t] for t in expected]


def test_a_team_with_no_scoring_event_comes_after_tied_teams_with_one() -> None:
    """Even when registered first, and even when its score is the same (0)."""
    hunt = play(_hinted_clue("a", 10, 10), scoring=None)
    idle, busy = hunt.register("Idle"), hunt.register("Busy")
    hunt.hint(busy, "a", "h")  # -10
    hunt.text(busy, "a", "a")  # +10 -> 0
    assert hunt.score(busy) == hunt.score(idle) == 0
    assert order(board(hunt)) == [busy, idle]


def test_teams_without_scoring_events_go_by_registration_order() -> None:
    hunt = PureHunt(spec_hunt())
    teams = [hunt.register(f"Team {i}") for i in range(6)]
    hunt.text(teams[4], "lighthouse", "wrong")  # a wrong answer is no scoring event
    hunt.text(teams[2], "lighthouse", "light")  # nor a keep_going one
    assert order(board(hunt)) == teams


def test_paid_hint_unlock_is_a_scoring_event_and_a_free_one_is_not() -> None:
    hunt = play(
        _hinted_clue("paid", 10, 5),
        _hinted_clue("free", 10, 0),
        text_clue("x", points=5),
        scoring=None,
    )
    a, b, c = (hunt.register(n) for n in ("A", "B", "C"))
    last: dict[str, int | None] = dict.fromkeys((a, b, c))
    hunt.text(a, "x", "x")
    last[a] = versions(hunt)
    hunt.text(b, "x", "x")
    last[b] = versions(hunt)
    hunt.text(c, "x", "x")
    last[c] = versions(hunt)
    hunt.hint(a, "free", "h")  # costs nothing: a's last scoring event stays
    hunt.hint(b, "paid", "h")  # -5: a scoring event
    last[b] = versions(hunt)
    hunt.adjust(b, 5, "refund")
    last[b] = versions(hunt)
    scores = {a: 5, b: 5, c: 5}
    expected = spec_ranking({t: (scores[t], last[t], i) for i, t in enumerate((a, b, c))})
    assert expected == [a, c, b]
    assert order(board(hunt)) == expected


def test_re_unlocking_a_paid_hint_is_no_scoring_event() -> None:
    hunt = play(_hinted_clue("a", 10, 5), text_clue("x", points=5), scoring=None)
    a, b = hunt.register("A"), hunt.register("B")
    hunt.hint(a, "a", "h")  # -5
    hunt.adjust(a, 10, "refund and more")  # A: 5, its last scoring event
    hunt.text(b, "x", "x")  # B: 5, later
    hunt.hint(a, "a", "h")  # shown again, free, records nothing
    assert hunt.score(a) == hunt.score(b) == 5
    assert order(board(hunt)) == [a, b]


def test_another_teams_dynamic_solve_is_no_scoring_event_of_mine() -> None:
    """A solves d (100). B solves s (90). C solves d: d is now worth 90 for A and C.
    All have 90; their own last scoring events are A's, B's, C's solves, in that order."""
    hunt = play(
        text_clue("d", points=dynamic(100, 0, 10, "linear")),
        text_clue("s", points=90),
        scoring=None,
    )
    a, b, c = (hunt.register(n) for n in ("A", "B", "C"))
    last: dict[str, int | None] = {}
    hunt.advance(SECOND).text(a, "d", "d")
    last[a] = versions(hunt)
    hunt.advance(SECOND).text(b, "s", "s")
    last[b] = versions(hunt)
    hunt.advance(SECOND).text(c, "d", "d")
    last[c] = versions(hunt)
    scores = {a: 90, b: 90, c: 90}
    assert {t: hunt.score(t) for t in scores} == scores
    expected = spec_ranking({t: (scores[t], last[t], i) for i, t in enumerate((a, b, c))})
    assert expected == [a, b, c]
    rows = board(hunt)
    assert order(rows) == expected
    assert [row.score for row in rows] == [90, 90, 90]


def test_a_dynamic_drop_can_move_an_earlier_solver_down_the_board() -> None:
    hunt = play(
        text_clue("d", points=dynamic(100, 50, 30, "linear")),
        text_clue("s", points=80),
        scoring=None,
    )
    a, b, c = (hunt.register(n) for n in ("A", "B", "C"))
    hunt.text(a, "d", "d")  # A 100
    hunt.text(b, "s", "s")  # B 80
    assert order(board(hunt)) == [a, b, c]
    hunt.text(c, "d", "d")  # d -> 70: A 70, C 70, B 80
    assert order(board(hunt)) == [b, a, c]
    assert [row.score for row in board(hunt)] == [80, 70, 70]


def test_ranks_are_positions_one_to_n_with_no_shared_ranks() -> None:
    hunt = PureHunt(spec_hunt())
    teams = [hunt.register(f"Team {i}") for i in range(5)]
    for team in teams[:3]:
        hunt.advance(SECOND).adjust(team, 10, "same")
    rows = board(hunt)
    keys = [row.sort_key() for row in rows]
    assert len(set(keys)) == len(keys)  # a strict order: rank = position, 1..n
    assert order(rows) == teams  # equal scores: earlier own event, then registration


def test_solved_count_on_the_board_counts_the_teams_solves() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    hunt.code(team, "crate", "QL-7F3K-22")
    hunt.text(team, "lighthouse", "again")  # already solved: no second count
    (row,) = board(hunt)
    assert row.solved == 2


def test_a_dynamic_solve_changes_the_board_rows_of_every_earlier_solver_at_once() -> None:
    """Folding event by event (as the engine does), the step with the new solve
    hands out new rows for the earlier solvers too, so no stored row goes stale."""
    hunt = play(text_clue("d", points=dynamic(100, 0, 10, "linear")), scoring=None)
    a, b, c = (hunt.register(n) for n in ("A", "B", "C"))
    hunt.text(a, "d", "d")
    hunt.text(b, "d", "d")
    hunt.text(c, "d", "d")
    projector = Projector()
    stored: Changes = {}
    for recorded in hunt.log:
        projector.apply(recorded)
        changes = projector.take_changes()
        stored.update(changes)
        if recorded is hunt.log[-1]:
            live = {
                key[2]: row.score
                for key, row in changes.items()
                if key[0] == "leaderboard_live" and isinstance(row, LeaderboardRow)
            }
            assert live == {a: 80, b: 80, c: 80}
    assert stored == hunt.rows()
