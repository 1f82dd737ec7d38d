"""A real embedded node served by uvicorn on a thread, on a free port, for tests
that need concurrent HTTP clients (the TestClient serializes requests)."""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from questline.http.embedded import EmbeddedNode
from tests.hunt_builders import spec_document

ORGANIZER_TOKEN = "qlo_organizer-token-for-the-healing-tests"
ORG = {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}
HUNT = "harbour-night"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.01)


@dataclass
class Live:
    node: EmbeddedNode
    base_url: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30.0)


@contextmanager
def serving(node: EmbeddedNode) -> Iterator[Live]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(node.app, log_level="warning", loop="asyncio", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), 30, "the server starting")
        assert server.started, "the server did not start"
        yield Live(node, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        node.close()


def create_spec_hunt(client: httpx.Client, **hunt_overrides: Any) -> str:
    document = spec_document()
    document["hunt"].update(hunt_overrides)
    response = client.post("/api/hunts", json=document, headers=ORG)
    assert response.status_code == 201, response.text
    hunt_id: str = response.json()["id"]
    return hunt_id


def register(client: httpx.Client, name: str, hunt_id: str = HUNT) -> tuple[str, str]:
    response = client.post(f"/api/hunts/{hunt_id}/teams", json={"name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["team_id"], body["token"]
