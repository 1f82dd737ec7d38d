"""The index page links to the listed hunts (GET /api/hunts: anyone gets the hunts whose
definition says `listed: true`), to play them and to watch their big screen."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import audit, screenshot
from tests.hunt_builders import spec_document

pytestmark = pytest.mark.integration

NewPage = Callable[..., Page]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_index_links_to_the_listed_hunts_only(
    live_server: LiveServer, new_page: NewPage
) -> None:
    listed = spec_document()
    listed["hunt"]["listed"] = True
    live_server.create_hunt(listed)
    unlisted = spec_document()
    unlisted["hunt"].update(id="secret-night", title="Secret Night")
    live_server.create_hunt(unlisted)

    for viewport, locale, name in (
        (DESKTOP, "en-US", "index-desktop-en"),
        (PHONE, "de-DE", "index-phone-de"),
    ):
        page = new_page(viewport, locale=locale)
        page.goto("/")
        hunts = page.locator("#hunt-list li")
        expect(hunts).to_have_count(1)
        expect(hunts.first).to_contain_text("Harbour Night Hunt")
        expect(page.locator("#hunts")).not_to_contain_text("Secret Night")
        audit(page)
        screenshot(page, name)
    expect(page.locator("#hunts-title")).to_have_text("Jagden")

    page = new_page(DESKTOP)
    page.goto("/")
    page.get_by_role("link", name="Big-screen leaderboard: Harbour Night Hunt").click()
    expect(page.locator("#hunt-title")).to_have_text("Harbour Night Hunt")
    page.goto("/")
    page.get_by_role("link", name="Play: Harbour Night Hunt").click()
    expect(page).to_have_url(f"{live_server.base_url}/play/harbour-night")
