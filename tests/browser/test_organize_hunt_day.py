"""The console on a hunt day (issues 14, 15, 16, 17, 19): the hunt list, errata through the
hunt editor's dry run, the live board and the log's history, the team x clue grid and a
team's progress, fair-play flags and the phone's client_time."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import PHONE, audit, screenshot
from tests.browser.test_organize import CONSOLE, console_document, sign_in
from tests.hunt_builders import MINUTE, SECOND, STARTS, spec_document

pytestmark = pytest.mark.integration

HUNT = "harbour-night"
NewPage = Callable[..., Page]


def server_now(live_server: LiveServer) -> datetime:
    return datetime.fromtimestamp(live_server.clock.now() / SECOND, UTC)


def console_at_server_time(new_page: NewPage, live_server: LiveServer, **options: Any) -> Page:
    """A console whose clock reads the server's (manual) clock, for durations like 'stuck'."""
    console = new_page(CONSOLE, **options)
    console.clock.set_fixed_time(server_now(live_server))
    sign_in(console)
    return console


def answer(live: LiveServer, token: str, clue: str, text: str, **extra: Any) -> dict[str, Any]:
    response = live.http.post(
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": clue, "answer": text, **extra},
        headers=live.as_team(token),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def open_tab(console: Page, name: str) -> None:
    console.get_by_role("tab", name=name).click()


def test_the_console_opens_on_the_hunt_list_and_acts_only_in_an_open_hunt(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt(console_document())
    live_server.register(HUNT, "Night Owls")
    console = new_page(CONSOLE)
    sign_in(console)
    row = console.locator("#hunt-list tr[data-hunt='harbour-night']")
    expect(row).to_contain_text("Harbour Night Hunt")
    expect(row).to_contain_text("live")
    expect(row.locator("td.num")).to_have_text("1")
    expect(console.locator("#announce-form button[type=submit]")).to_be_disabled()
    expect(console.locator("#adjust-form button[type=submit]")).to_be_disabled()
    audit(console)

    row.get_by_role("button", name="Open").click()
    expect(console.locator("#hunt-title")).to_have_text("Harbour Night Hunt")
    expect(console).to_have_url(re.compile(r"/organize\?hunt=harbour-night"))
    expect(console.locator("#announce-form button[type=submit]")).to_be_enabled()
    expect(console.locator("#adjust-form button[type=submit]")).to_be_enabled()
    console.get_by_role("button", name="← All hunts").click()
    expect(console.locator("#hunt-list")).to_be_visible()
    expect(console.locator("#announce-form button[type=submit]")).to_be_disabled()


def test_an_erratum_is_checked_by_a_dry_run_naming_the_team_that_gains_and_reaches_its_phone(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """Issue 14: edit the accepted answers of a live hunt, see the dry run name the team
    that gains, apply it, and that team's player page shows the solve without a reload."""
    live_server.create_hunt(console_document())
    live_server.register(HUNT, "Harbour Seals")  # first: ranks above an equal score
    owls_id, owls = live_server.register(HUNT, "Night Owls")
    assert answer(live_server, owls, "lighthouse", "Keeper's Light")["result"] == "incorrect"
    player = new_page(PHONE)
    player.clock.set_fixed_time(server_now(live_server))
    player.goto(f"/play/{HUNT}#team={owls_id}&token={owls}")
    expect(player.locator("#team-name-heading")).to_have_text("Night Owls")
    card = player.locator("#clue-lighthouse")
    expect(card).to_be_visible()

    console = new_page(CONSOLE)
    sign_in(console)
    console.goto(f"/organize?hunt={HUNT}#edit")
    editor = console.get_by_label("The hunt's current definition")
    expect(editor).to_have_value(re.compile(r"- Lighthouse Keeper\n"))
    expect(console.locator("#hunt-revision")).to_have_text("revision 1")
    text = editor.input_value()
    assert "revision:" not in text, "the revision number is not part of the definition"
    editor.fill(
        text.replace("- Lighthouse Keeper\n", "- Lighthouse Keeper\n    - Keeper's Light\n", 1)
    )
    console.get_by_label(re.compile("rejudge")).check()
    console.get_by_role("button", name="Check the changes (dry run)").click()

    diff = console.locator("#dry-run-result")
    expect(diff).to_be_visible()
    expect(diff.locator(".board-sentences li").first).to_contain_text(
        re.compile(r"Night Owls gains \d+ points and moves from rank 2 to 1")
    )
    expect(diff.locator(".rejudged")).to_contain_text("Night Owls: the answer to The Lighthouse")
    # Nothing is applied by the dry run.
    revisions = live_server.http.get(f"/api/hunts/{HUNT}/revisions", headers=live_server.organizer)
    assert all(r["revision"] < 2 for r in revisions.json())
    expect(card).not_to_have_class(re.compile(r"\bsolved\b"))

    console.get_by_role("button", name="Apply as revision 2").click()
    expect(console.locator("#revise-message")).to_contain_text("Revision 2 is applied")
    expect(console.locator("#revisions li[data-revision='2']")).to_be_visible()
    expect(console.locator("#hunt-revision")).to_have_text("revision 2")
    # The team's phone shows the solve, live.
    expect(card).to_have_class(re.compile(r"\bsolved\b"))
    expect(player.locator("#team-score")).not_to_have_text("0")
    audit(console)


def test_a_revision_made_elsewhere_is_refused_and_the_console_offers_to_reload(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt(console_document())
    console = new_page(CONSOLE)
    sign_in(console)
    console.goto(f"/organize?hunt={HUNT}#edit")
    editor = console.get_by_label("The hunt's current definition")
    expect(editor).to_have_value(re.compile("Harbour Night Hunt"))
    editor.fill(editor.input_value().replace("points: 150", "points: 175"))

    # Another organizer changes the title meanwhile: the console keeps the edits, and says so.
    other = spec_document() | {"clues": console_document()["clues"]}
    other["hunt"] = dict(other["hunt"], title="Harbour Night Hunt (revised)")
    response = live_server.http.put(
        f"/api/hunts/{HUNT}",
        json=other,
        headers={**live_server.organizer, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    expect(console.locator("#revise-message")).to_contain_text("now at revision 2")
    expect(editor).to_have_value(re.compile("points: 175"))

    console.get_by_role("button", name="Check the changes (dry run)").click()
    message = console.locator("#revise-message")
    expect(message).to_contain_text("Another organizer changed this hunt")
    message.get_by_role("button", name="Reload the current definition").click()
    expect(editor).to_have_value(re.compile(r"Harbour Night Hunt \(revised\)"))
    expect(console.locator("#hunt-revision")).to_have_text("revision 2")

    # A refused revision's problems sit on their lines and name the clue.
    editor.fill(editor.input_value().replace("kind: photo", "kind: text\n    accept: [x]"))
    live_server.register(HUNT, "Night Owls")
    photo_team = live_server.register(HUNT, "Gulls")[1]
    upload = live_server.http.post(
        f"/api/hunts/{HUNT}/submissions",
        data={"clue": "selfie"},
        files={"photo": ("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")},
        headers=live_server.as_team(photo_team),
    )
    if upload.status_code == 200:  # a clue with submissions keeps its answer kind
        console.get_by_role("button", name="Check the changes (dry run)").click()
        problem = console.locator("#revise-problems li").first
        expect(problem).to_contain_text("clue “selfie”")
        expect(problem).not_to_contain_text("clues[")
        expect(problem).to_contain_text("Line ")


def test_the_board_activity_history_and_statistics(
    live_server: LiveServer, new_page: NewPage
) -> None:
    document = console_document()
    document["hunt"]["divisions"] = [
        {"id": "open", "title": "Open"},
        {"id": "students", "title": "Students"},
    ]
    document["rounds"] = [{"id": "harbour", "title": "The Harbour"}]
    document["clues"][0]["round"] = "harbour"
    document["clues"].append(
        {
            "id": "riddle",
            "title": "Three Riddles",
            "round": "harbour",
            "answer": {
                "kind": "parts",
                "parts": [
                    {"id": "one", "title": "First riddle", "accept": ["anchor"], "points": 10},
                    {"id": "two", "title": "Second riddle", "accept": ["tide"], "points": 20},
                ],
            },
        }
    )
    live_server.create_hunt(document)
    tokens = {}
    for name, division in [
        ("Night Owls", "open"),
        ("Harbour Seals", "students"),
        ("Gulls", "open"),
    ]:
        response = live_server.http.post(
            f"/api/hunts/{HUNT}/teams", json={"name": name, "division": division}
        )
        assert response.status_code == 201, response.text
        tokens[name] = response.json()["token"]
    answer(live_server, tokens["Harbour Seals"], "lighthouse", "keeper")
    answer(live_server, tokens["Night Owls"], "lighthouse", "Lighthouse Keeper")
    live_server.http.post(
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": "riddle", "part": "one", "answer": "anchor"},
        headers=live_server.as_team(tokens["Gulls"]),
    )
    answer(live_server, tokens["Gulls"], "lighthouse", "a lamp", client_time="2026-12-01T18:08:30Z")
    # Past the freeze: the public board stops, the console shows the true standings.
    live_server.clock.set(STARTS + 215 * MINUTE)
    answer(live_server, tokens["Gulls"], "lighthouse", "keeper")

    console = console_at_server_time(new_page, live_server)
    console.goto(f"/organize?hunt={HUNT}")
    board = console.locator("#board tbody tr")
    expect(console.locator("#board-note")).to_contain_text("frozen")
    expect(board).to_have_count(3)
    expect(board.nth(2)).to_contain_text("Gulls")
    expect(board.filter(has_text="Gulls").locator("td").nth(1)).to_have_text(re.compile(r"[1-9]"))
    console.get_by_label("Division").select_option(label="Students")
    expect(board).to_have_count(1)
    expect(board.first).to_contain_text("Harbour Seals")

    # Activity holds what happened before the console opened, from the log.
    activity = console.locator("#activity")
    expect(activity).to_contain_text("Harbour Seals registered.")
    wrong = activity.locator("li", has_text="“a lamp”")
    expect(wrong).to_contain_text("sent 06:08:30 PM on the phone")

    open_tab(console, "Statistics")
    solves = console.locator("figure.chart").first
    expect(solves.locator("th").first).to_have_text("The Lighthouse")
    size = solves.locator("th").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 12, f"chart labels are {size} px"
    rounds = console.locator("#round-stats table")
    expect(rounds.locator("tbody tr").first).to_contain_text("The Harbour")
    parts = console.locator("#part-stats table")
    expect(parts.locator("tbody tr").first).to_contain_text("Three Riddles › First riddle")
    expect(parts.locator("tbody tr").first.locator("td").first).to_have_text("1")
    screenshot(console, "organize-stats-en-desktop", full_page=False)
    audit(console)


def test_the_progress_grid_and_a_teams_progress_with_message_and_new_token(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt(console_document())
    owls_id, owls = live_server.register(HUNT, "Night Owls")
    live_server.register(HUNT, "Harbour Seals")
    answer(live_server, owls, "lighthouse", "keeper")
    live_server.clock.advance(40 * MINUTE)
    adjusted = live_server.http.post(
        f"/api/hunts/{HUNT}/adjustments",
        json={"team_id": owls_id, "points": -5, "reason": "Littering"},
        headers=live_server.organizer,
    )
    assert adjusted.status_code == 201, adjusted.text

    console = console_at_server_time(new_page, live_server)
    console.goto(f"/organize?hunt={HUNT}#progress")
    grid = console.locator("#grid")
    owls_row = grid.locator("tr[data-team]", has_text="Night Owls")
    expect(owls_row.locator("td[data-clue='lighthouse']")).to_have_class(re.compile("cell-solved"))
    seals_row = grid.locator("tr[data-team]", has_text="Harbour Seals")
    # Open since the start 50 minutes ago: the 30-60 minute band.
    expect(seals_row.locator("td[data-clue='lighthouse']")).to_have_class(re.compile("stuck-2"))
    expect(seals_row.locator("td[data-clue='crate']")).to_have_class(re.compile("cell-locked"))
    audit(console)

    owls_row.get_by_role("link", name="Night Owls").click()
    team = console.locator("#team-card")
    expect(team.locator("#team-heading")).to_have_text("Night Owls")
    expect(team).to_contain_text("Littering")
    console.get_by_label("Message to this team").fill("Come to the info desk")
    console.get_by_role("button", name="Send the message").click()
    expect(console.locator("#message-result")).to_contain_text("Sent to Night Owls")
    expect(team.locator(".team-section", has_text="Messages")).to_contain_text(
        "Come to the info desk"
    )
    console.get_by_label(re.compile("Stop every earlier token")).check()
    console.get_by_role("button", name="Give a new token").click()
    new_token = console.locator("#new-token")
    expect(new_token).to_have_text(re.compile(r"\S{16,}"))
    expect(console.get_by_role("button", name="Copy the token")).to_be_visible()
    old = live_server.http.get(f"/api/hunts/{HUNT}", headers=live_server.as_team(owls))
    assert old.status_code == 401
    fresh = live_server.http.get(
        f"/api/hunts/{HUNT}", headers=live_server.as_team(new_token.inner_text())
    )
    assert fresh.status_code == 200
    audit(console)


def test_fair_play_flags_link_to_their_events_and_both_teams(
    live_server: LiveServer, new_page: NewPage
) -> None:
    live_server.create_hunt(console_document())
    _, owls = live_server.register(HUNT, "Night Owls")
    _, seals = live_server.register(HUNT, "Harbour Seals")
    first = answer(live_server, owls, "lighthouse", "lighthouse tower")
    live_server.clock.advance(2 * MINUTE)
    answer(live_server, seals, "lighthouse", "Lighthouse Tower")
    assert first["result"] == "incorrect"

    console = console_at_server_time(new_page, live_server)
    console.goto(f"/organize?hunt={HUNT}#fairplay")
    flag = console.locator("#flags li.flag[data-kind='shared_wrong_answer']")
    expect(flag).to_contain_text("The same wrong answer")
    expect(console.locator("#flag-count")).to_have_text("1")
    screenshot(console, "organize-fairplay-en-desktop", full_page=False)
    audit(console)

    flag.get_by_role("link", name=re.compile(r"Show the 2 events")).click()
    expect(console.locator("#panel-live")).to_be_visible()
    expect(console.locator("#activity-filter")).to_contain_text("Showing only the events")
    shown = console.locator("#activity li")
    expect(shown).to_have_count(2)
    expect(shown.first).to_contain_text("“Lighthouse Tower”")
    console.get_by_role("button", name="Show all activity").click()
    expect(shown).not_to_have_count(2)

    open_tab(console, "Fair play")
    flag.get_by_role("link", name="Progress of Harbour Seals").click()
    expect(console.locator("#team-heading")).to_have_text("Harbour Seals")
    expect(console.locator("#panel-progress")).to_be_visible()


def test_the_console_in_german_and_screenshots(live_server: LiveServer, new_page: NewPage) -> None:
    """Screenshots at 1440x900 and on a phone, in English and German (docs/screenshots)."""
    live_server.create_hunt(console_document())
    ids = {}
    for name in ["Night Owls", "Harbour Seals", "Gulls", "Kraken"]:
        ids[name] = live_server.register(HUNT, name)
    answer(live_server, ids["Night Owls"][1], "lighthouse", "keeper")
    answer(
        live_server,
        ids["Gulls"][1],
        "lighthouse",
        "lantern room",
        client_time="2026-12-01T18:09:10Z",
    )
    live_server.clock.advance(35 * MINUTE)
    answer(live_server, ids["Kraken"][1], "lighthouse", "keeper")

    for lang in ("en", "de"):
        console = console_at_server_time(new_page, live_server, locale=lang)
        expect(console.locator("html")).to_have_attribute("lang", lang)
        if lang == "de":
            expect(console.locator("#hunts-heading")).to_have_text("Jagden")
        screenshot(console, f"organize-hunts-{lang}-desktop", full_page=False)
        console.goto(f"/organize?hunt={HUNT}#live")
        expect(console.locator("#activity li").first).to_be_visible()
        screenshot(console, f"organize-live-{lang}-desktop", full_page=False)
        console.goto(f"/organize?hunt={HUNT}#progress:{ids['Gulls'][0]}")
        expect(console.locator("#team-card")).to_be_visible()
        screenshot(console, f"organize-progress-{lang}-desktop", full_page=False)
        console.goto(f"/organize?hunt={HUNT}#edit")
        editor = console.locator("#revise-text")
        expect(editor).to_have_value(re.compile("harbour-night"))
        editor.fill(editor.input_value().replace("- keeper\n", "- keeper\n    - lantern room\n", 1))
        console.locator("#rejudge").check()
        console.locator("#dry-run").click()
        expect(console.locator("#dry-run-result .board-sentences li").first).to_contain_text(
            "Gulls"
        )
        screenshot(console, f"organize-editor-{lang}-desktop", full_page=False)
        console.set_viewport_size({"width": 390, "height": 844})
        console.goto(f"/organize?hunt={HUNT}#live")
        expect(console.locator("#activity li").first).to_be_visible()
        console.locator("#board-heading").scroll_into_view_if_needed()
        screenshot(console, f"organize-live-{lang}-phone", full_page=False)
        console.goto(f"/organize?hunt={HUNT}#progress")
        expect(console.locator("#grid tbody tr")).to_have_count(4)
        console.locator("#grid-heading").evaluate("e => e.scrollIntoView()")
        screenshot(console, f"organize-progress-{lang}-phone", full_page=False)
        audit(console)
