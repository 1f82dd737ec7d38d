"""A team plays on its phone while the big-screen leaderboard follows live, without reloads."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import DESKTOP, PHONE, screenshot
from tests.hunt_builders import FREEZES, MINUTE

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]


def _clue(page: Page, clue_id: str) -> Any:
    return page.locator(f"#clue-{clue_id}")


def test_a_team_plays_and_the_board_follows_live(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    board = new_page(DESKTOP)
    board.goto(f"/board/{HUNT}")
    expect(board.locator("#hunt-title")).to_have_text("Harbour Night Hunt")
    expect(board.locator("#stream-status")).to_have_text("● Live")
    expect(board.locator("#empty")).to_be_visible()

    player = new_page(
        PHONE, permissions=["geolocation"], geolocation={"latitude": 59.0, "longitude": 10.0}
    )
    player.goto(f"/play/{HUNT}")
    player.get_by_label("Team name").fill("Night Owls")
    player.get_by_role("button", name="Register the team").click()
    expect(player.locator("#team-name-heading")).to_have_text("Night Owls")
    lighthouse = _clue(player, "lighthouse")
    expect(lighthouse).to_contain_text("Where the keeper never sleeps.")
    expect(_clue(player, "selfie")).to_be_visible()
    expect(_clue(player, "crate")).to_have_count(0)  # not open yet
    expect(board.locator("#top li")).to_have_count(1)
    expect(board.locator("#top li").first).to_contain_text("Night Owls")

    answer = lighthouse.get_by_label("Your answer")
    answer.fill("lamp post")
    answer.press("Enter")
    expect(lighthouse.locator(".notice")).to_contain_text("Incorrect")
    answer.fill("light")
    lighthouse.get_by_role("button", name="Submit").click()
    expect(lighthouse.locator(".notice")).to_contain_text("Keep going")

    lighthouse.get_by_role("button", name="Unlock hint 1 (costs 20 points)").click()
    dialog = player.get_by_role("dialog")
    expect(dialog).to_contain_text("costs your team 20 points")
    player.keyboard.press("Enter")  # the default answer spends nothing
    expect(dialog).to_be_hidden()
    expect(player.locator("#team-score")).to_have_text("0")
    lighthouse.get_by_role("button", name="Unlock hint 1 (costs 20 points)").click()
    dialog.get_by_role("button", name="Unlock for 20 points").click()
    expect(lighthouse.locator(".hint-shown")).to_have_text("Hint 1: Look up.")
    expect(player.locator("#team-score")).to_have_text("-20")
    expect(board.locator("#top li .score").first).to_have_text("-20")

    answer.fill("Lighthouse  Keeper!")
    answer.press("Enter")
    expect(lighthouse.locator(".notice")).to_contain_text(
        "Correct! +100 points and a first-solve bonus of 50"
    )
    expect(lighthouse).to_have_class(re.compile(r"\bsolved\b"))
    expect(player.locator("#team-score")).to_have_text("130")
    expect(player.locator("#team-rank")).to_have_text("#1")
    expect(board.locator("#top li .score").first).to_have_text("130")
    expect(_clue(player, "dock-9")).to_be_visible()  # opened by the solve

    # A rival overtakes: the board reorders live and shows the rival among the movers.
    rival, rival_token = live_server.register(HUNT, "Harbour Seals")
    expect(board.locator("#top li")).to_have_count(2)
    expect(board.locator("#top li").nth(1)).to_contain_text("Harbour Seals")
    solved = live_server.http.post(
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": "lighthouse", "answer": "keeper"},
        headers=live_server.as_team(rival_token),
    )
    assert solved.json()["score"] == 125
    live_server.http.post(
        f"/api/hunts/{HUNT}/adjustments",
        json={"team_id": rival, "points": 50, "reason": "helped another team"},
        headers=live_server.organizer,
    ).raise_for_status()
    expect(board.locator("#top li").first).to_contain_text("Harbour Seals")
    expect(board.locator("#top li .score").first).to_have_text("175")
    expect(board.locator("#movers li").first).to_contain_text("Harbour Seals")
    expect(player.locator("#team-rank")).to_have_text("#2")
    expect(lighthouse.locator(".badge.solves")).to_have_text("solved by 2 teams")

    # Announcements reach the team and the big screen.
    live_server.http.post(
        f"/api/hunts/{HUNT}/announcements",
        json={"text": "Hot chocolate at the harbour office!"},
        headers=live_server.organizer,
    ).raise_for_status()
    expect(player.locator("#announcements li").first).to_contain_text("Hot chocolate")
    expect(board.locator("#news li").first).to_contain_text("Hot chocolate")

    # A GPS check-in far from the dock is wrong; the accuracy is shown.
    dock = _clue(player, "dock-9")
    dock.get_by_role("button", name="Check in here").click()
    expect(dock.locator(".geo-reading")).to_contain_text("accurate to about")
    expect(dock.locator(".notice")).to_contain_text(
        re.compile(r"Incorrect: you are [\d,.]+ m from the place\. Your position was accurate")
    )

    # A code, typed (headless Chromium has no BarcodeDetector: the fallback says so).
    crate = _clue(player, "crate")
    expect(crate.locator(".scan-fallback")).to_contain_text("Type the code instead")
    crate.get_by_label("Code").fill("QL-7F3K-22")
    crate.get_by_role("button", name="Submit code").click()
    expect(crate.locator(".notice")).to_contain_text("Correct! +200 points")

    # Nine more wrong check-ins reach the limit: the page counts down from Retry-After.
    token = player.evaluate(
        "JSON.parse(localStorage.getItem('questline.team.harbour-night')).token"
    )
    for _ in range(9):
        live_server.http.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "dock-9", "lat": 0.0, "lon": 0.0},
            headers=live_server.as_team(token),
        )
    dock.get_by_role("button", name="Check in here").click()
    expect(dock.locator(".notice")).to_contain_text(re.compile(r"Try again in \d+ s"))
    expect(dock.get_by_role("button", name="Check in here")).to_be_disabled()

    # The player page's screenshots come from test_play_screenshots.py.
    board.set_viewport_size(PHONE)
    screenshot(board, "board-phone")
    board.set_viewport_size(DESKTOP)
    screenshot(board, "board-desktop", full_page=False)


def test_the_board_shows_a_freeze(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create_hunt()
    for name in ("Gulls", "Cormorants", "Puffins"):
        _team, token = live_server.register(HUNT, name)
        live_server.http.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": "keeper"},
            headers=live_server.as_team(token),
        )
    live_server.clock.set(FREEZES + MINUTE)
    board = new_page(DESKTOP)
    board.goto(f"/board/{HUNT}?top=10")
    banner = board.locator("#frozen-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Leaderboard frozen")
    expect(board.locator("#top li")).to_have_count(3)
    expect(board.locator("#top li").first).to_contain_text("Gulls")
    screenshot(board, "board-frozen-desktop", full_page=False)


def test_a_refused_location_is_explained(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create_hunt()
    player = new_page(PHONE)
    player.goto(f"/play/{HUNT}")
    player.get_by_label("Team name").fill("No GPS")
    player.get_by_role("button", name="Register the team").click()
    _clue(player, "lighthouse").get_by_label("Your answer").fill("keeper")
    _clue(player, "lighthouse").get_by_label("Your answer").press("Enter")
    dock = _clue(player, "dock-9")
    dock.get_by_role("button", name="Check in here").click()
    expect(dock.locator(".notice")).to_contain_text("Location permission was refused")


def test_a_refresh_while_a_player_types_keeps_the_focus_and_the_text(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    player = new_page(PHONE)
    player.goto(f"/play/{HUNT}")
    player.get_by_label("Team name").fill("Typists")
    player.get_by_role("button", name="Register the team").click()
    expect(player.locator("#stream-status")).to_have_text("● Live")
    answer = _clue(player, "lighthouse").get_by_label("Your answer")
    answer.type("kee")
    # Another team joins: the board changes, the page refetches its clues, then its
    # progress (the progress request is sent once the clues are laid out again).
    with player.expect_request(re.compile(rf"/api/hunts/{HUNT}/teams/t-1$")):
        live_server.register(HUNT, "Interrupters")
    expect(answer).to_be_focused()
    player.keyboard.type("per")
    player.keyboard.press("Enter")
    expect(_clue(player, "lighthouse").locator(".notice")).to_contain_text("Correct")
