"""An organizer loads a hunt (first with mistakes), reviews photos by keyboard with undo,
and runs the hunt from the console."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.browser.conftest import ORGANIZER_TOKEN, LiveServer
from tests.browser.helpers import PHONE, audit, line_of, png, screenshot, spec_yaml
from tests.hunt_builders import spec_document

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]
CONSOLE = {"width": 1440, "height": 900}
CONSOLE_PHONE = {"width": 390, "height": 844}


def console_document() -> dict[str, Any]:
    """The spec's hunt, with a title and text on the photo clue (what a judge looks for)."""
    document = spec_document()
    selfie = document["clues"][3]
    selfie["title"] = "Team Selfie"
    selfie["text"] = "A photo of the whole team at the fountain."
    return document


def console_yaml() -> str:
    text: str = yaml.safe_dump(console_document(), sort_keys=False, allow_unicode=True)
    return text


def sign_in(console: Page) -> None:
    console.goto("/organize")
    console.locator("#token").fill(ORGANIZER_TOKEN)
    console.locator("#token-form button[type=submit]").click()
    expect(console.locator("#sign-out")).to_be_visible()


def _register_on_phone(new_page: NewPage, live_server: LiveServer, name: str) -> Page:
    player = new_page(PHONE)
    # The page stamps submissions with its clock (client_time): the server's manual clock.
    player.clock.set_fixed_time(datetime.fromtimestamp(live_server.clock.now() / 1e6, UTC))
    player.goto(f"/play/{HUNT}")
    player.get_by_label("Team name").fill(name)
    player.get_by_role("button", name="Register the team").click()
    expect(player.locator("#team-name-heading")).to_have_text(name)
    return player


def _send_photo(player: Page, colour: tuple[int, int, int]) -> None:
    selfie = player.locator("#clue-selfie")
    selfie.get_by_label("Photo").set_input_files(
        {"name": "team.png", "mimeType": "image/png", "buffer": png(tint=colour)}
    )
    selfie.get_by_role("button", name="Send the photo").click()
    expect(selfie.locator(".notice")).to_contain_text("Photo sent")


def test_yaml_problems_are_explained_on_their_lines_and_name_the_clue(
    live_server: LiveServer, new_page: NewPage
) -> None:
    console = new_page(CONSOLE)
    sign_in(console)
    editor = console.get_by_label("Hunt definition")

    # An unclosed "{": the parser notices two lines later; the console marks the line it opened.
    text = spec_yaml().replace("    keep_going:\n", "    keep_going: {x: 1\n", 1)
    opened = line_of(text, "keep_going: {x: 1")
    editor.fill(text)
    console.get_by_role("button", name="Create the hunt").click()
    problem = console.locator("#create-problems li")
    expect(problem).to_have_count(1)
    expect(problem).to_have_attribute("data-line", str(opened))
    expect(problem).to_contain_text(f"Line {opened}")
    expect(problem).to_contain_text("is never closed")
    expect(problem).not_to_contain_text("unicode string")
    expect(console.locator(f"#create-gutter span[data-line='{opened}']")).to_have_class(
        re.compile(r"\bhas-problem\b")
    )

    # A problem inside a clue names the clue by its id, not by its index.
    text = spec_yaml().replace("points: 200", "points: -200")
    bad_line = line_of(text, "points: -200")
    editor.fill(text)
    console.get_by_role("button", name="Create the hunt").click()
    problem = console.locator(f"#create-problems li[data-line='{bad_line}']")
    expect(problem).to_contain_text(f"Line {bad_line}")
    expect(problem).to_contain_text("clue “crate” › points")
    expect(problem).not_to_contain_text("clues[")
    screenshot(console, "organize-problems-en-desktop", full_page=False)


def test_an_organizer_reviews_photos_by_keyboard_with_undo_and_runs_the_hunt(
    live_server: LiveServer, new_page: NewPage
) -> None:
    console = new_page(CONSOLE)
    sign_in(console)
    console.get_by_label("Hunt definition").fill(console_yaml())
    console.get_by_role("button", name="Create the hunt").click()
    expect(console.locator("#hunt-title")).to_have_text("Harbour Night Hunt")
    expect(console.locator("#stream-status")).to_have_text("● Live")

    owls = _register_on_phone(new_page, live_server, "Night Owls")
    seals = _register_on_phone(new_page, live_server, "Harbour Seals")
    _send_photo(owls, (230, 90, 40))
    _send_photo(seals, (40, 160, 90))

    review = console.locator("#review")
    expect(console.locator("#review-count")).to_have_text("2 waiting")
    # The judge sees what the photo should show: the clue's title and text.
    expect(review.locator(".review-clue-title")).to_contain_text("Team Selfie")
    expect(review.locator(".review-clue-text")).to_have_text(
        "A photo of the whole team at the fountain."
    )
    expect(review).to_contain_text("Night Owls")
    expect(review.locator("img")).to_have_attribute("src", re.compile(r"^blob:"))

    # Review keys do nothing while focus is elsewhere on the page.
    console.locator("#board-heading").click()
    console.keyboard.press("a")
    console.keyboard.press("j")
    expect(review).to_contain_text("Night Owls")
    expect(console.locator("#review-undo")).to_be_empty()

    # In the review area: J moves on, R asks for a reason, Enter rejects after the undo time.
    review.focus()
    console.keyboard.press("j")
    expect(review).to_contain_text("Harbour Seals")
    console.keyboard.press("r")
    expect(console.get_by_label(re.compile("Reason for rejecting"))).to_be_focused()
    console.keyboard.type("The statue is not in the photo")
    console.keyboard.press("Enter")
    expect(console.locator("#review-undo")).to_contain_text("Rejecting the photo of Harbour Seals")
    expect(console.locator("#review-message")).to_contain_text(
        "Rejected the photo of Harbour Seals for Team Selfie", timeout=15_000
    )
    expect(seals.locator("#clue-selfie .badge.warn")).to_have_text("2 attempts left")

    # A, then Undo: nothing is sent, the photo is back.
    expect(console.locator("#review-count")).to_have_text("1 waiting")
    review.focus()
    console.keyboard.press("a")
    expect(console.locator("#review-count")).to_be_empty()
    console.get_by_role("button", name="Undo (U)").click()
    expect(console.locator("#review-message")).to_contain_text("nothing was sent")
    expect(console.locator("#review-count")).to_have_text("1 waiting")
    waiting = live_server.http.get(f"/api/hunts/{HUNT}/reviews", headers=live_server.organizer)
    assert len(waiting.json()) == 1

    review.focus()
    console.keyboard.press("a")
    expect(console.locator("#review-message")).to_contain_text(
        "Approved: Night Owls solved Team Selfie and now has 200 points", timeout=15_000
    )
    expect(owls.locator("#team-score")).to_have_text("200")
    expect(review).to_contain_text("No photos are waiting")
    expect(console.locator("#activity li").first).to_contain_text("Night Owls")
    expect(console.locator("#activity li").first).to_contain_text("Team Selfie")

    # Adjust and announce.
    console.get_by_label("Team", exact=True).select_option(label="Harbour Seals (0 pts)")
    console.get_by_label("Points").fill("15")
    console.get_by_label("Reason", exact=True).fill("Best costumes")
    console.get_by_role("button", name="Adjust").click()
    expect(console.locator("#adjust-message")).to_contain_text("Harbour Seals now has 15 points")
    expect(seals.locator("#team-score")).to_have_text("15")
    console.get_by_label("Message to every team and the big screen").fill("Ten minutes left!")
    console.get_by_role("button", name="Send", exact=True).click()
    expect(owls.locator("#announcements li").first).to_contain_text("Ten minutes left!")

    # Pause asks first; cancelling leaves the hunt running.
    console.get_by_role("button", name="Pause the hunt").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("Pause the hunt?")
    dialog.get_by_role("button", name="Keep it running").click()
    expect(console.locator("#hunt-state")).to_have_text("live")
    console.get_by_role("button", name="Pause the hunt").click()
    console.get_by_role("dialog").get_by_role("button", name="Pause the hunt").click()
    expect(console.locator("#hunt-state")).to_have_text("paused")
    expect(owls.locator("#hunt-state")).to_contain_text("paused")
    console.get_by_role("button", name="Resume the hunt").click()
    expect(console.locator("#hunt-state")).to_have_text("live")
    audit(console)


def test_the_index_page_links_the_pages(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create_hunt()
    page = new_page(CONSOLE)
    page.goto("/")
    expect(page.get_by_role("link", name="Open the organizer console")).to_be_visible()
    page.get_by_label(re.compile("Hunt id")).fill(HUNT)
    page.get_by_role("button", name="Big-screen leaderboard").click()
    expect(page).to_have_url(re.compile(f"/board/{HUNT}$"))
    expect(page.locator("#hunt-title")).to_have_text("Harbour Night Hunt")


@pytest.mark.parametrize("path", ["/", f"/play/{HUNT}", f"/board/{HUNT}", "/organize"])
def test_every_control_has_a_label_and_fits_a_phone(
    live_server: LiveServer, new_page: NewPage, path: str
) -> None:
    live_server.create_hunt()
    page = new_page(PHONE)
    page.goto(path)
    expect(page.locator("h1").first).to_be_visible()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(el => el.offsetParent !== null)
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !(el.tagName === 'BUTTON' && el.textContent.trim()))
            .map(el => el.outerHTML)"""
    )
    assert unlabelled == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow} px wider than a 360 px phone"


def test_problem_paths_find_their_lines_and_ids_in_hand_written_yaml_and_json(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """The console's reading of the text the organizer sent, on shapes the server's own
    YAML does not write: indented lists, a block scalar, flow values, quoted ids, JSON."""
    page = new_page(CONSOLE)
    page.goto("/organize")
    expect(page.locator("#token-form")).to_be_visible()
    found = page.evaluate(
        """async () => {
            const m = await import("/static/js/organize/yaml-paths.js");
            const yaml = [
              "hunt:", "  id: x   # a comment", "clues:", "  - id: a", "    text: |",
              "      - not: an item", "    answer: {kind: text, accept: [a]}", "  -",
              "    id: 'b'", "    hints:", "      - id: h1", "        cost: -3",
            ].join("\\n");
            const json = JSON.stringify({hunt: {id: "x"}, clues: [{id: "j"}, {id: "k"}]});
            const place = (text, path) => m.describePath(path, m.itemIds(text));
            return {
              cost: place(yaml, "clues[1].hints[0].cost"),
              answer: place(yaml, "clues[0].answer.kind"),
              json: place(json, "clues[1].points"),
            };
        }"""
    )
    assert found["cost"] == {
        "item": {"list": "clues", "id": "b"},
        "rest": "hints[h1].cost",
        "line": 12,
    }
    assert found["answer"]["item"]["id"] == "a" and found["answer"]["line"] == 7
    assert found["json"]["item"]["id"] == "k" and found["json"]["rest"] == "points"
