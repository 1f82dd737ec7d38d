"""A team's containers in the decision state are created when it first has something
to put in them: until then teams share one empty container, and after it each holds
its own (a state restored from a snapshot the same)."""

from questline.domain.hunt_state import dump_state, load_state
from questline.domain.shared_ints import shared_int
from tests.rules.support import play, text_clue


def test_teams_that_solve_hold_their_own_solved_clues() -> None:
    hunt = play(text_clue("a", "Anchor"), text_clue("b", "Bell"), scoring=None)
    first, second, idle = hunt.register("Otters"), hunt.register("Herons"), hunt.register("Voles")
    hunt.text(first, "a", "Anchor")
    hunt.text(second, "b", "Bell")
    teams = hunt.state.teams
    assert set(teams[first].solved) == {"a"}
    assert set(teams[second].solved) == {"b"}
    assert teams[idle].solved == {}


def test_a_restored_team_with_nothing_solved_can_solve() -> None:
    hunt = play(text_clue("a", "Anchor"), text_clue("b", "Bell"), scoring=None)
    solver, idle = hunt.register("Otters"), hunt.register("Herons")
    hunt.text(solver, "a", "Anchor")
    hunt.state = load_state(dump_state(hunt.state))
    hunt.text(idle, "b", "Bell")
    hunt.text(solver, "b", "Bell")
    teams = hunt.state.teams
    assert set(teams[idle].solved) == {"b"}
    assert set(teams[solver].solved) == {"a", "b"}


def test_equal_orders_are_one_shared_int() -> None:
    computed = [int(str(n)) + 1000 for n in (1, 1)]  # two distinct objects, equal
    assert computed[0] is not computed[1]
    assert shared_int(computed[0]) is shared_int(computed[1])
    assert shared_int(computed[1]) == 1001


def test_wrong_answers_are_tallied_per_clue_however_many_clues_a_team_misses() -> None:
    """One clue's tally is kept apart from several clues' (TeamState.tally); counts,
    recent times and the saved form are the same either way."""
    hunt = play(text_clue("a", "Anchor"), text_clue("b", "Bell"), scoring=None)
    one, two = hunt.register("Otters"), hunt.register("Herons")
    for clue, guess in (("a", "x"), ("a", "y"), ("b", "z"), ("a", "w")):
        hunt.text(two, clue, guess)
    hunt.text(one, "b", "nope")
    hunt.text(one, "b", "still no")
    teams = hunt.state.teams
    assert (teams[one].wrong("b"), teams[one].wrong("a")) == (2, 0)
    assert teams[one].wrong_counts() == {"b": 2}
    assert teams[two].wrong_counts() == {"a": 3, "b": 1}
    recent = teams[two].recent_wrong("a")
    assert recent is not None and len(recent) == 3 and list(recent) == sorted(recent)
    assert teams[one].recent_wrong("a") is None
    saved = dump_state(hunt.state)
    restored = load_state(saved)
    assert dump_state(restored) == saved
    assert restored.teams[two].wrong_counts() == {"a": 3, "b": 1}
    assert restored.teams[one].recent_wrong("b") == teams[one].recent_wrong("b")
