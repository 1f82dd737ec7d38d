"""`questline hunt simulate` (log-features.md, "Rehearsal"): the same seed gives the
same rehearsal, and the summary names dead ends, bottlenecks, idle teams and the
review queue that the hunt's shape really causes."""

import msgspec

from questline.domain.definition_parsing import parse_definition
from questline.rehearsal.report import build_report
from questline.rehearsal.review_desk import queue_lengths
from questline.rehearsal.simulation import MINUTE, Settings, simulate
from questline.rehearsal.summary import summary_lines
from tests.rehearsal.hunts import dead_end_and_bottleneck, example, header, photo_storm, text


def test_the_same_seed_gives_byte_identical_report_data() -> None:
    hunt = example("puzzle-night")
    first = build_report(simulate(hunt, Settings(teams=40, seed=5, judges=2))).to_json()
    second = build_report(simulate(hunt, Settings(teams=40, seed=5, judges=2))).to_json()
    other = build_report(simulate(hunt, Settings(teams=40, seed=6, judges=2))).to_json()
    assert first == second
    assert first != other


def test_the_summary_names_a_clue_no_team_reached_and_a_clue_that_holds_teams_back() -> None:
    report = build_report(simulate(dead_end_and_bottleneck(), Settings(teams=30, seed=1)))
    assert report.findings.unreached == ("vault",)
    assert "long-gate" in [b.clue for b in report.findings.bottlenecks]
    assert "warm-up" not in [b.clue for b in report.findings.bottlenecks]
    lines = summary_lines(report)
    assert "  clues no simulated team reached: vault" in lines
    held = next(line for line in lines if line.strip().startswith("- long-gate:"))
    assert "it opens behind-the-gate" in held


def test_teams_with_nothing_open_for_long_are_named_with_the_reason() -> None:
    """Everything but one clue is done in minutes; the last opens three hours in."""
    hunt = parse_definition(
        {"hunt": header(), "clues": [text("quick", 5), text("late", 5, opens_after="3h")]}
    )
    report = build_report(simulate(hunt, Settings(teams=10, seed=2)))
    assert report.findings.idle_team_count == 10
    longest = report.findings.idle_teams[0]
    assert longest.minutes > 120
    assert longest.cause == "waiting for clue late to open at 21:00"


def test_the_review_queue_grows_with_fewer_judges() -> None:
    one = build_report(simulate(photo_storm(), Settings(teams=60, seed=3, judges=1)))
    four = build_report(simulate(photo_storm(), Settings(teams=60, seed=3, judges=4)))
    assert one.findings.review.peak_waiting > four.findings.review.peak_waiting > 0
    assert one.findings.review.longest_wait_minutes > four.findings.review.longest_wait_minutes
    assert "1 judge" in [series.name for series in four.review_queue]


def test_the_what_if_queue_for_the_rehearsals_own_judges_is_the_queue_it_played() -> None:
    rehearsal = simulate(photo_storm(), Settings(teams=60, seed=3, judges=2))
    played = rehearsal.observations.queue
    assert max(waiting for _, waiting in played) > 0
    what_if = queue_lengths(rehearsal.photos, 2, [at for at, _ in played])
    assert what_if == [waiting for _, waiting in played]


def test_a_puzzle_hunt_plays_its_rounds_parts_metas_divisions_and_release() -> None:
    hunt = example("puzzle-night")
    rehearsal = simulate(hunt, Settings(teams=40, seed=1, judges=4))
    seen = rehearsal.observations
    assert {clue.id for clue in hunt.clues} == set(seen.reached)
    assert seen.solved["lighthouse-log"]  # a clue in parts, solved part by part
    assert seen.solved["final-meta"] and seen.finished
    opens = hunt.starts_at + 120 * MINUTE  # the observatory opens on the clock
    assert min(seen.reached["star-chart"].values()) == opens
    library = min(seen.reached["card-catalogue"].values())  # opens on the harbour meta
    assert library == min(seen.solved["harbour-meta"].values())
    report = build_report(rehearsal)
    assert [board.name for board in report.boards] == ["All teams", "Students", "Open"]
    # ranking: finish: the finished teams lead, in the order they finished
    finished = [line.finished for line in report.boards[0].rows if line.finished is not None]
    assert finished == sorted(finished) and finished


def test_wrong_answers_cost_the_penalty_through_the_rules() -> None:
    hunt = example("puzzle-night")
    rehearsal = simulate(hunt, Settings(teams=20, seed=4))
    assert sum(rehearsal.observations.wrong.values()) > 0
    report = build_report(rehearsal)
    assert report.clues[0].wrong == rehearsal.observations.wrong["knots"]


def test_a_clue_that_accepts_only_a_pattern_is_solved_and_one_it_cannot_type_is_named() -> None:
    pattern = text("pattern", 10)
    pattern["answer"] = {"kind": "text", "accept_regex": [r"pier\d+"]}
    negated = text("negated", 10)
    negated["answer"] = {"kind": "text", "accept_regex": ["[^x]{3}"]}
    hunt = parse_definition({"hunt": header(), "clues": [pattern, negated]})
    report = build_report(simulate(hunt, Settings(teams=5, seed=1)))
    assert report.findings.unanswerable == ("negated",)
    assert report.clues[0].solved == 5
    assert any("could type no accepted answer" in line for line in summary_lines(report))


def test_the_report_data_is_plain_json() -> None:
    report = build_report(simulate(photo_storm(), Settings(teams=5, seed=1)))
    decoded = msgspec.json.decode(report.to_json())
    assert decoded["hunt"] == "rehearsal-test"
    assert decoded["findings"]["review"]["judges"] == 2
