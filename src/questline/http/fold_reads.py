"""Reading a hunt's folds (engine/hunt_folds.py: the ledger, the fair-play flags) off
the event loop, one read at a time. Catching a fold up reads the log (the first read
replays the whole hunt), which must not stall other requests; and a fold must not be
read while another thread folds new events into it."""

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from questline.domain.fair_play import FairPlay
from questline.domain.ledger import HuntLedger
from questline.http.endpoint import Call
from questline.http.errors import not_found

T = TypeVar("T")
_reading = threading.Lock()


async def on_ledger(call: Call, read: Callable[[HuntLedger], T]) -> T:
    def run() -> T:
        with _reading:
            ledger = call.services.folds.ledger(call.hunt_id)
            if ledger is None:  # a hunt row without events: only while a cluster catches up
                raise not_found(
                    "unknown_hunt", f"the log of hunt {call.hunt_id!r} is not readable yet"
                )
            return read(ledger)

    return await asyncio.to_thread(run)


async def on_fair_play(call: Call, read: Callable[[FairPlay | None], T]) -> T:
    def run() -> T:
        with _reading:
            return read(call.services.folds.fair_play(call.hunt_id))

    return await asyncio.to_thread(run)
