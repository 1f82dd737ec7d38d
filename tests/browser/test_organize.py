"""An organizer loads a hunt (first with a mistake), reviews a photo, and runs the hunt."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ORGANIZER_TOKEN, LiveServer
from tests.browser.helpers import DESKTOP, PHONE, both_widths, line_of, png, screenshot, spec_yaml

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]


def _register_on_phone(new_page: NewPage, name: str) -> Page:
    player = new_page(PHONE)
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


def test_an_organizer_loads_a_hunt_and_approves_a_photo(
    live_server: LiveServer, new_page: NewPage
) -> None:
    console = new_page(DESKTOP)
    console.goto("/organize")
    console.get_by_label("Organizer token").fill(ORGANIZER_TOKEN)
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#console")).to_be_visible()

    broken = spec_yaml().replace("points: 200", "points: -200")
    bad_line = line_of(broken, "points: -200")
    console.get_by_label("Hunt definition").fill(broken)
    console.get_by_role("button", name="Create the hunt").click()
    expect(console.locator("#create-message")).to_contain_text("problem")
    expect(console.locator(f"#gutter span[data-line='{bad_line}']")).to_have_class(
        re.compile(r"\bhas-problem\b")
    )
    expect(console.locator(f"#problems li[data-line='{bad_line}']")).to_contain_text(
        f"Line {bad_line}"
    )
    screenshot(console, "organize-problems-desktop", full_page=False)

    console.get_by_label("Hunt definition").fill(spec_yaml())
    console.get_by_role("button", name="Create the hunt").click()
    expect(console.locator("#create-message")).to_contain_text("is created")
    expect(console.locator("#gutter .has-problem")).to_have_count(0)
    expect(console.locator("#hunt-title")).to_have_text("Harbour Night Hunt")
    expect(console.locator("#stream-status")).to_have_text("● Live")

    owls = _register_on_phone(new_page, "Night Owls")
    seals = _register_on_phone(new_page, "Harbour Seals")
    _send_photo(owls, (230, 90, 40))
    _send_photo(seals, (40, 160, 90))

    review = console.locator("#review")
    expect(console.locator("#review-count")).to_have_text("2 waiting")
    expect(review).to_contain_text("Night Owls")
    expect(review.locator("img")).to_have_attribute("src", re.compile(r"^blob:"))
    expect(console.locator("figure.chart")).to_have_count(4)
    screenshot(console, "organize-desktop")

    # Keyboard only: J moves to the next photo, R asks for a reason, Enter rejects.
    console.locator("body").press("j")
    expect(review).to_contain_text("Harbour Seals")
    console.keyboard.press("r")
    expect(console.get_by_label(re.compile("Reason for rejecting"))).to_be_focused()
    console.keyboard.type("The statue is not in the photo")
    console.keyboard.press("Enter")
    expect(console.locator("#review-message")).to_contain_text("Rejected Harbour Seals")
    expect(seals.locator("#clue-selfie .badge.warn")).to_have_text("2 attempts left")

    # A approves the one left; the team's score changes on its phone.
    expect(console.locator("#review-count")).to_have_text("1 waiting")
    expect(review).to_contain_text("Night Owls")
    console.keyboard.press("a")
    expect(console.locator("#review-message")).to_contain_text(
        "Approved: Night Owls solved selfie and now has 200 points"
    )
    expect(owls.locator("#team-score")).to_have_text("200")
    expect(owls.locator("#clue-selfie")).to_have_class(re.compile(r"\bsolved\b"))
    expect(review).to_contain_text("No photos are waiting")
    expect(console.locator("#activity li").first).to_contain_text("Night Owls solved selfie")

    # Adjust, announce, pause and resume.
    console.get_by_label("Team", exact=True).select_option(label="Harbour Seals (0 pts)")
    console.get_by_label("Points").fill("15")
    console.get_by_label("Reason", exact=True).fill("Best costumes")
    console.get_by_role("button", name="Adjust").click()
    expect(console.locator("#adjust-message")).to_contain_text("Harbour Seals now has 15 points")
    expect(seals.locator("#team-score")).to_have_text("15")

    console.get_by_label("Message to every team and the big screen").fill("Ten minutes left!")
    console.get_by_role("button", name="Send").click()
    expect(owls.locator("#announcements li").first).to_contain_text("Ten minutes left!")

    console.get_by_role("button", name="Pause the hunt").click()
    expect(console.locator("#hunt-state")).to_have_text("paused")
    expect(owls.locator("#hunt-state")).to_contain_text("paused")
    console.get_by_role("button", name="Resume the hunt").click()
    expect(console.locator("#hunt-state")).to_have_text("live")
    expect(owls.locator("#hunt-state")).to_be_hidden()

    expect(console.locator("figure.chart").first.locator("text.value").nth(3)).to_have_text("1")
    both_widths(console, "organize")
    both_widths(owls, "play-photo-solved")


def test_the_index_page_links_the_pages(live_server: LiveServer, new_page: NewPage) -> None:
    live_server.create_hunt()
    page = new_page(DESKTOP)
    page.goto("/")
    expect(page.get_by_role("link", name="Open the organizer console")).to_be_visible()
    both_widths(page, "index")
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
