"""An operator opens /ops with the organizer token: live figures, lag, drift after a verify."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ORGANIZER_TOKEN, LiveServer
from tests.browser.helpers import DESKTOP, screenshot

pytestmark = pytest.mark.integration

NewPage = Callable[..., Page]


def test_the_operations_dashboard_shows_live_figures_and_drift(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    _, token = live_server.register("harbour-night", "Night Owls")
    live_server.register("harbour-night", "Harbour Seals")
    team = live_server.as_team(token)
    for answer in ("lamp", "clock", "Lighthouse Keeper"):
        live_server.http.post(
            "/api/hunts/harbour-night/submissions",
            json={"clue": "lighthouse", "answer": answer},
            headers=team,
        )
    live_server.http.get("/api/hunts/no-such-hunt")

    page = new_page(DESKTOP)
    page.goto("/ops")
    page.get_by_label("Organizer token").fill("qlt_not-an-organizer")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#token-message")).to_contain_text("not valid")
    page.get_by_label("Organizer token").fill(ORGANIZER_TOKEN)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#dashboard")).to_be_visible()
    expect(page.locator("#health")).to_have_text("● Ready")
    expect(page.locator("#hunts-table tbody tr").first).to_contain_text("harbour-night")
    expect(page.locator("#errors-table")).to_contain_text("unknown_hunt")
    expect(page.locator("#lag-table tbody")).to_contain_text("read models")
    expect(page.locator("#tile-lag")).to_have_class("tile ok")
    expect(page.locator("#latency-table tbody tr")).to_have_count(3)
    expect(page.locator("[data-value=http_p95]")).not_to_have_text("–")

    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#drift-status")).to_have_text("no drift")
    expect(page.locator("#tile-drift")).to_have_class("tile ok")
    screenshot(page, "ops-desktop", full_page=True)
