"""Nothing a team does or is told gets lost (issue 15, the player page): the token shown
on request and needed to come back, Leave that asks first, reasons and messages that
reach the team live and after a reload, announcements made before the page opened,
notices a scrolled player sees, and the hunt's times."""

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import DESKTOP, PHONE, audit, png
from tests.hunt_builders import FREEZES, MINUTE, STARTS

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]


def _register(page: Page, name: str) -> None:
    page.goto(f"/play/{HUNT}")
    page.get_by_label("Team name").fill(name)
    page.get_by_role("button", name="Register the team").click()
    expect(page.locator("#team-name-heading")).to_have_text(name)
    expect(page.locator("#stream-status")).to_have_text("● Live")


def _session(page: Page) -> dict[str, str]:
    session: dict[str, str] = page.evaluate(
        "JSON.parse(localStorage.getItem('questline.team.harbour-night'))"
    )
    return session


def _at(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


def test_leave_asks_first_and_the_token_it_shows_brings_the_team_back(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    player = new_page(PHONE, permissions=["clipboard-read", "clipboard-write"])
    _register(player, "Night Owls")
    expect(player.locator("#team-name-heading")).to_be_focused()  # not lost on the body
    token = _session(player)["token"]

    # The token is hidden until asked, then shown with a copy button and a QR code.
    player.get_by_text("Team token and invite", exact=True).click()
    expect(player.locator("#token-secret")).to_be_hidden()
    assert token not in player.content()
    player.get_by_role("button", name="Show the team token").click()
    expect(player.locator("#progress").get_by_label("Team token", exact=True)).to_have_value(token)
    expect(player.get_by_role("img", name="QR code of your team's join link")).to_be_visible()
    player.get_by_role("button", name="Copy the token").click()
    assert player.evaluate("navigator.clipboard.readText()") == token

    # Leave asks, says the token is needed, and its default answer is to stay.
    player.get_by_role("button", name="Leave").click()
    dialog = player.get_by_role("dialog")
    expect(dialog).to_contain_text("To come back you need your team token")
    expect(dialog.get_by_label("Team token")).to_have_value(token)
    player.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(player.locator("#game")).to_be_visible()

    player.get_by_role("button", name="Leave").click()
    player.get_by_role("dialog").get_by_role("button", name="Leave").click()
    expect(player.locator("#join")).to_be_visible()
    expect(player.locator("#stream-status")).to_have_text("")  # no "Live" for nobody
    expect(player.locator("#team-name")).to_be_focused()

    # The token brings the team back.
    join = player.locator("#join-form")
    join.get_by_label("Team id").fill("t-1")
    join.get_by_label("Team token").fill(token)
    player.get_by_role("button", name="Join", exact=True).click()
    expect(player.locator("#team-name-heading")).to_have_text("Night Owls")
    expect(player.locator("#stream-status")).to_have_text("● Live")


def test_a_new_token_cuts_off_the_other_phones(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create_hunt()
    keeper = new_page(PHONE)
    _register(keeper, "Night Owls")
    session = _session(keeper)
    lost = new_page(PHONE)
    lost.goto(f"/play/{HUNT}#team={session['team_id']}&token={session['token']}")
    expect(lost.locator("#team-name-heading")).to_have_text("Night Owls")

    keeper.get_by_text("Team token and invite", exact=True).click()
    keeper.get_by_label("Cut off every other phone").check()
    keeper.get_by_role("button", name="Make a new token").click()
    keeper.get_by_role("dialog").get_by_role("button", name="New token, cut off the others").click()
    expect(keeper.locator("#token-message")).to_contain_text("every other phone is cut off")
    new_token = _session(keeper)["token"]
    assert new_token != session["token"]
    expect(keeper.locator("#progress").get_by_label("Team token", exact=True)).to_have_value(
        new_token
    )

    # The lost phone is out at once (its stream is refused), the keeper plays on.
    expect(lost.locator("#join")).to_be_visible()
    expect(lost.locator("#join-message")).to_contain_text("no longer works")
    keeper.locator("#clue-lighthouse").get_by_label("Your answer").fill("keeper")
    keeper.locator("#clue-lighthouse").get_by_label("Your answer").press("Enter")
    expect(keeper.locator("#clue-lighthouse .notice")).to_contain_text("Correct!")


def test_a_rejection_reason_and_an_adjustment_reason_reach_the_team_live_and_after_a_reload(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    player = new_page(PHONE)
    _register(player, "Shutterbugs")
    session = _session(player)
    sent = live_server.http.post(
        f"/api/hunts/{HUNT}/submissions",
        data={"clue": "selfie"},
        files={"photo": ("team.png", png(), "image/png")},
        headers=live_server.as_team(session["token"]),
    )
    assert sent.json()["result"] == "pending_review", sent.text
    selfie = player.locator("#clue-selfie")
    expect(selfie.locator(".notice")).to_contain_text("waiting for an organizer's review")
    review_id = sent.json()["review_id"]

    reason = "The lighthouse is not in the picture"
    live_server.http.post(
        f"/api/hunts/{HUNT}/reviews/{review_id}",
        json={"approve": False, "reason": reason},
        headers=live_server.organizer,
    ).raise_for_status()
    expect(selfie.locator(".notice")).to_contain_text(f"Your photo was rejected: {reason}")
    expect(player.locator(".toast")).to_contain_text(reason)
    expect(selfie.get_by_role("button", name="Send the photo")).to_be_enabled()
    live_server.http.post(
        f"/api/hunts/{HUNT}/adjustments",
        json={"team_id": session["team_id"], "points": -40, "reason": "ran a red light"},
        headers=live_server.organizer,
    ).raise_for_status()
    expect(player.locator("#news")).to_contain_text("−40 points: ran a red light")

    player.reload()
    expect(selfie.locator(".notice")).to_contain_text(f"Your photo was rejected: {reason}")
    expect(player.locator("#news li")).to_have_count(2)
    expect(player.locator("#news")).to_contain_text(f"rejected: {reason}")
    expect(player.locator("#news")).to_contain_text("−40 points: ran a red light")


def test_an_announcement_made_before_the_page_opened_is_shown(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    live_server.http.post(
        f"/api/hunts/{HUNT}/announcements",
        json={"text": "The ferry leaves at 20:00 sharp."},
        headers=live_server.organizer,
    ).raise_for_status()
    player = new_page(PHONE)
    _register(player, "Latecomers")
    expect(player.locator("#announcements li").first).to_contain_text("The ferry leaves")
    expect(player.locator(".toast")).to_contain_text("The ferry leaves")


def test_a_scrolled_player_sees_the_pause_and_cannot_answer_during_it(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    player = new_page(PHONE)
    _register(player, "Scrollers")
    answer = player.locator("#clue-selfie").get_by_role("button", name="Send the photo")
    answer.scroll_into_view_if_needed()
    player.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    live_server.http.post(f"/api/hunts/{HUNT}/pause", headers=live_server.organizer)
    toast = player.locator(".toast").filter(has_text="Hunt paused")
    expect(toast).to_be_in_viewport()
    expect(player.locator("#pause-banner")).to_be_in_viewport()
    expect(player.locator("#clue-lighthouse").get_by_label("Your answer")).to_be_disabled()
    expect(answer).to_be_disabled()
    live_server.http.post(f"/api/hunts/{HUNT}/resume", headers=live_server.organizer)
    expect(player.locator("#pause-banner")).to_be_hidden()
    expect(player.locator("#clue-lighthouse").get_by_label("Your answer")).to_be_enabled()


def test_the_hunt_s_times_show_a_countdown_a_frozen_rank_and_no_register_at_the_end(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    live_server.clock.set(STARTS - 30 * MINUTE)
    player = new_page(PHONE)
    player.clock.set_fixed_time(_at(STARTS - 30 * MINUTE))
    _register(player, "Early Birds")
    expect(player.locator("#clock")).to_contain_text("Starts in 30 min 00 s")
    expect(player.locator("#clues-section")).to_be_hidden()
    expect(player.locator("#main input[name=answer], #main .answer-form")).to_have_count(0)

    live_server.clock.set(FREEZES + MINUTE)
    player.clock.set_fixed_time(_at(FREEZES + MINUTE))
    newcomer = new_page(PHONE)
    newcomer.clock.set_fixed_time(_at(FREEZES + MINUTE))
    _register(newcomer, "Night Shift")  # after the freeze: not on the frozen board
    expect(newcomer.locator("#team-rank")).to_have_text("–")
    expect(newcomer.locator("#rank-note")).to_contain_text("the leaderboard froze at")
    expect(newcomer.locator("#clock")).to_contain_text(re.compile(r"Ends in 29 min 00 s"))

    live_server.clock.set(FREEZES + 60 * MINUTE)
    visitor = new_page(PHONE)
    visitor.goto(f"/play/{HUNT}")
    expect(visitor.locator("#hunt-state")).to_contain_text("The hunt has ended")
    expect(visitor.locator("#register-form")).to_be_hidden()
    expect(visitor.locator("#registration-closed")).to_be_visible()


def test_the_player_page_has_no_serious_accessibility_problems(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    live_server.http.post(
        f"/api/hunts/{HUNT}/announcements",
        json={"text": "Welcome!"},
        headers=live_server.organizer,
    )
    player = new_page(DESKTOP)
    player.goto(f"/play/{HUNT}")
    expect(player.locator("#join")).to_be_visible()
    audit(player)  # signed out
    player.get_by_label("Team name").fill("Auditors")
    player.get_by_role("button", name="Register the team").click()
    expect(player.locator("#stream-status")).to_have_text("● Live")
    live_server.http.post(
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": "lighthouse", "answer": "keeper"},
        headers=live_server.as_team(_session(player)["token"]),
    ).raise_for_status()
    expect(player.locator("#clue-dock-9")).to_be_visible()  # opened by the solve
    player.get_by_text("Team token and invite", exact=True).click()
    player.get_by_role("button", name="Show the team token").click()
    audit(player)  # in game, token shown
    player.context.set_offline(True)
    expect(player.locator("#offline-banner")).to_be_visible()
    audit(player)  # offline banner
