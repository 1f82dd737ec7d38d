"""Hostile load against a real `questline serve` (issue 12): how /healthz answers and
how much memory the server process holds before, during and after each attack:

  (c) 500 idle SSE streams held open;
  (d) a registration flood: anonymous registrations at 200/s from one address;
  (b) 40 uploads that declare 10 MB, send half and are dropped;
  (e) 20 header lines of 5 MB that never end (slow and big headers);
  (a) answers of 28 `a`s to a clue whose accept_regex is `(a+)+b` (with a
      backtracking regex engine the writer holds the GIL for many seconds).

Each attack runs against a fresh server and database.

/healthz is probed every 20 ms on a keep-alive connection by a thread of this
process; RSS is the server's VmRSS from /proc. The attack clients run in this
process too, on the same cores as the server: say so when quoting the figures.

    uv run python -m questline.bench.hostile [--quick] [--root .]

writes bench/results/hostile.json (docs/security.md quotes it)."""

import argparse
import asyncio
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from questline.bench.common import Paths, Result, load_average, percentiles, write_result

TOKEN = "qlo_hostile-bench-organizer-token"
ORG = {"Authorization": f"Bearer {TOKEN}"}
HUNT = "hostile"
MB = 1_000_000


def hunt_document() -> dict[str, Any]:
    """Live for a century; no attempt limit worth speaking of, so every answer is matched."""
    return {
        "hunt": {
            "id": HUNT,
            "title": "Hostile",
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2126-01-01T00:00:00Z",
            "attempts": {"wrong_per_minute": 1000},
        },
        "clues": [
            {
                "id": "regex",
                "points": 10,
                "answer": {"kind": "text", "accept_regex": ["(a+)+b"]},
            },
            {"id": "selfie", "points": 10, "answer": {"kind": "photo"}},
        ],
    }


# -- the server and what we watch ------------------------------------------------------


@dataclass
class Server:
    process: "subprocess.Popen[bytes]"
    host: str
    port: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0


def start_server(db: Path) -> Server:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "questline", "serve", "--db", str(db), "--port", str(port)],
        env={**os.environ, "QUESTLINE_ORGANIZER_TOKEN": TOKEN, "QUESTLINE_LOG_LEVEL": "ERROR"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(process, "127.0.0.1", port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("questline serve did not come up")


@dataclass
class Probe:
    """/healthz every 20 ms on one keep-alive connection, and the server's RSS with it."""

    server: Server
    latencies_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    failures: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Probe":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        connection: http.client.HTTPConnection | None = None
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(
                        self.server.host, self.server.port, timeout=30
                    )
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.failures += 1
            except OSError:
                self.failures += 1
                connection = None
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.rss_mb.append(self.server.rss_mb())
            self._stop.wait(0.02)

    def summary(self) -> Result:
        p50, p99 = percentiles(self.latencies_ms, 50, 99)
        return {
            "probes": len(self.latencies_ms),
            "failures": self.failures,
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "max_ms": round(max(self.latencies_ms, default=0.0), 2),
            # A frozen server answers one probe late rather than many probes slowly, so
            # the percentiles hide a freeze: the seconds spent waiting past 100 ms show it.
            "over_100ms": sum(ms > 100 for ms in self.latencies_ms),
            "stalled_s": round(sum(ms - 100 for ms in self.latencies_ms if ms > 100) / 1000, 2),
        }


def error_counts(server: Server) -> dict[str, float]:
    """The server's own count of error answers (questline_http_errors_total), by
    kind/status/code: what it logged and counted, as an operator would see it."""
    text = httpx.get(f"{server.base}/metrics", timeout=30).text
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("questline_http_errors_total{"):
            labels, _, value = line.rpartition(" ")
            parsed = dict(
                part.split("=", 1)
                for part in labels[len("questline_http_errors_total{") : -1].split(",")
            )
            key = "/".join(parsed.get(k, "").strip('"') for k in ("kind", "status", "code"))
            counts[key] = float(value)
    return counts


def measure(
    server: Server, name: str, attack: Callable[[], Coroutine[Any, Any, Result]], settle_s: float
) -> Result:
    """Quiet probes, then probes while the attack runs, then RSS once it has settled."""
    with Probe(server) as quiet:
        time.sleep(settle_s)
    with Probe(server) as during:
        details = asyncio.run(attack())
    time.sleep(settle_s)  # connections closed, buffers freed (or not)
    with Probe(server) as after:
        time.sleep(settle_s)
    result: Result = {
        "attack": name,
        "errors_counted": error_counts(server),
        "healthz_before": quiet.summary(),
        "healthz_during": during.summary(),
        "healthz_after": after.summary(),
        "rss_mb_before": quiet.rss_mb[-1] if quiet.rss_mb else server.rss_mb(),
        "rss_mb_peak": max(during.rss_mb, default=0.0),
        "rss_mb_after": after.rss_mb[-1] if after.rss_mb else server.rss_mb(),
        "details": details,
    }
    print(
        f"{name}: healthz p99 {result['healthz_before']['p99_ms']} -> "
        f"{result['healthz_during']['p99_ms']} ms (max {result['healthz_during']['max_ms']}, "
        f"stalled {result['healthz_during']['stalled_s']} s), "
        f"RSS {result['rss_mb_before']} -> peak {result['rss_mb_peak']} -> "
        f"{result['rss_mb_after']} MB; {details}",
        flush=True,
    )
    return result


# -- the attacks ---------------------------------------------------------------------


async def _connect(server: Server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(server.host, server.port)


def idle_streams(
    server: Server, count: int, hold_s: float
) -> Callable[[], Coroutine[Any, Any, Result]]:
    async def attack() -> Result:
        opened: list[asyncio.StreamWriter] = []
        statuses: Counter[str] = Counter()
        for _ in range(count):
            reader, writer = await _connect(server)
            writer.write(f"GET /api/hunts/{HUNT}/stream HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 30)
            statuses[status_line.split(b" ")[1].decode() if status_line else "closed"] += 1
            opened.append(writer)
        await asyncio.sleep(hold_s)
        still_open = sum(not w.is_closing() for w in opened)
        for writer in opened:
            writer.close()
        return {"streams": count, "held_s": hold_s, "statuses": dict(statuses), "open": still_open}

    return attack


def registration_flood(
    server: Server, rate: float, seconds: float
) -> Callable[[], Coroutine[Any, Any, Result]]:
    async def attack() -> Result:
        statuses: Counter[int] = Counter()
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=30) as client:

            async def one(n: int) -> None:
                response = await client.post(
                    f"/api/hunts/{HUNT}/teams", json={"name": f"Flood {n}"}
                )
                statuses[response.status_code] += 1

            started = time.monotonic()
            tasks: list[asyncio.Task[None]] = []
            n = 0
            while (elapsed := time.monotonic() - started) < seconds:
                while n < elapsed * rate:
                    tasks.append(asyncio.create_task(one(n)))
                    n += 1
                await asyncio.sleep(0.005)
            await asyncio.gather(*tasks)
            took = time.monotonic() - started
            board = (await client.get(f"/api/hunts/{HUNT}/leaderboard?limit=1")).json()
        return {
            "sent": n,
            "seconds": round(took, 1),
            "rate_per_s": rate,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "teams_on_board": board["total"],
        }

    return attack


def half_sent_uploads(
    server: Server, token: str, count: int, declared: int, sent: int, hold_s: float
) -> Callable[[], Coroutine[Any, Any, Result]]:
    async def attack() -> Result:
        boundary = "hostile-boundary"
        head = (
            f"POST /api/hunts/{HUNT}/submissions HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {declared}\r\n\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="clue"\r\n\r\nselfie\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        piece = b"\x89PNG\r\n\x1a\n" + b"\0" * (64 * 1024 - 8)
        writers: list[asyncio.StreamWriter] = []

        async def upload() -> None:
            _, writer = await _connect(server)
            writers.append(writer)
            writer.write(head)
            for _ in range(sent // len(piece)):
                writer.write(piece)
                await writer.drain()

        started = time.monotonic()
        await asyncio.gather(*(upload() for _ in range(count)))
        sending_s = time.monotonic() - started
        await asyncio.sleep(hold_s)
        for writer in writers:
            writer.close()
        return {
            "uploads": count,
            "declared_bytes": declared,
            "sent_bytes_each": sent,
            "sending_s": round(sending_s, 2),
            "held_s": hold_s,
        }

    return attack


def unfinished_headers(
    server: Server, count: int, line_bytes: int, hold_s: float
) -> Callable[[], Coroutine[Any, Any, Result]]:
    async def attack() -> Result:
        statuses: Counter[str] = Counter()
        piece = b"a" * (64 * 1024)

        async def one() -> None:
            reader, writer = await _connect(server)
            try:
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ")
                for _ in range(line_bytes // len(piece)):
                    writer.write(piece)
                    await writer.drain()
                await asyncio.sleep(hold_s)  # the line never ends
            except OSError:  # cut off by the server
                pass
            try:
                line = await asyncio.wait_for(reader.readline(), 5)
                statuses[line.split(b" ")[1].decode() if line else "closed"] += 1
            except (OSError, TimeoutError):
                statuses["no answer"] += 1
            writer.close()

        await asyncio.gather(*(one() for _ in range(count)))
        return {"connections": count, "line_bytes": line_bytes, "statuses": dict(statuses)}

    return attack


def regex_answers(
    server: Server, tokens: list[str], length: int, seconds: float
) -> Callable[[], Coroutine[Any, Any, Result]]:
    async def attack() -> Result:
        statuses: Counter[str] = Counter()
        latencies: list[float] = []
        async with httpx.AsyncClient(base_url=server.base, timeout=120) as client:

            async def team(token: str) -> None:
                started = time.monotonic()
                while time.monotonic() - started < seconds:
                    sent = time.perf_counter()
                    try:
                        response = await client.post(
                            f"/api/hunts/{HUNT}/submissions",
                            json={"clue": "regex", "answer": "a" * length},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                        statuses[str(response.status_code)] += 1
                    except httpx.TransportError as error:  # e.g. an idle connection closed
                        statuses[type(error).__name__] += 1
                    latencies.append((time.perf_counter() - sent) * 1000)

            await asyncio.gather(*(team(t) for t in tokens))
        return {
            "answer": f"{length} x 'a'",
            "regex": "(a+)+b",
            "teams": len(tokens),
            "statuses": dict(sorted(statuses.items())),
            "submission_ms_max": round(max(latencies, default=0.0), 1),
        }

    return attack


# -- the run ---------------------------------------------------------------------------


AttackFactory = Callable[[Server, list[str], float], Callable[[], Coroutine[Any, Any, Result]]]
ATTACKS: list[tuple[str, AttackFactory]] = [
    ("idle_streams", lambda server, tokens, scale: idle_streams(server, 500, 10 * scale)),
    (
        "registration_flood",
        lambda server, tokens, scale: registration_flood(server, 200, 15 * scale),
    ),
    (
        "half_sent_uploads",
        lambda server, tokens, scale: half_sent_uploads(
            server, tokens[0], 40, 10 * MB, 5 * MB, 5 * scale
        ),
    ),
    (
        "unfinished_headers",
        lambda server, tokens, scale: unfinished_headers(server, 20, 5 * MB, 5 * scale),
    ),
    ("regex", lambda server, tokens, scale: regex_answers(server, tokens, 28, 20 * scale)),
]


def run(quick: bool) -> Result:
    """Each attack on a fresh server and database, so each one's memory is its own."""
    scale = 0.4 if quick else 1.0
    settle = 2.0 if quick else 4.0
    results: list[Result] = []
    for name, factory in ATTACKS:
        with tempfile.TemporaryDirectory(prefix="questline-hostile-") as folder:
            server = start_server(Path(folder) / "hostile.db")
            try:
                with httpx.Client(base_url=server.base, timeout=30) as client:
                    created = client.post("/api/hunts", json=hunt_document(), headers=ORG)
                    if created.status_code != 201:
                        raise RuntimeError(f"could not create the hunt: {created.text}")
                    tokens = [
                        client.post(f"/api/hunts/{HUNT}/teams", json={"name": f"Team {n}"}).json()[
                            "token"
                        ]
                        for n in range(2)
                    ]
                results.append(measure(server, name, factory(server, tokens, scale), settle))
            finally:
                server.process.terminate()
                try:
                    server.process.wait(60)
                except subprocess.TimeoutExpired:
                    server.process.kill()
    return {"attacks": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter attacks")
    parser.add_argument("--root", type=Path, default=Path("."), help="where bench/results is")
    args = parser.parse_args()
    before = load_average()
    body = run(args.quick)
    target = write_result(Paths(args.root.resolve()), "hostile", args.quick, body, before)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
