"""The big screen at 1920x1080 (issue 15): every row by paging, movers over the last 10
minutes, announcements sent before it opened, countdowns, first solves, a division's
board, finished teams marked and timed, a header that holds at phone width."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from questline.domain.timestamps import Micros
from tests.browser.conftest import LiveServer
from tests.browser.helpers import audit, screenshot
from tests.hunt_builders import DOCK, MINUTE, STARTS, spec_document

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
BIG_SCREEN = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
NewPage = Callable[..., Page]


def at(micros: Micros) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


def board_at(new_page: NewPage, now: Micros, path: str, **options: Any) -> Page:
    """A board whose browser clock reads the server's (manual) time."""
    page = new_page(options.pop("viewport", BIG_SCREEN), **options)
    page.clock.install(time=at(now))
    page.goto(path)
    expect(page.locator("#stream-status")).to_have_text(re.compile("Live"))
    return page


def solve(live: LiveServer, token: str, clue: str = "lighthouse") -> None:
    body: dict[str, Any] = {"clue": clue, "answer": "keeper"}
    if clue == "dock-9":
        body = {"clue": clue, "lat": DOCK[0], "lon": DOCK[1]}
    response = live.http.post(
        f"/api/hunts/{HUNT}/submissions", json=body, headers=live.as_team(token)
    )
    assert response.json()["result"] == "correct", response.text


def visible_rows(page: Page) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = page.evaluate(
        """() => [...document.querySelectorAll('#top li')].map((li) =>
            [li.querySelector('.team-name').textContent, li.getBoundingClientRect().bottom])"""
    )
    return rows


def test_at_1920x1080_every_row_of_the_default_20_is_shown_by_paging(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    names = [f"Crew {n:02d}" for n in range(1, 21)]
    for name in names:
        live_server.register(HUNT, name)
    board = board_at(new_page, live_server.clock.now(), f"/board/{HUNT}?page_seconds=600")
    pager = board.locator("#pager")
    expect(board.locator("#top li").first).to_contain_text("Crew 01")
    expect(pager).to_have_attribute("data-pages", re.compile(r"^[2-9]$"))
    pages = int(pager.get_attribute("data-pages") or "0")
    seen: list[str] = []
    for number in range(1, pages + 1):
        expect(pager).to_have_attribute("data-page", str(number))
        expect(board.locator("#top li .rank").first).to_have_text(str(len(seen) + 1))
        rows = visible_rows(board)
        assert all(bottom <= BIG_SCREEN["height"] for _, bottom in rows), rows
        seen.extend(name for name, _ in rows)
        if number == 1:
            screenshot(board, "board-1920-en", full_page=False)
        board.get_by_role("button", name="Next page").click()
    assert seen == names
    expect(pager).to_have_attribute("data-page", "1")  # and round again

    turning = new_page(BIG_SCREEN)
    turning.goto(f"/board/{HUNT}?page_seconds=1")
    expect(turning.locator("#pager")).to_have_attribute("data-page", "2")


def test_an_announcement_sent_before_the_board_opened_is_shown(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    for text in ("The hunt has begun.", "Hot chocolate at the harbour office!"):
        live_server.http.post(
            f"/api/hunts/{HUNT}/announcements", json={"text": text}, headers=live_server.organizer
        ).raise_for_status()
    board = board_at(new_page, live_server.clock.now(), f"/board/{HUNT}")
    news = board.locator("#news li")
    expect(news).to_have_count(2)
    expect(news.first).to_contain_text("Hot chocolate at the harbour office!")
    expect(board.locator("#no-news")).to_be_hidden()
    live_server.http.post(
        f"/api/hunts/{HUNT}/announcements",
        json={"text": "Ten minutes to the freeze."},
        headers=live_server.organizer,
    ).raise_for_status()
    expect(news.first).to_contain_text("Ten minutes to the freeze.")


def test_movers_count_places_climbed_in_the_last_10_minutes_and_drop_old_climbs(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    tokens = {name: live_server.register(HUNT, name)[1] for name in "ABCDE"}
    live_server.clock.set(STARTS + 11 * MINUTE)
    solve(live_server, tokens["A"])  # A climbs 1 place, 20 minutes before the board opens
    live_server.clock.set(STARTS + 30 * MINUTE)
    solve(live_server, tokens["E"])  # E climbs from 5th to 2nd a minute before
    board = board_at(new_page, STARTS + 31 * MINUTE, f"/board/{HUNT}")
    movers = board.locator("#movers li")
    expect(movers).to_have_count(1)
    expect(movers.first).to_contain_text("▲ 3")
    expect(movers.first).to_contain_text("E")
    expect(movers.first).to_contain_text("#2")

    solve(live_server, tokens["D"])  # live: D from 4th (10 minutes ago) to 3rd
    expect(movers).to_have_count(2)
    expect(movers.nth(1)).to_contain_text("▲ 1")
    expect(movers.nth(1)).to_contain_text("D")

    board.clock.fast_forward("11:00")  # both climbs are now more than 10 minutes old
    expect(movers).to_have_count(0)
    expect(board.locator("#no-movers")).to_be_visible()


def test_countdowns_to_the_freeze_and_the_end_and_the_first_solves(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    _, owls = live_server.register(HUNT, "Night Owls")
    _, seals = live_server.register(HUNT, "Harbour Seals")
    solve(live_server, owls)
    board = board_at(new_page, STARTS + 10 * MINUTE, f"/board/{HUNT}")
    countdowns = board.locator("#countdowns")
    # The clock runs on while the page loads: a second or two may have passed.
    expect(countdowns.locator("[data-mark=freeze]")).to_have_text(
        re.compile(r"^Freeze in 3:(20:00|19:5\d)$")
    )
    expect(countdowns.locator("[data-mark=ends]")).to_have_text(
        re.compile(r"^Ends in 3:(50:00|49:5\d)$")
    )
    first = board.locator("#first-solves li")
    expect(first).to_have_count(1)
    expect(first.first).to_contain_text("The Lighthouse")
    expect(first.first).to_contain_text("Night Owls")
    solve(live_server, seals)
    solve(live_server, seals, "dock-9")  # the first solve of Dock 9 comes to the top
    expect(first).to_have_count(2)
    expect(first.first).to_contain_text("Dock 9")
    expect(first.first).to_contain_text("Harbour Seals")
    audit(board)


def test_a_division_board_ranks_that_division_alone(
    live_server: LiveServer, new_page: NewPage
) -> None:
    document = spec_document()
    document["hunt"]["divisions"] = [
        {"id": "students", "title": "Students"},
        {"id": "open", "title": "Open"},
    ]
    live_server.create_hunt(document)
    tokens = {}
    for name, division in (("Pupils", "students"), ("Pros", "open"), ("Freshers", "students")):
        response = live_server.http.post(
            f"/api/hunts/{HUNT}/teams", json={"name": name, "division": division}
        )
        assert response.status_code == 201, response.text
        tokens[name] = response.json()["token"]
    solve(live_server, tokens["Pros"])
    board = board_at(new_page, live_server.clock.now(), f"/board/{HUNT}?division=students")
    rows = board.locator("#top li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Pupils")
    expect(rows.nth(0).locator(".rank")).to_have_text("1")
    solve(live_server, tokens["Freshers"])  # live: Freshers lead the students
    expect(rows.nth(0)).to_contain_text("Freshers")
    expect(rows).to_have_count(2)  # Pros (open) never appear here
    expect(board.locator("#top")).not_to_contain_text("Pros")


def test_finished_teams_are_marked_with_their_finish_time_and_ranked_first(
    live_server: LiveServer, new_page: NewPage
) -> None:
    document = spec_document()
    document["hunt"]["finish"] = "lighthouse"
    document["hunt"]["ranking"] = "finish"
    live_server.create_hunt(document)
    late_team, rich = live_server.register(HUNT, "Rich Latecomers")
    _, quick = live_server.register(HUNT, "Quick Finishers")
    live_server.clock.set(STARTS + 12 * MINUTE)
    solve(live_server, quick)
    live_server.http.post(
        f"/api/hunts/{HUNT}/adjustments",
        json={"team_id": late_team, "points": 900, "reason": "sponsor bonus"},
        headers=live_server.organizer,
    ).raise_for_status()
    board = board_at(new_page, STARTS + 13 * MINUTE, f"/board/{HUNT}", locale="en-GB")
    first = board.locator("#top li").first
    expect(first).to_contain_text("Quick Finishers")
    expect(first).to_have_class(re.compile(r"\bfinished\b"))
    finished_at = "finished 18:12"  # en-GB's 24-hour clock: the reader's regional format
    expect(first.locator(".finished-mark")).to_have_text(finished_at)
    expect(board.locator("#top li").nth(1)).not_to_have_class(re.compile(r"\bfinished\b"))
    solve(live_server, rich)  # live: a second finisher goes second, whatever its score
    expect(board.locator("#top li").nth(1).locator(".finished-mark")).to_have_text(finished_at)


def test_at_phone_width_the_headers_do_not_overlap_and_german_reads_german(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    for name in ("Night Owls", "A team with a very long name indeed", "Gulls"):
        live_server.register(HUNT, name)
    for locale, name in (("en-US", "board-phone-en"), ("de-DE", "board-phone-de")):
        board = board_at(
            new_page, live_server.clock.now(), f"/board/{HUNT}", viewport=PHONE, locale=locale
        )
        expect(board.locator("#top li")).to_have_count(3)
        overflowing = board.evaluate(
            """() => [...document.querySelectorAll('.standings-head span')]
                .filter((s) => s.scrollWidth > s.clientWidth + 1).map((s) => s.textContent)"""
        )
        assert overflowing == []
        cells = board.evaluate(
            """() => [...document.querySelectorAll('.standings-head span')].map((s) => {
                const r = s.getBoundingClientRect(); return [r.left, r.right]; })"""
        )
        assert all(a[1] <= b[0] + 0.5 for a, b in pairwise(cells)), cells
        assert board.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        audit(board)
        screenshot(board, name)
    expect(board.locator(".standings-head")).to_contain_text("Punkte")
    expect(board.locator("#movers-title")).to_have_text("Aufsteiger")
    big = board_at(new_page, live_server.clock.now(), f"/board/{HUNT}", locale="de-DE")
    expect(big.locator("#countdowns [data-mark=ends]")).to_contain_text("Ende in")
    screenshot(big, "board-1920-de", full_page=False)
