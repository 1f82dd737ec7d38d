"""A load-generating client process for the http suite (aiohttp, its own GIL).

python -m questline.bench.http_client '{"url":..., "mode": "open"|"closed", ...}'
prints one JSON line: sent, completed, statuses, seconds, p50/p95/p99 (ms)."""

import asyncio
import json
import random
import sys
import time
from typing import Any

import aiohttp

from questline.bench.common import percentiles
from questline.loadgen.latency import LatencyRecorder
from questline.loadgen.open_loop import Action, run_open_loop


def _request_maker(
    session: aiohttp.ClientSession, spec: dict[str, Any]
) -> tuple[Any, random.Random]:
    rng = random.Random(spec.get("seed", 1))
    base = spec["url"]
    target = spec["target"]
    hunts: list[str] = spec.get("hunts", [])
    per_hunt: int = spec.get("per_hunt", 1)

    async def noop() -> str:
        async with session.get(f"{base}/api/noop") as response:
            await response.read()
            return str(response.status)

    async def submit() -> str:
        hunt_index = rng.randrange(len(hunts))
        team = rng.randrange(per_hunt)
        token = f"bench-{team * len(hunts) + hunt_index}"
        clue = f"c{rng.choice((0, 1, 3))}"  # text clues open from the start
        answer = f"answer {clue[1:]}" if rng.random() < 0.1 else f"wrong {rng.randrange(1000)}"
        async with session.post(
            f"{base}/api/hunts/{hunts[hunt_index]}/submissions",
            json={"clue": clue, "answer": answer},
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            await response.read()
            return str(response.status)

    return (noop if target == "noop" else submit), rng


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=spec.get("connections", 256))
    async with aiohttp.ClientSession(connector=connector) as session:
        make, _ = _request_maker(session, spec)
        recorder = LatencyRecorder(window_seconds=1e9, keep_all=True)
        duration = float(spec["duration"])
        started = time.monotonic()
        if spec["mode"] == "open":

            def next_action() -> Action:
                return make  # type: ignore[no-any-return]

            await run_open_loop(float(spec["rate"]), next_action, recorder, duration=duration)
        else:
            deadline = started + duration

            async def worker() -> None:
                while time.monotonic() < deadline:
                    began = time.monotonic()
                    try:
                        status = await make()
                    except Exception as error:
                        status = type(error).__name__
                    recorder.sent += 1
                    recorder.record(time.monotonic() - began, status)

            await asyncio.gather(*(worker() for _ in range(spec.get("concurrency", 64))))
        seconds = time.monotonic() - started
    p50, p95, p99 = percentiles(recorder.all_latencies, 50, 95, 99)
    ok = sum(n for status, n in recorder.statuses.items() if status.startswith("2"))
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
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    print(json.dumps(asyncio.run(_main(spec))))


if __name__ == "__main__":
    main()
