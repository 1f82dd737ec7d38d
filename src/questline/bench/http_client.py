"""A load-generating client process for the http suite (raw_http.py, its own GIL).

python -m questline.bench.http_client '{"url":..., "mode": "open"|"closed", ...}'
prints one JSON line: sent, completed, statuses, seconds, p50/p95/p99 (ms), and the
latencies of admitted requests (every answer but 503) and of refused ones apart.
Closed-loop workers wait out a 503's Retry-After, with jitter, as real clients do;
open-loop arrivals are each new (a refusal is counted, not retried)."""

import asyncio
import json
import os
import random
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from questline.bench import raw_http
from questline.bench.common import percentiles
from questline.loadgen.backoff import retry_delay
from questline.loadgen.latency import LatencyRecorder
from questline.loadgen.open_loop import Action, run_open_loop


def _request_maker(pool: raw_http.Pool, spec: dict[str, Any]) -> Any:
    rng = random.Random(spec.get("seed", 1))
    target = spec["target"]
    hunts: list[str] = spec.get("hunts", [])
    per_hunt: int = spec.get("per_hunt", 1)
    noop_request = raw_http.get("/api/noop")

    async def noop() -> str:
        return await pool.request(noop_request)

    async def submit() -> str:
        hunt_index = rng.randrange(len(hunts))
        team = rng.randrange(per_hunt)
        token = f"bench-{team * len(hunts) + hunt_index}"
        clue = f"c{rng.choice((0, 1, 3))}"  # text clues open from the start
        answer = f"answer {clue[1:]}" if rng.random() < 0.1 else f"wrong {rng.randrange(1000)}"
        body = f'{{"clue":"{clue}","answer":"{answer}"}}'.encode()
        return await pool.request(
            raw_http.post_json(
                f"/api/hunts/{hunts[hunt_index]}/submissions",
                body,
                {"authorization": f"Bearer {token}"},
            )
        )

    return noop if target == "noop" else submit


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    url = urlsplit(spec["url"])
    pool = raw_http.Pool(url.hostname or "127.0.0.1", url.port or 80, spec.get("connections", 512))
    try:
        make = _request_maker(pool, spec)
        recorder = LatencyRecorder(window_seconds=1e9, keep_all=True)
        duration = float(spec["duration"])
        started = time.monotonic()
        if spec["mode"] == "open":

            def next_action() -> Action:
                return make  # type: ignore[no-any-return]

            await run_open_loop(float(spec["rate"]), next_action, recorder, duration=duration)
        else:
            deadline = started + duration
            jitter = random.Random(spec.get("seed", 1) + 1000)

            async def worker() -> None:
                while time.monotonic() < deadline:
                    began = time.monotonic()
                    try:
                        status = await make()
                    except Exception as error:
                        status = type(error).__name__
                    recorder.sent += 1
                    recorder.record(time.monotonic() - began, status)
                    if status.startswith("503"):
                        wait = retry_delay(status[4:] or None, jitter)
                        await asyncio.sleep(min(wait, max(deadline - time.monotonic(), 0)))

            await asyncio.gather(*(worker() for _ in range(spec.get("concurrency", 64))))
        seconds = time.monotonic() - started
    finally:
        pool.close()
    p50, p95, p99 = percentiles(recorder.all_latencies, 50, 95, 99)
    ok = sum(n for status, n in recorder.statuses.items() if status.startswith("2"))
    admitted = [
        latency
        for status, latencies in recorder.by_status.items()
        if not status.startswith("503") and status != "shed_by_client"
        for latency in latencies
    ]
    refused = [
        latency
        for status, latencies in recorder.by_status.items()
        if status.startswith("503")
        for latency in latencies
    ]
    return {
        "sent": recorder.sent,
        "completed": recorder.completed,
        "ok": ok,
        "statuses": dict(recorder.statuses),
        "seconds": round(seconds, 3),
        "ok_per_second": round(ok / seconds, 1),
        "p50_ms": round(p50 * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "admitted": len(admitted),
        "admitted_latencies_ms": [round(x * 1000, 2) for x in admitted],
        "refused": len(refused),
        "refused_latencies_ms": [round(x * 1000, 2) for x in refused],
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    import uvloop  # the client's own CPU is what it must not spend

    result = json.dumps(uvloop.run(_main(spec))).encode() + b"\n"
    # After uvloop has run, a write to the stdout pipe may take only 64 KiB of a larger
    # result, and print() then lost the rest without an error (the suite read half a
    # line): write it all ourselves, on a blocking descriptor.
    out = sys.stdout.fileno()
    os.set_blocking(out, True)
    view = memoryview(result)
    while view:
        view = view[os.write(out, view) :]


if __name__ == "__main__":
    main()
