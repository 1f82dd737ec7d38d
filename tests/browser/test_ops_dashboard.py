"""/ops for operators (issue 15): an operator's token opens it, the latency table stays in
its card, hunt rows link to the board and the console, the tiles keep the last 15
minutes once traffic stops, and the page reads in German too."""

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ORGANIZER_TOKEN, LiveServer
from tests.browser.helpers import audit, screenshot

pytestmark = pytest.mark.integration

NewPage = Callable[..., Page]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
HUNT = "harbour-night"


def play(live: LiveServer) -> None:
    live.create_hunt()
    _, token = live.register(HUNT, "Night Owls")
    for answer in ("lamp", "keeper"):
        live.http.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": answer},
            headers=live.as_team(token),
        )


def sign_in(page: Page, token: str) -> None:
    page.goto("/ops")
    page.get_by_label("token").fill(token)
    page.locator("#token-form button[type=submit]").click()
    expect(page.locator("#dashboard")).to_be_visible()


def test_an_operator_token_opens_the_dashboard(
    live_server: LiveServer, new_page: NewPage, tmp_path: Path
) -> None:
    play(live_server)
    db = str(tmp_path / "questline.db")
    made = subprocess.run(
        [sys.executable, "-m", "questline", "token", "create", "--role", "operator", "--db", db],
        capture_output=True,
        text=True,
        check=True,
    )
    operator = made.stdout.strip().splitlines()[-1]
    page = new_page(DESKTOP)
    sign_in(page, operator)
    expect(page.locator("#health")).to_have_text("● Ready")
    expect(page.locator("#hunts-table")).to_contain_text(HUNT)


def test_the_tables_fit_their_cards_and_hunt_rows_link_to_board_and_console(
    live_server: LiveServer, new_page: NewPage
) -> None:
    play(live_server)
    for viewport, locale, name in (
        (DESKTOP, "en-US", "ops-desktop-en"),
        (PHONE, "en-US", "ops-phone-en"),
        (DESKTOP, "de-DE", "ops-desktop-de"),
        (PHONE, "de-DE", "ops-phone-de"),
    ):
        page = new_page(viewport, locale=locale)
        sign_in(page, ORGANIZER_TOKEN)
        expect(page.locator("#latency-table tbody tr")).to_have_count(3)
        overflow = page.evaluate(
            """() => [...document.querySelectorAll('.panels .card')].map((card) => {
                const table = card.querySelector('table');
                if (!table) return null;
                const c = card.getBoundingClientRect(), t = table.getBoundingClientRect();
                const inside = t.right <= c.right + 0.5 && t.left >= c.left - 0.5;
                return inside ? null : table.id;
            }).filter(Boolean)"""
        )
        assert overflow == [], overflow
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        row = page.locator("#hunts-table tbody tr").first
        expect(row.get_by_role("link", name=HUNT, exact=True)).to_have_attribute(
            "href", f"/board/{HUNT}"
        )
        expect(row.locator("a.console-link")).to_have_attribute("href", f"/organize?hunt={HUNT}")
        audit(page)
        screenshot(page, name)
    expect(page.locator("#latency-heading")).to_contain_text("Perzentile der Antwortzeit")
    page.locator("#hunts-table tbody tr").first.get_by_role("link", name=HUNT, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/board/{HUNT}$"))


def test_once_traffic_stops_the_tiles_show_the_last_15_minutes_not_zero(
    live_server: LiveServer, new_page: NewPage
) -> None:
    play(live_server)
    page = new_page(DESKTOP)
    sign_in(page, ORGANIZER_TOKEN)
    recent = page.locator("[data-recent=throughput]")
    expect(recent).to_contain_text(re.compile(r"since start \(\d+ min\): [1-9][\d,]* commands"))
    # The short window (15 s) empties; the big figure then says what the process saw.
    unit = page.locator("[data-unit=commands]")
    expect(unit).to_have_text(re.compile(r"commands/s, since start"), timeout=40_000)
    expect(page.locator("#tile-throughput")).to_have_class(re.compile(r"\brecent-shown\b"))
