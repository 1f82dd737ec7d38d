"""Team names (hunt-day.md, "Limits"): 1..64 characters after NFKC, no control,
format or unassigned characters, not only white space (nor only Hangul fillers,
which render as nothing); names equal after NFKC, case folding and removing spaces
are the same name (409). Names already in a log replay as they were."""

import pytest

from questline.domain.commands import RegisterTeam
from questline.domain.events import TeamRegistered
from questline.domain.hunt_state import dump_state, evolve, load_state
from questline.domain.replies import TeamReply
from questline.domain.team_names import fold_team_name, team_name_problem
from tests.hunt_builders import PureHunt
from tests.rules.support import force, play, refused, text_clue


def _register(hunt: PureHunt, name: str) -> RegisterTeam:
    return RegisterTeam(hunt.hunt_id, name, f"hash-of-{name}")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("team1\u200b", "zero-width space"),
        ("\u202eteam1", "right-to-left override"),
        ("\u00ad", "soft hyphen"),
        ("\ufeffteam", "byte order mark"),
        ("team\x1b[31m", "raw ESC"),
        ("a\tb", "tab"),
        ("nul\x00", "NUL"),
        ("team\U000e0001", "language tag"),
        ("\U0010fffe", "unassigned (a noncharacter)"),
    ],
)
def test_a_name_with_control_format_or_unassigned_characters_is_refused(
    name: str, why: str
) -> None:
    hunt = play(text_clue("a"))
    refusal = refused(hunt.run(_register(hunt, name)), "invalid_input", 422)
    assert refusal.details == {"field": "name"}, why
    assert "U+" in refusal.message, refusal.message
    assert not hunt.state.teams


@pytest.mark.parametrize(
    "name", ["", "   ", "\u3000", "\u3164", "\u115f\u1160", " \uffa0 ", "\u3164 \u3164"]
)
def test_a_name_of_only_white_space_or_hangul_fillers_is_empty(name: str) -> None:
    hunt = play(text_clue("a"))
    refusal = refused(hunt.run(_register(hunt, name)), "invalid_input", 422)
    assert "visible" in refusal.message


def test_a_name_is_stored_in_its_nfkc_form_stripped() -> None:
    hunt = play(text_clue("a"))
    hunt.register("  Ｏｔｔｅｒｓ\u00a0")  # fullwidth letters, a no-break space
    [team] = hunt.state.teams.values()
    assert team.name == "Otters"


def test_a_name_has_at_most_64_characters_after_nfkc() -> None:
    hunt = play(text_clue("a"))
    assert isinstance(hunt.run(_register(hunt, "x" * 64)), TeamReply)
    refused(hunt.run(_register(hunt, "y" * 65)), "invalid_input", 422)
    # U+FDFA is one character that NFKC writes as 18: four of them are 72.
    refused(hunt.run(_register(hunt, "\ufdfa" * 4)), "invalid_input", 422)


@pytest.mark.parametrize(
    "second",
    ["team1", "TEAM1", "Team 1", "t e a m 1", "ＴＥＡＭ１", "Team\u30001", "Team\u31641"],
)
def test_names_equal_after_nfkc_case_folding_and_removing_spaces_are_one_name(
    second: str,
) -> None:
    hunt = play(text_clue("a"))
    hunt.register("Team1")
    refused(hunt.run(_register(hunt, second)), "name_taken", 409)
    assert len(hunt.state.teams) == 1


def test_names_that_differ_in_letters_are_different_names() -> None:
    hunt = play(text_clue("a"))
    for name in ("Team1", "Team2", "Teaml", "Straße", "Strasse "):
        result = hunt.run(_register(hunt, name))
        if name.startswith("Strasse"):  # case folding makes ß "ss": the same name
            refused(result, "name_taken", 409)
        else:
            assert isinstance(result, TeamReply), (name, result)


def test_names_in_an_old_log_replay_and_take_part_in_the_new_fold() -> None:
    hunt = play(text_clue("a"))
    # Registered before the rule: the log keeps them as they were.
    force(hunt, TeamRegistered("t-1", "team1\u200b", "h1"))
    force(hunt, TeamRegistered("t-2", "Old  Crew", "h2"))
    replayed = None
    for recorded in hunt.log:
        replayed = evolve(replayed, recorded)
    assert replayed is not None
    assert replayed.teams["t-1"].name == "team1\u200b"
    assert replayed.team_names == hunt.state.team_names
    # "Old Crew" folds like "oldcrew": a new registration of it is the same name.
    refused(hunt.run(_register(hunt, "OLDCREW")), "name_taken", 409)
    # A snapshot rebuilds the same index from the names.
    assert load_state(dump_state(hunt.state)).team_names == hunt.state.team_names


def test_the_fold_is_nfkc_then_case_folding_then_without_spaces() -> None:
    assert fold_team_name("Ｔｅａｍ \u3000Ｏｎｅ") == "teamone"
    assert team_name_problem(" Team One ") == ("Team One", None)
