"""hunt-day.md, "Errata: revising a live hunt": one test per rule."""

import copy
from typing import Any

from questline.domain.definition_parsing import parse_definition
from questline.domain.events import ClueSolved, HuntRevised, PartSolved
from questline.domain.hunt_state import HuntState, dump_state, evolve
from questline.domain.replies import RevisionReply
from tests.hunt_builders import ENDS, MINUTE, PureHunt
from tests.rules.support import document, dynamic, play, refused, text_clue


def revised(doc: dict[str, Any], **clue_changes: dict[str, Any]) -> Any:
    """The document with some clues' fields replaced (clue id -> fields)."""
    doc = copy.deepcopy(doc)
    for clue in doc["clues"]:
        clue.update(clue_changes.get(clue["id"], {}))
    return parse_definition(doc)


def base() -> dict[str, Any]:
    return document(
        text_clue("light", "lighthouse keeper", points=100),
        text_clue("dock", "dock nine", points=dynamic(500, 100, 20, "logarithmic")),
        {"id": "crate", "points": 200, "answer": {"kind": "code", "codes": ["QL-1"]}},
        scoring={"first_solve_bonus": [50, 25]},
    )


def reply_of(result: object) -> RevisionReply:
    assert isinstance(result, RevisionReply), result
    return result


def test_a_revision_is_one_event_and_every_later_decision_uses_the_new_definition() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    refused_before = hunt.text(team, "light", "keepers light")
    assert getattr(refused_before, "result", None) == "incorrect"
    before = len(hunt.log)
    new = revised(base(), light={"answer": {"kind": "text", "accept": ["keepers light"]}})
    reply = reply_of(hunt.revise(new))
    assert reply.revision == 2
    assert [type(r.event) for r in hunt.log[before:]] == [HuntRevised]
    assert getattr(hunt.text(team, "light", "Keeper's Light!"), "result", None) == "correct"


def test_a_solved_clue_is_worth_its_value_under_the_current_revision_for_every_solver() -> None:
    hunt = PureHunt(parse_definition(base()))
    a, b = hunt.register("A"), hunt.register("B")
    hunt.text(a, "light", "lighthouse keeper")
    hunt.text(b, "light", "lighthouse keeper")
    assert (hunt.score(a), hunt.score(b)) == (150, 125)
    reply = reply_of(hunt.revise(revised(base(), light={"points": 40})))
    assert (hunt.score(a), hunt.score(b)) == (90, 65)
    assert [(c.team_id, c.score_before, c.score_after) for c in reply.board] == [
        (a, 150, 90),
        (b, 125, 65),
    ]


def test_hint_costs_already_paid_stay_as_paid() -> None:
    doc = base()
    doc["clues"][0]["hints"] = [{"id": "h", "text": "Look up.", "cost": 20}]
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    hunt.hint(team, "light", "h")
    changed = copy.deepcopy(doc)
    changed["clues"][0]["hints"][0]["cost"] = 90
    hunt.revise(parse_definition(changed))
    assert hunt.score(team) == -20


def test_a_change_to_first_solve_bonus_applies_to_the_existing_solve_order() -> None:
    hunt = PureHunt(parse_definition(base()))
    a, b = hunt.register("A"), hunt.register("B")
    hunt.text(a, "light", "lighthouse keeper")
    hunt.text(b, "light", "lighthouse keeper")
    doc = base()
    doc["hunt"]["scoring"] = {"first_solve_bonus": [5, 300]}
    hunt.revise(parse_definition(doc))
    assert (hunt.score(a), hunt.score(b)) == (105, 400)


def test_a_clue_open_for_a_team_stays_open_and_changed_requires_apply_to_the_others() -> None:
    hunt = PureHunt(parse_definition(base()))
    early, late = hunt.register("Early"), hunt.register("Late")
    stricter = revised(base(), crate={"requires": ["light"]})
    hunt.revise(stricter)
    assert getattr(hunt.code(early, "crate", "QL-1"), "result", None) == "correct"
    assert hunt.state.teams[late].kept_open  # it was open for Late too at the revision
    third = hunt.register("Third")  # registered after: the new rule applies
    refused(hunt.code(third, "crate", "QL-1"), "clue_not_open", 409)


def test_times_may_move_and_the_hunt_state_follows() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    doc = base()
    doc["hunt"]["ends_at"] = "2026-12-01T23:00:00Z"
    hunt.revise(parse_definition(doc))
    hunt.at(ENDS + MINUTE)
    assert hunt.state.phase(hunt.now) == "live"
    assert getattr(hunt.text(team, "light", "lighthouse keeper"), "result", None) == "correct"


def test_the_revision_is_refused_when_it_would_change_the_hunt_id() -> None:
    hunt = PureHunt(parse_definition(base()))
    doc = base()
    doc["hunt"]["id"] = "another-hunt"
    rejection = refused(hunt.revise(parse_definition(doc)), "invalid_input", 422)
    assert rejection.details is not None
    assert [p["path"] for p in rejection.details["problems"]] == ["hunt.id"]


def test_removing_a_clue_or_hint_a_team_touched_is_refused_listing_every_problem() -> None:
    doc = base()
    doc["clues"][0]["hints"] = [{"id": "h", "text": "Up.", "cost": 0}]
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    hunt.hint(team, "light", "h")
    hunt.code(team, "crate", "nope")
    changed = copy.deepcopy(doc)
    changed["clues"][0]["hints"] = []
    changed["clues"] = [c for c in changed["clues"] if c["id"] != "crate"]
    rejection = refused(hunt.revise(parse_definition(changed)), "invalid_input", 422)
    messages = [p["message"] for p in (rejection.details or {})["problems"]]
    assert len(messages) == 2
    assert any("'crate' cannot be removed" in m for m in messages)
    assert any("hint 'h'" in m for m in messages)


def test_an_untouched_clue_may_be_removed() -> None:
    hunt = PureHunt(parse_definition(base()))
    hunt.register("Otters")
    doc = base()
    doc["clues"] = doc["clues"][:2]
    reply = reply_of(hunt.revise(parse_definition(doc)))
    assert "clue crate removed" in reply.changes


def test_changing_the_answer_kind_of_a_clue_with_submissions_is_refused() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    hunt.code(team, "crate", "nope")
    changed = revised(base(), crate={"answer": {"kind": "text", "accept": ["crate"]}})
    rejection = refused(hunt.revise(changed), "invalid_input", 422)
    assert "answer kind stays code" in (rejection.details or {})["problems"][0]["message"]


def test_if_match_makes_a_revision_conditional_on_the_revision_the_organizer_read() -> None:
    hunt = PureHunt(parse_definition(base()))
    refused(hunt.revise(parse_definition(base()), expected=2), "revision_mismatch", 412)
    assert reply_of(hunt.revise(parse_definition(base()), expected=1)).revision == 2
    refused(hunt.revise(parse_definition(base()), expected=1), "revision_mismatch", 412)


def test_a_dry_run_answers_exactly_as_the_revision_would_and_writes_nothing() -> None:
    hunt = PureHunt(parse_definition(base()))
    a = hunt.register("A")
    hunt.text(a, "light", "keepers light")
    new = revised(base(), light={"answer": {"kind": "text", "accept": ["keepers light"]}})
    state_before = dump_state(hunt.state)
    log_before = list(hunt.log)
    dry = hunt.revise(new, dry_run=True, rejudge=True)
    assert hunt.log == log_before and dump_state(hunt.state) == state_before
    real = hunt.revise(new, rejudge=True)
    assert dry == real


def test_rejudging_makes_the_earliest_attempt_that_now_matches_the_teams_solve() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    hunt.text(team, "light", "the keeper")
    first = hunt.log[-1].version
    hunt.advance(MINUTE).text(team, "light", "keepers light")
    new = revised(
        base(), light={"answer": {"kind": "text", "accept": ["keepers light", "the keeper"]}}
    )
    reply = reply_of(hunt.revise(new, rejudge=True))
    assert [(r.team_id, r.clue, r.version) for r in reply.rejudged] == [(team, "light", first)]
    solve = hunt.log[-1].event
    assert isinstance(solve, ClueSolved) and solve.counts_at == first
    assert hunt.state.teams[team].solved["light"] == first


def test_without_rejudge_past_answers_are_not_checked_again() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    hunt.text(team, "light", "keepers light")
    new = revised(base(), light={"answer": {"kind": "text", "accept": ["keepers light"]}})
    assert reply_of(hunt.revise(new)).rejudged == ()
    assert "light" not in hunt.state.teams[team].solved


def test_code_attempts_are_rejudged_too() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    hunt.code(team, "crate", " QL-2 ")
    new = revised(base(), crate={"answer": {"kind": "code", "codes": ["QL-1", "QL-2"]}})
    assert len(reply_of(hunt.revise(new, rejudge=True)).rejudged) == 1
    assert hunt.score(team) == 250


def test_a_rejudged_solve_takes_the_first_solve_bonus_of_its_original_position() -> None:
    hunt = PureHunt(parse_definition(base()))
    early, late = hunt.register("Early"), hunt.register("Late")
    hunt.text(early, "light", "keepers light")  # wrong then, right after the erratum
    hunt.advance(MINUTE).text(late, "light", "lighthouse keeper")
    assert hunt.score(late) == 150
    new = revised(
        base(),
        light={"answer": {"kind": "text", "accept": ["lighthouse keeper", "keepers light"]}},
    )
    reply = reply_of(hunt.revise(new, rejudge=True))
    assert (hunt.score(early), hunt.score(late)) == (150, 125)
    assert {c.team_id: (c.rank_before, c.rank_after) for c in reply.board} == {
        late: (1, 2),
        early: (2, 1),
    }


def test_a_rejudged_solve_counts_in_the_dynamic_solver_count() -> None:
    hunt = PureHunt(parse_definition(base()))
    a, b = hunt.register("A"), hunt.register("B")
    hunt.text(a, "dock", "dock 9")
    hunt.advance(MINUTE).text(b, "dock", "dock nine")
    assert hunt.score(b) == 500 + 50
    new = revised(base(), dock={"answer": {"kind": "text", "accept": ["dock nine", "dock 9"]}})
    hunt.revise(new, rejudge=True)
    assert hunt.state.scores.solvers("dock") == [a, b]
    assert (hunt.score(a), hunt.score(b)) == (499 + 50, 499 + 25)


def test_a_later_solve_moves_back_to_the_attempt_that_now_matches() -> None:
    hunt = PureHunt(parse_definition(base()))
    a, b = hunt.register("A"), hunt.register("B")
    hunt.text(a, "light", "keepers light")
    early = hunt.log[-1].version
    hunt.advance(MINUTE).text(b, "light", "lighthouse keeper")
    hunt.advance(MINUTE).text(a, "light", "lighthouse keeper")  # A solves later
    assert hunt.state.scores.solvers("light") == [b, a]
    new = revised(
        base(),
        light={"answer": {"kind": "text", "accept": ["lighthouse keeper", "keepers light"]}},
    )
    hunt.revise(new, rejudge=True)
    assert hunt.state.scores.solvers("light") == [a, b]
    assert hunt.state.teams[a].solved["light"] == early
    assert hunt.state.standings.entries[a].last_scoring_version == early
    assert (hunt.score(a), hunt.score(b)) == (150, 125)


def test_a_rejudged_solve_counts_at_its_original_position_for_the_tie_rule() -> None:
    hunt = PureHunt(parse_definition(base()))
    a, b = hunt.register("A"), hunt.register("B")
    hunt.text(a, "light", "keepers light")
    hunt.advance(MINUTE).code(b, "crate", "QL-1")  # 200 + 50
    doc = base()
    doc["clues"][0]["points"] = 200
    doc["clues"][0]["answer"]["accept"] = ["keepers light"]
    hunt.revise(parse_definition(doc), rejudge=True)
    board = hunt.state.standings.ranked()
    assert (hunt.score(a), hunt.score(b)) == (250, 250)
    assert board == [a, b]  # A's solve counts at its attempt, before B's


def test_rejudging_only_adds_solves() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    hunt.text(team, "light", "lighthouse keeper")
    new = revised(base(), light={"answer": {"kind": "text", "accept": ["something else"]}})
    hunt.revise(new, rejudge=True)
    assert hunt.score(team) == 150
    assert "light" in hunt.state.teams[team].solved


def test_rejudging_again_under_the_same_definition_finds_nothing() -> None:
    hunt = PureHunt(parse_definition(base()))
    team = hunt.register("Otters")
    hunt.text(team, "light", "keepers light")
    new = revised(base(), light={"answer": {"kind": "text", "accept": ["keepers light"]}})
    assert len(reply_of(hunt.revise(new, rejudge=True)).rejudged) == 1
    again = reply_of(hunt.revise(new, rejudge=True))
    assert again.rejudged == () and again.board == ()


def test_a_rejudged_attempt_gives_back_its_penalty() -> None:
    doc = base()
    doc["hunt"]["scoring"]["wrong_answer_penalty"] = 7
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    hunt.text(team, "light", "keepers light")
    hunt.text(team, "light", "nope")
    assert hunt.score(team) == -14
    changed = copy.deepcopy(doc)
    changed["clues"][0]["answer"]["accept"] = ["keepers light"]
    hunt.revise(parse_definition(changed), rejudge=True)
    assert hunt.score(team) == 150 - 7


def test_wrong_part_attempts_are_rejudged_at_their_original_position() -> None:
    doc = document(
        {
            "id": "riddle",
            "answer": {
                "kind": "parts",
                "parts": [
                    {"id": "one", "points": 30, "accept": ["first"]},
                    {"id": "two", "points": 20, "accept": ["second"]},
                ],
            },
        }
    )
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    hunt.part(team, "riddle", "one", "1st")
    wrong_at = hunt.log[-1].version
    hunt.part(team, "riddle", "two", "second")
    changed = copy.deepcopy(doc)
    changed["clues"][0]["answer"]["parts"][0]["accept"] = ["first", "1st"]
    reply = reply_of(hunt.revise(parse_definition(changed), rejudge=True))
    assert [(r.clue, r.version) for r in reply.rejudged] == [("riddle", wrong_at)]
    kinds = [type(r.event) for r in hunt.log[-2:]]
    assert kinds == [PartSolved, ClueSolved]
    assert hunt.score(team) == 50 + 50  # both parts, and the first-solve bonus
    assert hunt.state.teams[team].solved["riddle"] > wrong_at  # completed by part two


def test_replaying_a_revised_log_gives_the_same_state() -> None:
    hunt = PureHunt(parse_definition(base()))
    a, b = hunt.register("A"), hunt.register("B")
    hunt.text(a, "light", "keepers light")
    hunt.text(b, "light", "lighthouse keeper")
    new = revised(
        base(),
        light={"points": 70, "answer": {"kind": "text", "accept": ["keepers light"]}},
    )
    hunt.revise(new, rejudge=True)
    replayed: HuntState | None = None
    for recorded in hunt.log:
        replayed = evolve(replayed, recorded)
    assert replayed is not None
    assert dump_state(replayed) == dump_state(hunt.state)


def test_the_changes_name_what_moved() -> None:
    hunt = play(text_clue("light", "keeper"))
    doc = document(text_clue("light", "keeper", "keepers light"), text_clue("new", "x"))
    doc["hunt"]["ends_at"] = "2026-12-01T22:30:00Z"
    reply = reply_of(hunt.revise(parse_definition(doc)))
    assert "hunt ends_at: 2026-12-01T22:00:00Z -> 2026-12-01T22:30:00Z" in reply.changes
    assert "clue light answer.accept: + 'keepers light'" in reply.changes
    assert "clue new added" in reply.changes


def test_a_part_the_team_solved_later_moves_back_to_the_attempt_that_now_matches() -> None:
    doc = document(
        {
            "id": "riddle",
            "answer": {
                "kind": "parts",
                "parts": [
                    {"id": "one", "points": 30, "accept": ["first"]},
                    {"id": "two", "points": 20, "accept": ["second"]},
                ],
            },
        }
    )
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    hunt.part(team, "riddle", "one", "1st")
    wrong_at = hunt.log[-1].version
    hunt.advance(MINUTE).part(team, "riddle", "one", "first")
    assert hunt.score(team) == 30
    changed = copy.deepcopy(doc)
    changed["clues"][0]["answer"]["parts"][0]["accept"] = ["first", "1st"]
    hunt.revise(parse_definition(changed), rejudge=True)
    moved = hunt.log[-1].event
    assert isinstance(moved, PartSolved) and moved.counts_at == wrong_at and moved.moved_from
    assert hunt.score(team) == 30  # counted once
    assert hunt.state.teams[team].parts["riddle"]["one"][0] == wrong_at
