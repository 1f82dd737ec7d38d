"""Memory of a real server under half-sent 10 MB photo uploads (issue 12, item 5).

Starts `questline serve` on a fresh database and a free port (a subprocess), loads a
live hunt with a photo clue and registers a team, then for each caller (anonymous, a
team) opens 40 connections that each declare a 10 MB multipart upload, send all of it
but the last KiB, and hang up. Prints the server's resident memory (VmRSS) before,
while the 40 connections are open, and after they closed, and what the photo
folder holds afterwards.

    uv run --frozen python -m bench.half_sent_uploads [--connections 40]

A measurement, not a test: nothing here asserts a figure.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TOKEN = "bench-organizer-token-0123456789"
HUNT = "half-sent"
PHOTO_BYTES = 9_990_000  # under the 10 MB limit: only a finished upload could be refused
BOUNDARY = "bench-boundary-7c1f"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def call(port: int, method: str, path: str, body: Any, token: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def live_hunt() -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "hunt": {
            "id": HUNT,
            "title": "Half-sent uploads",
            "starts_at": (now - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
            "ends_at": (now + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        },
        "clues": [{"id": "selfie", "points": 10, "answer": {"kind": "photo"}}],
    }


def upload(token: str | None) -> tuple[bytes, bytes]:
    """(request head, body) of a multipart photo submission."""
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="clue"\r\n\r\nselfie\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; '
        'filename="p.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    body += b"\x89PNG\r\n\x1a\n" + b"\x00" * (PHOTO_BYTES - 8)
    body += f"\r\n--{BOUNDARY}--\r\n".encode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"POST /api/hunts/{HUNT}/submissions HTTP/1.1\r\nHost: bench\r\n{auth}"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


def half_send(port: int, head: bytes, body: bytes, sockets: list[socket.socket]) -> None:
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    sockets.append(connection)
    try:
        connection.sendall(head)
        view = memoryview(body)[:-1024]
        for start in range(0, len(view), 256 * 1024):
            connection.sendall(view[start : start + 256 * 1024])
    except OSError:
        pass  # the server may close a refused upload: the memory is what we measure


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def settle(pid: int, seconds: float = 5.0) -> float:
    """RSS once it stops falling (sampled every 0.5 s for `seconds`)."""
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(rss_mib(pid))
        time.sleep(0.5)
    return samples[-1]


def scenario(name: str, port: int, pid: int, token: str | None, n: int, photos: Path) -> None:
    head, body = upload(token)
    before = settle(pid, 2.0)
    sockets: list[socket.socket] = []
    threads = [
        threading.Thread(target=half_send, args=(port, head, body, sockets)) for _ in range(n)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    held = settle(pid, 2.0)
    on_disk_while_open = folder_bytes(photos) if photos.exists() else 0
    for connection in sockets:
        connection.close()
    after = settle(pid, 5.0)
    on_disk_after = folder_bytes(photos) if photos.exists() else 0
    print(
        f"{name:>9}: {n} half-sent uploads of {len(body) / 1e6:.1f} MB: "
        f"RSS before {before:.0f} MiB, "
        f"with the connections open {held:.0f} MiB, after they closed {after:.0f} MiB; "
        f"photo folder {on_disk_while_open / 1e6:.1f} MB while open, "
        f"{on_disk_after / 1e6:.1f} MB after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db = Path(directory) / "bench.db"
        port = free_port()
        log = (Path(directory) / "server.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "questline", "serve", "--db", str(db), "--port", str(port)],
            env={**os.environ, "QUESTLINE_ORGANIZER_TOKEN": TOKEN},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(port, server)
            call(port, "POST", "/api/hunts", live_hunt(), TOKEN)
            team = call(port, "POST", f"/api/hunts/{HUNT}/teams", {"name": "bench"}, None)
            photos = Path(directory) / "bench.db.photos"
            scenario("anonymous", port, server.pid, None, args.connections, photos)
            scenario("team", port, server.pid, team["token"], args.connections, photos)
        finally:
            server.terminate()
            server.wait(30)
            log.close()


if __name__ == "__main__":
    main()
