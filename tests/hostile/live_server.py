"""Real servers for the attacks the TestClient cannot make (it has no sockets): an
embedded node served on a thread through the same `uvicorn_config` as `questline
serve` (with short deadlines, so tests do not wait for minutes), or `questline
serve` itself in a process. Raw sockets send what no HTTP client would."""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
import uvicorn
from starlette.applications import Starlette

from questline.http.server_limits import ServerLimits
from questline.http.uvicorn_setup import uvicorn_config

ORGANIZER_TOKEN = "qlo_organizer-token-for-the-hostile-tests"
ORG = {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}
# Deadlines short enough for tests; the sizes are the production ones.
FAST = ServerLimits(
    head_timeout_s=1.0, body_idle_timeout_s=1.0, body_timeout_s=5.0, keep_alive_timeout_s=1
)
# The yardstick: /healthz answers within this while an attack runs.
HEALTHZ_S = 0.1


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    pace = threading.Event()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        pace.wait(0.02)


@dataclass
class Live:
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30.0, **kwargs)  # type: ignore[arg-type]

    def connect(self, timeout: float = 10.0) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def healthz_seconds(self) -> float:
        """One GET /healthz on a new connection, timed from connect to the whole answer."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
        finally:
            connection.close()
        return time.perf_counter() - started

    def healthz_median(self, probes: int = 5) -> float:
        return statistics.median(self.healthz_seconds() for _ in range(probes))

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample on /metrics (0 when it is not there yet)."""
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        text = httpx.get(f"{self.base_url}/metrics", timeout=10).text
        for line in text.splitlines():
            if not line.startswith(name + "{"):
                continue
            sample, _, value = line.rpartition(" ")
            got = sample[len(name) + 1 : -1].split(",")
            if ",".join(sorted(got)) == wanted:
                return float(value)
        return 0.0


class Node(Protocol):
    """An embedded node or a cluster API node."""

    app: Starlette

    def close(self) -> None: ...


@contextmanager
def serving(node: Node, limits: ServerLimits = FAST) -> Iterator[Live]:
    """`node` served on a free port by uvicorn on a thread, configured as `serve` does;
    closed afterwards."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn_config(node.app, host="127.0.0.1", port=port, limits=limits, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), 30, "the server starting")
        assert server.started, "the server did not start"
        yield Live("127.0.0.1", port)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        node.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_process(db: Path, *args: str, stdout: Path | None = None) -> Iterator[Live]:
    """`questline serve --db DB ARGS` in a process of its own (its stdout to a file if
    given, so not a terminal); stopped with SIGTERM."""
    port = free_port()
    env = {
        **os.environ,
        "QUESTLINE_ORGANIZER_TOKEN": ORGANIZER_TOKEN,
        "QUESTLINE_LOG_LEVEL": "WARNING" if stdout is None else "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "questline", "serve", "--db", str(db), "--port", str(port), *args],
        env=env,
        stdout=stdout.open("wb") if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    live = Live("127.0.0.1", port)

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(
                f"serve exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            return httpx.get(f"{live.base_url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(up, 60, "questline serve answering /healthz")
        yield live
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def read_response(sock: socket.socket, timeout: float = 5.0) -> tuple[int | None, bytes]:
    """(status, bytes) of the first response the server sends, read until its body is
    whole, the server closes or `timeout` passes; status None when it sent nothing."""
    sock.settimeout(timeout)
    data = b""
    try:
        while not _whole(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return None, data
    return int(data[9:12]), data


def _whole(data: bytes) -> bool:
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False  # no length: the server ends it by closing


def closed_by_server(sock: socket.socket, timeout: float = 5.0) -> bool:
    """Whether the server closes the connection, sending nothing more, within `timeout`."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
