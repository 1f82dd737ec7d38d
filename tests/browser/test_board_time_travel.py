"""Time travel on the big screen (log-features.md, issue 17): the race of the top teams,
the scrubber that moves the board back to an earlier version, and the replay that plays
the race to the final standings; organizers may travel before the end."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ORGANIZER_TOKEN, LiveServer
from tests.browser.helpers import audit, screenshot
from tests.browser.test_board import BIG_SCREEN, HUNT, at, solve
from tests.hunt_builders import ENDS, MINUTE, STARTS

pytestmark = pytest.mark.integration

NewPage = Callable[..., Page]


def first_names(page: Page) -> list[str]:
    names: list[str] = page.locator("#top li .team-name").all_text_contents()
    return names


def play_a_hunt(live: LiveServer) -> int:
    """Gulls lead from 18:15; Puffins overtake at 20:05. The version after Gulls' solve."""
    live.create_hunt()
    _, gulls = live.register(HUNT, "Gulls")
    _, puffins = live.register(HUNT, "Puffins")
    live.register(HUNT, "Terns")
    live.clock.set(STARTS + 15 * MINUTE)
    solve(live, gulls)
    events = live.http.get(
        f"/api/hunts/{HUNT}/events", params={"limit": 1000}, headers=live.organizer
    ).json()["events"]
    gulls_lead = int(events[-1]["version"])
    live.clock.set(STARTS + 125 * MINUTE)
    solve(live, puffins)
    solve(live, puffins, "dock-9")
    live.clock.set(ENDS + MINUTE)
    return gulls_lead


def test_after_the_end_the_scrubber_moves_the_board_back_and_the_replay_plays_to_the_end(
    live_server: LiveServer, new_page: NewPage
) -> None:
    gulls_lead = play_a_hunt(live_server)
    board_now = live_server.http.get(f"/api/hunts/{HUNT}/leaderboard").json()
    final = [row["name"] for row in board_now["teams"]]
    assert final[0] == "Puffins"
    board = new_page(BIG_SCREEN)
    board.clock.install(time=at(ENDS + 2 * MINUTE))
    board.goto(f"/board/{HUNT}?replay_seconds=2")
    expect(board.locator("#stream-status")).to_have_text("● Live")
    labels = board.locator("#race-chart .race-label")
    expect(labels.first).to_contain_text("Puffins")  # the leader's line ends highest
    expect(board.locator("#race-chart")).to_contain_text("Gulls")
    expect(board.locator("#travel")).to_be_visible()
    scrubber = board.locator("#scrubber")
    expect(scrubber).to_have_attribute("max", re.compile(r"^\d+$"))
    latest = int(scrubber.get_attribute("max") or "0")
    assert latest > gulls_lead

    scrubber.evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: 1})); }",
        gulls_lead,
    )
    expect(board.locator("#past-banner")).to_be_visible()
    expect(board.locator("#past-text")).to_contain_text(f"version {gulls_lead}")
    expect(board.locator("#scrub-as-of")).to_contain_text(f"version {gulls_lead}")
    expect(board.locator("#top li").first).to_contain_text("Gulls")
    expect(board.locator("#race-chart .cursor")).to_have_count(1)
    board.get_by_role("button", name="Back to live").click()
    expect(board.locator("#past-banner")).to_be_hidden()
    expect(board.locator("#top li").first).to_contain_text("Puffins")

    # Record who leads while the replay runs, then check it ends on the final standings.
    board.evaluate(
        """() => {
            window.leaders = [];
            const note = () => {
                const name = document.querySelector('#top li .team-name')?.textContent;
                if (name && window.leaders.at(-1) !== name) window.leaders.push(name);
            };
            new MutationObserver(note).observe(document.querySelector('#top'),
                { subtree: true, childList: true, characterData: true });
        }"""
    )
    board.get_by_role("button", name="Replay the race").click()
    expect(board.locator("#replay-status")).to_have_text("Replaying the race…")
    expect(board.locator("#replay-status")).to_have_text(
        "Replay finished: the final standings.", timeout=20_000
    )
    leaders = board.evaluate("window.leaders")
    assert "Gulls" in leaders and leaders[-1] == "Puffins", leaders
    assert leaders.index("Gulls") < len(leaders) - 1
    assert first_names(board) == final
    expect(board.locator("#past-banner")).to_be_hidden()
    audit(board)
    screenshot(board, "board-race-1920-en", full_page=False)


def test_before_the_end_only_an_organizer_may_travel(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    _, gulls = live_server.register(HUNT, "Gulls")
    solve(live_server, gulls)
    board = new_page(BIG_SCREEN)
    board.clock.install(time=at(live_server.clock.now()))
    board.goto(f"/board/{HUNT}")
    expect(board.locator("#stream-status")).to_have_text("● Live")
    expect(board.locator("#travel")).to_be_hidden()
    board.locator("#organizer-access summary").click()
    token = board.get_by_label("Organizer token")
    token.fill("qlt_not-a-token")
    board.get_by_role("button", name="Use").click()
    expect(board.locator("#organizer-message")).to_have_text("That token is not valid.")
    token.fill(ORGANIZER_TOKEN)
    board.get_by_role("button", name="Use").click()
    expect(board.locator("#travel")).to_be_visible()
    expect(board.locator("#scrub-as-of")).to_contain_text("version")

    again = new_page(BIG_SCREEN)  # another browser session: the public view again
    again.clock.install(time=at(live_server.clock.now()))  # before the end, as the server
    again.goto(f"/board/{HUNT}")
    expect(again.locator("#stream-status")).to_have_text("● Live")
    expect(again.locator("#travel")).to_be_hidden()
