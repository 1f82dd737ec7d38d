"""Clue text with the hunt's own images (hunt-day.md: "images the organizer uploads"): an
organizer adds a picture in the console's hunt editor, applies the revision, and a team's
phone shows it; an image named anywhere else is shown by its description, never fetched."""

import hashlib
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import PHONE, png
from tests.browser.test_organize import CONSOLE, console_document, sign_in

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]
MARKER = "PICTURE-GOES-HERE"
ELSEWHERE = "https://example.org/gull.png"
OTHER_HUNTS = "/api/hunts/other-night/images/" + "a" * 64


def test_an_uploaded_image_reaches_the_clue_on_a_phone_and_no_other_image_is_loaded(
    live_server: LiveServer, new_page: NewPage
) -> None:
    document = console_document()
    document["clues"][0]["text"] = (
        f"Where the keeper never sleeps. {MARKER} Not the gull ![a gull]({ELSEWHERE}) "
        f"nor ![a stranger]({OTHER_HUNTS})"
    )
    live_server.create_hunt(document)
    team_id, token = live_server.register(HUNT, "Night Owls")
    picture = png(tint=(200, 60, 30))
    digest = hashlib.sha256(picture).hexdigest()
    url = f"/api/hunts/{HUNT}/images/{digest}"

    console = new_page(CONSOLE)
    sign_in(console)
    console.goto(f"/organize?hunt={HUNT}#edit")
    editor = console.locator("#revise-text")
    expect(editor).to_have_value(re.compile(MARKER))
    editor.evaluate(  # the cursor on the marker (selected), where the picture goes
        "(text, marker) => { const at = text.value.indexOf(marker);"
        " text.focus(); text.setSelectionRange(at, at + marker.length); }",
        MARKER,
    )
    console.get_by_label("Add image").set_input_files(
        {"name": "lighthouse.png", "mimeType": "image/png", "buffer": picture}
    )
    expect(console.locator("#image-message")).to_contain_text("lighthouse.png is uploaded")
    expect(console.locator("#image-message code")).to_have_text(f"![]({url})")
    expect(editor).to_have_value(re.compile(re.escape(f"sleeps. ![]({url}) Not the gull")))
    # The organizer describes the picture for screen readers, then applies the revision.
    editor.fill(editor.input_value().replace("![](", "![the lighthouse at night](", 1))
    console.get_by_role("button", name="Check the changes (dry run)").click()
    console.get_by_role("button", name="Apply as revision 2").click()
    expect(console.locator("#revise-message")).to_contain_text("Revision 2 is applied")

    player = new_page(PHONE)
    requested: list[str] = []
    player.on("request", lambda request: requested.append(request.url))
    player.goto(f"/play/{HUNT}#team={team_id}&token={token}")
    text = player.locator("#clue-lighthouse .clue-text")
    image = text.locator("img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("src", url)
    expect(image).to_have_attribute("alt", "the lighthouse at night")
    expect(image).to_have_attribute("loading", "lazy")
    player.wait_for_function(
        "img => img.complete && img.naturalWidth === 240", arg=image.element_handle()
    )
    assert image.evaluate("img => img.getBoundingClientRect().width") <= PHONE["width"]
    expect(text.locator(".md-image")).to_have_text(["[picture: a gull]", "[picture: a stranger]"])
    assert any(u.endswith(url) for u in requested)
    assert not [u for u in requested if "example.org" in u or "other-night" in u], requested
