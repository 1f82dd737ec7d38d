"""Open-loop load: actions start at a fixed arrival rate whatever the server does,
and latency is measured from the intended start, so queueing shows up in it
(no coordinated omission)."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from questline.loadgen.latency import LatencyRecorder

Action = Callable[[], Awaitable[str]]  # performs one request, returns an outcome label


async def run_open_loop(
    rate: float,
    next_action: Callable[[], Action | None],
    recorder: LatencyRecorder,
    *,
    duration: float | None = None,
    max_in_flight: int = 2000,
    stop: asyncio.Event | None = None,
) -> None:
    """Start `next_action()` at `rate` per second until duration ends or stop is set."""
    interval = 1.0 / rate
    started = time.monotonic()
    in_flight: set[asyncio.Task[None]] = set()
    index = 0

    async def timed(action: Action, intended: float) -> None:
        try:
            status = await action()
        except Exception as error:  # a failed request is an outcome, not a crash
            status = type(error).__name__
        done = time.monotonic()
        recorder.record(done - intended, status, done)

    while True:
        intended = started + index * interval
        if duration is not None and intended - started >= duration:
            break
        if stop is not None and stop.is_set():
            break
        delay = intended - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the arrivals, not synchronising anything
        index += 1
        action = next_action()
        if action is None:
            continue
        recorder.sent += 1
        if len(in_flight) >= max_in_flight:
            recorder.record(time.monotonic() - intended, "shed_by_client")
            continue
        task = asyncio.create_task(timed(action, intended))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.gather(*in_flight, return_exceptions=True)
