"""A puzzle hunt on the player page (issues 14, 16, 17): a division asked at registration,
clues grouped by round with the meta marked, a form per part with each part's state, a
penalty, clue text as safe Markdown, locked clues with what opens them and a countdown,
a "new" mark on a clue a solve opened, and the receipt that adds up to the score."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import PHONE
from tests.hunt_builders import MINUTE, STARTS

pytestmark = pytest.mark.integration

HUNT = "puzzle-night"
NewPage = Callable[..., Page]


def _document() -> dict[str, Any]:
    return {
        "hunt": {
            "id": HUNT,
            "title": "Puzzle Night",
            "starts_at": "2026-12-01T18:00:00Z",
            "ends_at": "2026-12-01T22:00:00Z",
            "divisions": [{"id": "students", "title": "Students"}, {"id": "open", "title": "Open"}],
            "scoring": {"wrong_answer_penalty": 5},
        },
        "rounds": [
            {"id": "r1", "title": "Round One"},
            {"id": "r2", "title": "Round Two", "opens_after": "30m"},
        ],
        "clues": [
            {
                "id": "warmup",
                "round": "r1",
                "title": "Warm-up",
                "text": "A **bold** start: see [the map](https://example.org/map).\n"
                "<b>no markup</b> and [no script](javascript:alert(1))",
                "points": 10,
                "answer": {"kind": "text", "accept": ["go"]},
            },
            {
                "id": "pair",
                "round": "r1",
                "title": "A pair",
                "answer": {
                    "kind": "parts",
                    "parts": [
                        {"id": "left", "title": "Left", "accept": ["east"], "points": 20},
                        {"id": "right", "title": "Right", "accept": ["west"], "points": 30},
                    ],
                },
            },
            {
                "id": "meta1",
                "round": "r1",
                "meta": True,
                "title": "Round One meta",
                "requires": ["warmup"],
                "points": 50,
                "answer": {"kind": "text", "accept": ["done"]},
            },
            {
                "id": "late",
                "round": "r2",
                "title": "Later on",
                "points": 10,
                "answer": {"kind": "text", "accept": ["x"]},
            },
        ],
    }


def test_a_puzzle_hunt_on_the_player_page(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create_hunt(_document())
    player = new_page(PHONE)
    player.clock.set_fixed_time(datetime.fromtimestamp((STARTS + 10 * MINUTE) / 1e6, tz=UTC))
    player.goto(f"/play/{HUNT}")
    player.get_by_label("Team name").fill("Solvers")
    player.get_by_role("button", name="Register the team").click()
    # The hunt has divisions: the refusal names them, the page asks.
    expect(player.locator("#register-message")).to_contain_text("choose yours")
    player.get_by_label("Division").select_option("students")
    player.get_by_role("button", name="Register the team").click()
    expect(player.locator("#team-name-heading")).to_have_text("Solvers")
    expect(player.locator("#progress-text")).to_contain_text("division students")

    round_one = player.locator("section.round").filter(has_text="Round One")
    expect(round_one.locator(".clue")).to_have_count(2)  # warm-up and the pair
    warmup = player.locator("#clue-warmup")
    expect(warmup.locator(".clue-text strong")).to_have_text("bold")
    expect(warmup.get_by_role("link", name="the map")).to_have_attribute(
        "href", "https://example.org/map"
    )
    expect(warmup.locator(".clue-text")).to_contain_text("<b>no markup</b>")
    expect(warmup.get_by_role("link", name="no script")).to_have_count(0)

    locked = player.locator("#locked li")
    expect(locked.filter(has_text="Round One meta")).to_contain_text("“Warm-up”")
    expect(locked.filter(has_text="Later on")).to_contain_text("(in 20 min 00 s)")

    pair = player.locator("#clue-pair")
    pair.get_by_label("Part: Left").fill("east")
    pair.get_by_label("Part: Left").press("Enter")
    expect(pair.locator(".notice")).to_contain_text("part “Left” solved, +20 points")
    expect(pair.locator(".part-done")).to_have_text("✓ Left: solved (20 pts)")
    expect(pair.get_by_label("Part: Right")).to_be_visible()

    warmup.get_by_label("Your answer").fill("stop")
    warmup.get_by_label("Your answer").press("Enter")
    expect(warmup.locator(".notice")).to_contain_text("That cost 5 points")
    warmup.get_by_label("Your answer").fill("go")
    warmup.get_by_label("Your answer").press("Enter")
    meta = player.locator("#clue-meta1")
    expect(meta.locator(".badge.meta")).to_have_text("Meta")
    expect(meta.locator(".badge.new")).to_have_text("New")  # opened by the solve
    expect(player.locator("#team-score")).to_have_text("25")

    player.get_by_role("button", name="Why is my score this?").click()
    receipt = player.get_by_role("dialog")
    expect(receipt).to_contain_text("These 3 lines add up to your score, 25.")
    expect(receipt.locator("tbody tr")).to_have_count(3)
    expect(receipt.locator("tfoot .total")).to_have_text("25")
