"""Playing without signal (hunt-day.md "Play without signal"): answers, codes and photos
made offline wait in the phone's outbox, survive the page being closed, and reach the
server exactly once each, in order, when the signal returns; the page opens offline from
what the service worker kept."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import PHONE, png
from tests.hunt_builders import spec_document

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]
SUBMISSIONS = re.compile(rf"/api/hunts/{HUNT}/submissions$")


def _register_ready_for_offline(page: Page, name: str) -> None:
    page.goto(f"/play/{HUNT}")
    page.get_by_label("Team name").fill(name)
    page.get_by_role("button", name="Register the team").click()
    expect(page.locator("#team-name-heading")).to_have_text(name)
    # The service worker has kept the page and the team's views (one visit with signal).
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "yes", timeout=15000)


def _answer(page: Page, clue: str, text: str) -> None:
    box = page.locator(f"#clue-{clue}").get_by_label("Your answer")
    box.fill(text)
    box.press("Enter")


def _team_events(live_server: LiveServer) -> list[dict[str, Any]]:
    events = live_server.http.get(
        f"/api/hunts/{HUNT}/events", params={"limit": 1000}, headers=live_server.organizer
    ).json()["events"]
    return [e for e in events if e["payload"].get("team_id") and e["type"] != "team_registered"]


def _count_submissions(context: BrowserContext) -> list[Request]:
    sent: list[Request] = []
    context.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and SUBMISSIONS.search(request.url)
            else None
        ),
    )
    return sent


def test_answers_made_offline_reach_the_server_once_each_in_order_after_the_page_reopens(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    player = new_page(PHONE)
    context = player.context
    _register_ready_for_offline(player, "Cellar Rats")

    context.set_offline(True)
    expect(player.locator("#offline-banner")).to_be_visible()
    _answer(player, "lighthouse", "lamp post")
    _answer(player, "lighthouse", "lantern")  # cancelled below: never sent
    _answer(player, "lighthouse", "keeper")
    selfie = player.locator("#clue-selfie")
    selfie.get_by_label("Photo").set_input_files(
        {"name": "team.png", "mimeType": "image/png", "buffer": png()}
    )
    selfie.get_by_role("button", name="Send the photo").click()
    expect(player.locator("#queue-button")).to_have_text("4 answers waiting to be sent")
    expect(player.locator("#clue-lighthouse .queued-line")).to_contain_text("Queued")
    expect(selfie.get_by_role("button", name="Send the photo")).to_be_disabled()
    player.close()

    # Reopened without signal: the kept page shows the kept clues and what waits.
    player = context.new_page()
    player.goto(f"/play/{HUNT}")
    expect(player.locator("#offline-banner")).to_contain_text("No signal")
    expect(player.locator("#clue-lighthouse")).to_contain_text("Where the keeper never sleeps.")
    expect(player.locator("#queue-button")).to_have_text("4 answers waiting to be sent")
    player.locator("#queue-button").click()
    queue = player.locator("#queue-list li")
    expect(queue).to_have_count(4)
    expect(queue.nth(0)).to_contain_text("lamp post")
    expect(queue.nth(3)).to_contain_text("team.png")
    queue.filter(has_text="lantern").get_by_role("button", name="Cancel").click()
    expect(queue).to_have_count(3)
    expect(player.locator("#queue-button")).to_have_text("3 answers waiting to be sent")
    player.locator("#queue-close").click()
    assert _team_events(live_server) == []

    sent = _count_submissions(context)
    context.set_offline(False)
    expect(player.locator("#clue-lighthouse .notice")).to_contain_text("Correct! +100 points")
    expect(player.locator("#clue-selfie .notice")).to_contain_text("Photo sent")
    expect(player.locator("#queue-button")).to_be_hidden()
    expect(player.locator("#offline-banner")).to_be_hidden()

    events = _team_events(live_server)
    assert [(e["type"], e["payload"]["clue_id"]) for e in events] == [
        ("answer_wrong", "lighthouse"),
        ("clue_solved", "lighthouse"),
        ("photo_submitted", "selfie"),
    ]
    assert all(e["payload"].get("client_time") for e in events), events  # made on the phone
    keys = {request.headers["idempotency-key"] for request in sent}
    assert len(keys) == 3 == len(sent), [r.headers for r in sent]


def test_a_queued_answer_the_server_refuses_shows_the_refusal(
    live_server: LiveServer, new_page: NewPage
) -> None:
    document = spec_document()
    document["clues"][0]["max_attempts"] = 2
    live_server.create_hunt(document)
    player = new_page(PHONE)
    _register_ready_for_offline(player, "Late Owls")
    token = player.evaluate(
        "JSON.parse(localStorage.getItem('questline.team.harbour-night')).token"
    )

    player.context.set_offline(True)
    _answer(player, "lighthouse", "keeper")
    expect(player.locator("#queue-button")).to_have_text("1 answer waiting to be sent")
    # Meanwhile a team mate with signal uses up the clue's attempts: it locks.
    for wrong in ("lamp", "tower"):
        live_server.http.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": wrong},
            headers=live_server.as_team(token),
        ).raise_for_status()

    player.context.set_offline(False)
    lighthouse = player.locator("#clue-lighthouse")
    expect(lighthouse.locator(".notice")).to_contain_text(
        "Locked: your team has used all its attempts on this clue."
    )
    expect(lighthouse.locator(".badge.bad")).to_have_text("Locked")
    expect(player.locator("#queue-button")).to_be_hidden()
    assert [e["type"] for e in _team_events(live_server)] == ["answer_wrong", "answer_wrong"]


def test_two_tabs_of_one_phone_send_its_outbox_once(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    first = new_page(PHONE)
    context = first.context
    _register_ready_for_offline(first, "Twin Tabs")
    second = context.new_page()
    second.goto(f"/play/{HUNT}")
    expect(second.locator("#team-name-heading")).to_have_text("Twin Tabs")

    context.set_offline(True)
    _answer(first, "lighthouse", "keeper")
    expect(second.locator("#queue-button")).to_have_text("1 answer waiting to be sent")

    sent = _count_submissions(context)
    context.set_offline(False)  # both tabs see the signal return and try to send
    for tab in (first, second):
        expect(tab.locator("#clue-lighthouse")).to_have_class(re.compile(r"\bsolved\b"))
    expect(first.locator("#clue-lighthouse .notice")).to_contain_text("Correct!")
    expect(first.locator("#queue-button")).to_be_hidden()
    expect(second.locator("#queue-button")).to_be_hidden()
    assert len(sent) == 1
    assert [e["type"] for e in _team_events(live_server)] == ["clue_solved"]


def test_the_outbox_waits_with_jitter_at_least_retry_after_and_keeps_each_clue_in_order(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt()
    page = new_page(PHONE)
    page.goto(f"/play/{HUNT}")
    checks = page.evaluate(
        """async () => {
            const { backoff, nextDue } = await import("/static/js/play/outbox-send.js");
            const item = (seq, clue, next_at = 0, state = "queued") =>
                ({ seq, hunt: "h", clue, next_at, state });
            const items = [item(1, "a", 5000), item(2, "a"), item(3, "b"), item(4, "c", 0, "done")];
            return {
                first: backoff(1, 0, () => 1),
                capped: backoff(30, 0, () => 1),
                floor: backoff(3, 0, () => 0),
                retryAfter: backoff(1, 7, () => 0.5),
                due: nextDue(items, 1000).item.seq,
                wake: nextDue([item(1, "a", 5000), item(2, "a")], 1000).wakeAt,
                none: nextDue([item(4, "c", 0, "done")], 1000).item,
            };
        }"""
    )
    assert checks == {
        "first": 1000,  # the first retry waits up to 1 s
        "capped": 60000,  # never more than a minute
        "floor": 250,
        "retryAfter": 7000,  # never less than the server's Retry-After
        "due": 3,  # clue a's second item waits behind its first, clue b goes
        "wake": 5000,
        "none": None,
    }


def test_the_player_page_is_an_installable_app_per_hunt(live_server: LiveServer) -> None:
    live_server.create_hunt()
    manifest = live_server.http.get(f"/play/{HUNT}/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert (body["start_url"], body["scope"], body["display"]) == (
        f"/play/{HUNT}",
        "/play/",
        "standalone",
    )
    assert body["name"] == "Harbour Night Hunt · Questline"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    for icon in body["icons"]:
        assert live_server.http.get(icon["src"]).status_code == 200
    assert live_server.http.get("/play/nope/manifest.webmanifest").status_code == 404
    worker = live_server.http.get("/play/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert 'addEventListener("fetch"' in worker.text
