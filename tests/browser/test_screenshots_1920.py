"""The pages on a 1920x1080 screen (the venue's big screen, an organizer's monitor), in
English and German: the hunt list, the player page, the organizer console and the
operator dashboard each fill the width without overflowing, pass the accessibility
audit, and are written to docs/screenshots/<page>-1920-<lang>.png (issue 15; the board's
own 1920 screenshots come from tests/browser/test_board.py)."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ORGANIZER_TOKEN, LiveServer
from tests.browser.helpers import audit, screenshot
from tests.browser.test_ops_dashboard import sign_in as sign_in_to_ops
from tests.browser.test_organize import console_document
from tests.browser.test_organize import sign_in as sign_in_to_console
from tests.browser.test_organize_hunt_day import answer, server_now

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
BIG = {"width": 1920, "height": 1080}
NewPage = Callable[..., Page]


def fits_the_width(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the screen"


def test_every_page_at_1920_in_english_and_german(
    live_server: LiveServer, new_page: NewPage
) -> None:
    document = console_document()
    document["hunt"]["listed"] = True
    live_server.create_hunt(document)
    teams = {name: live_server.register(HUNT, name) for name in ("Night Owls", "Gulls", "Kraken")}
    answer(live_server, teams["Night Owls"][1], "lighthouse", "keeper")
    answer(live_server, teams["Gulls"][1], "lighthouse", "lantern room")
    owls_id, owls_token = teams["Night Owls"]
    for lang, locale in (("en", "en-GB"), ("de", "de-DE")):
        index = new_page(BIG, locale=locale)
        index.goto("/")
        expect(index.locator("#hunt-list li").first).to_contain_text("Harbour Night Hunt")
        fits_the_width(index)
        audit(index)
        screenshot(index, f"index-1920-{lang}", full_page=False)

        player = new_page(BIG, locale=locale)
        player.clock.set_fixed_time(server_now(live_server))
        player.goto(f"/play/{HUNT}#team={owls_id}&token={owls_token}")
        expect(player.locator("#team-name-heading")).to_have_text("Night Owls")
        expect(player.locator("#clue-lighthouse")).to_be_visible()
        fits_the_width(player)
        audit(player)
        screenshot(player, f"play-1920-{lang}", full_page=False)

        console = new_page(BIG, locale=locale)
        console.clock.set_fixed_time(server_now(live_server))
        sign_in_to_console(console)
        console.goto(f"/organize?hunt={HUNT}#live")
        expect(console.locator("#activity li").first).to_be_visible()
        fits_the_width(console)
        audit(console)
        screenshot(console, f"organize-live-1920-{lang}", full_page=False)

        ops = new_page(BIG, locale=locale)
        sign_in_to_ops(ops, ORGANIZER_TOKEN)
        expect(ops.locator("#latency-table tbody tr")).to_have_count(3)
        fits_the_width(ops)
        audit(ops)
        screenshot(ops, f"ops-1920-{lang}", full_page=False)
