"""Screenshots of the player page for docs/screenshots/: a hunt in play and the same page
without signal, at phone (390x844) and desktop (1440x900) width, in English and German."""

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import screenshot
from tests.hunt_builders import MINUTE, STARTS, spec_document

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
NOW = datetime.fromtimestamp((STARTS + 10 * MINUTE) / 1_000_000, tz=UTC)


def _hunt_in_play(live_server: LiveServer) -> None:
    document = spec_document()
    document["clues"][0]["text"] = "Where the keeper **never** sleeps.\n\n*Look for the light.*"
    document["clues"].append(
        {
            "id": "finale",
            "title": "The Finale",
            "opens_at": "2026-12-01T21:00:00Z",
            "requires": ["crate"],
            "points": 300,
            "answer": {"kind": "text", "accept": ["home"]},
        }
    )
    live_server.create_hunt(document)
    for name in ("Harbour Seals", "Gulls"):
        _team, token = live_server.register(HUNT, name)
        live_server.http.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": "keeper"},
            headers=live_server.as_team(token),
        )
    live_server.http.post(
        f"/api/hunts/{HUNT}/announcements",
        json={"text": "Hot chocolate at the harbour office until 20:00!"},
        headers=live_server.organizer,
    )


def _play(live_server: LiveServer, page: Page, name: str) -> None:
    page.clock.set_fixed_time(NOW)
    page.goto(f"/play/{HUNT}")
    page.locator("#team-name").fill(name)
    page.locator("#register-form button[type=submit]").click()
    expect(page.locator("#team-name-heading")).to_have_text(name)
    token = page.evaluate("JSON.parse(localStorage.getItem('questline.team.harbour-night')).token")
    live_server.http.post(
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": "lighthouse", "answer": "keeper"},
        headers=live_server.as_team(token),
    ).raise_for_status()
    expect(page.locator("#clue-lighthouse")).to_have_class(re.compile(r"\bsolved\b"))
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "yes", timeout=15000)


def _close_toasts(page: Page) -> None:
    for _ in range(page.locator(".toast").count()):
        page.locator(".toast-close").first.click()
    expect(page.locator(".toast")).to_have_count(0)


@pytest.mark.parametrize(("lang", "locale"), [("en", "en-GB"), ("de", "de-DE")])
def test_screenshots_of_the_player_page(
    live_server: LiveServer, new_page: NewPage, lang: str, locale: str
) -> None:
    _hunt_in_play(live_server)
    suffix = "" if lang == "en" else f"-{lang}"
    player = new_page(PHONE, locale=locale, timezone_id="Europe/Oslo")
    _play(live_server, player, "Night Owls" if lang == "en" else "Nachteulen")
    live_server.http.post(
        f"/api/hunts/{HUNT}/adjustments",
        json={"team_id": "t-3", "points": 20, "reason": "helped a lost tourist"},
        headers=live_server.organizer,
    ).raise_for_status()
    expect(player.locator("#news li")).to_have_count(1)
    _close_toasts(player)
    screenshot(player, f"play{suffix}-phone")
    player.set_viewport_size(DESKTOP)
    player.evaluate("window.scrollTo(0, 0)")
    screenshot(player, f"play{suffix}-desktop", full_page=False)

    player.set_viewport_size(PHONE)
    player.context.set_offline(True)
    crate = player.locator("#clue-crate")
    crate.locator("input").fill("QL-7F3K-22")
    crate.locator("input").press("Enter")
    expect(crate.locator(".queued-line")).to_be_visible()
    expect(player.locator("#stream-status")).to_have_text("Offline")
    crate.scroll_into_view_if_needed()
    screenshot(player, f"play-offline{suffix}-phone", full_page=False)
