"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and an embedded
Questline node served by uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from questline.adapters.clocks import ManualClock
from questline.http.embedded import build_embedded_node
from tests.browser.helpers import DESKTOP
from tests.hunt_builders import MINUTE, STARTS, spec_document

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ORGANIZER_TOKEN = "qlo_browser-tests-organizer-token"


@dataclass
class LiveServer:
    base_url: str
    clock: ManualClock
    http: httpx.Client
    organizer: dict[str, str] = field(
        default_factory=lambda: {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}
    )

    def create_hunt(self, document: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(
            "/api/hunts", json=document or spec_document(), headers=self.organizer
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def register(self, hunt_id: str, name: str) -> tuple[str, str]:
        response = self.http.post(f"/api/hunts/{hunt_id}/teams", json={"name": name})
        assert response.status_code == 201, response.text
        return response.json()["team_id"], response.json()["token"]

    def as_team(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def _listening_socket() -> socket.socket:
    """Bound and listening before uvicorn starts: early connections wait in the backlog."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    clock = ManualClock(STARTS + 10 * MINUTE)
    node = build_embedded_node(
        tmp_path / "questline.db", clock=clock, organizer_token=ORGANIZER_TOKEN
    )
    sock = _listening_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        node.app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield LiveServer(base_url, clock, http)
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()
    node.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module, not per session: Playwright's sync API runs an event loop on this
    thread while it lives, and later tests need the thread free for asyncio.run."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's "
            "package. Install it with `apt-get install -y chromium` (do not run "
            "`playwright install`).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    """new_page(width=..., height=..., **context options): a page in its own browser context.
    Contexts close before the server stops, so streams end cleanly."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] | None = None, **options: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.base_url, viewport=viewport or DESKTOP, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"
