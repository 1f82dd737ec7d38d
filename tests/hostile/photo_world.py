"""Fixtures for the hostile photo tests: an embedded node whose photo folder the tests
look into (nothing sweeps it behind their back), a real uvicorn server for raw-socket
uploads, and multipart bodies written by hand."""

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from questline.adapters.clocks import ManualClock
from questline.http.embedded import EmbeddedNode, build_embedded_node
from tests.api.conftest import ORGANIZER_TOKEN, Api, TeamAuth, other_document, wait_until
from tests.hunt_builders import BEFORE_START, STARTS, spec_document

BOUNDARY = "hostile-photo-boundary"


def folder(node: EmbeddedNode) -> Path:
    return node.services.photos.directory


def files(directory: Path) -> dict[str, int]:
    """Every file under the photo folder (the upload area too), with its size."""
    if not directory.exists():
        return {}
    return {
        str(path.relative_to(directory)): path.stat().st_size
        for path in directory.rglob("*")
        if path.is_file()
    }


def age(path: Path, seconds: float) -> None:
    """Make a file look `seconds` old (the sweeper goes by modification time)."""
    stat = path.stat()
    os.utime(path, (stat.st_atime - seconds, stat.st_mtime - seconds))


def multipart(clue: str, photo: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="clue"\r\n\r\n{clue}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + photo
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def request_head(hunt_id: str, token: str | None, content_length: int) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST /api/hunts/{hunt_id}/submissions HTTP/1.1\r\nHost: hostile\r\n{auth}"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {content_length}\r\n\r\n"
    ).encode()


@pytest.fixture
def photo_node(tmp_path: Path) -> Iterator[EmbeddedNode]:
    node = build_embedded_node(
        tmp_path / "questline.db",
        clock=ManualClock(BEFORE_START),
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=None,  # the tests sweep when they mean to
    )
    try:
        yield node
    finally:
        node.close()


@pytest.fixture
def photo_api(photo_node: EmbeddedNode) -> Iterator[Api]:
    clock = photo_node.services.clock
    assert isinstance(clock, ManualClock)
    with TestClient(photo_node.app) as client:
        api = Api(client, clock, photo_node)
        api.create_hunt_ok(spec_document())
        api.create_hunt_ok(other_document())
        clock.set(STARTS)
        yield api


@pytest.fixture
def player(photo_api: Api) -> TeamAuth:
    return photo_api.register(name="Otters")


@pytest.fixture
def stranger(photo_api: Api) -> TeamAuth:
    """A team of the other hunt."""
    return photo_api.register("other-night", "Strangers")


@dataclass
class LiveServer:
    """The photo node behind uvicorn on a loopback port, for raw sockets."""

    api: Api
    port: int

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=15)

    def healthy(self) -> bool:
        with httpx.Client(timeout=5) as client:
            return client.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200


@pytest.fixture
def live(photo_api: Api) -> Iterator[LiveServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    # The TestClient already runs the app's lifespan (the engine's writer): not again.
    config = uvicorn.Config(photo_api.node.app, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=15)
    try:
        yield LiveServer(photo_api, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def read_status(connection: socket.socket) -> int:
    """The status of the response the server sends (reads up to the status line)."""
    received = b""
    while b"\r\n" not in received:
        chunk = connection.recv(4096)
        if not chunk:
            raise AssertionError(f"the server closed the connection: {received!r}")
        received += chunk
    return int(received.split(b" ", 2)[1])
