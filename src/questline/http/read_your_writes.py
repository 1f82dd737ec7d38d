"""Read-your-writes on a node whose read side is written after its callers are answered.

An API node answers a command as soon as the worker's decided reply arrives; the
projector writes the read models to Cassandra a moment later. A caller who reads right
after its write must still see it. So the node remembers the highest version of each
hunt it answered a command with, and a read of that hunt waits until the read side
shows the hunt at that version (or `wait_s` passes: then it reads what is there).

Waiting costs nothing when the read side is caught up (a dict lookup), and a wait is
shared: one question to the store per hunt at a time, however many readers wait on it.
A read that names no hunt (the hunt list) waits for every hunt the node is ahead on.
The guarantee holds on the node that answered; docs/cluster.md says why that is what
a load balancer's sticky sessions give.

The embedded node needs none of this: its read models commit with the events."""

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from questline.domain.events import RecordedEvent
from questline.observability import metrics

log = logging.getLogger(__name__)

# The version of a hunt the read side shows now (0: none), asked in a thread.
ShownVersion = Callable[[str], int]


class ReadYourWrites:
    def __init__(
        self, shown_version: ShownVersion, *, poll_s: float = 0.005, wait_s: float = 5.0
    ) -> None:
        self._shown_version = shown_version
        self.poll_s = poll_s
        self.wait_s = wait_s
        self._answered: dict[str, int] = {}  # hunts the read side may not show yet
        self._shown: dict[str, int] = {}  # the newest version seen shown, per hunt
        self._asking: dict[str, asyncio.Task[int | None]] = {}

    def answered(self, events: Iterable[RecordedEvent]) -> None:
        """A command this node ran wrote these events; its caller is about to be told."""
        answered = self._answered
        for recorded in events:
            hunt_id = recorded.hunt_id
            if recorded.version > answered.get(hunt_id, 0):
                answered[hunt_id] = recorded.version

    def behind(self, hunt_id: str) -> bool:
        """Whether a read of the hunt would wait now."""
        need = self._answered.get(hunt_id)
        return need is not None and self._shown.get(hunt_id, 0) < need

    async def wait(self, hunt_id: str | None = None) -> None:
        """Until the read side shows what this node answered of the hunt (of every
        hunt, for None), or `wait_s` has passed."""
        hunts = [hunt_id] if hunt_id is not None else list(self._answered)
        needs = [(h, self._answered[h]) for h in hunts if self.behind(h)]
        if not needs:
            return
        started = time.monotonic()
        deadline = started + self.wait_s
        for hunt, need in needs:
            shown, asked = self._shown.get(hunt, 0), False
            while shown < need:
                if time.monotonic() >= deadline:
                    log.warning(
                        "hunt %s: the read side did not show version %d within %.1f s; "
                        "reading what it shows",
                        hunt,
                        need,
                        self.wait_s,
                    )
                    metrics.READ_WAITS.labels("gave_up").observe(time.monotonic() - started)
                    return
                if asked:  # the projector writes in batches: give it a moment
                    await asyncio.sleep(self.poll_s)
                answer = await self._ask(hunt)
                if answer is None:
                    return  # the store cannot be read: the read itself will say so
                shown, asked = answer, True
        metrics.READ_WAITS.labels("shown").observe(time.monotonic() - started)
        self._forget_caught_up()

    async def _ask(self, hunt_id: str) -> int | None:
        task = self._asking.get(hunt_id)
        if task is None:
            task = self._asking[hunt_id] = asyncio.ensure_future(self._read_shown(hunt_id))
        return await asyncio.shield(task)

    async def _read_shown(self, hunt_id: str) -> int | None:
        try:
            version = await asyncio.to_thread(self._shown_version, hunt_id)
        except Exception as error:
            log.warning("reading hunt %s's version from the read side failed: %s", hunt_id, error)
            return None
        finally:  # before its waiters resume: the next question is a new one
            del self._asking[hunt_id]
        if version > self._shown.get(hunt_id, 0):
            self._shown[hunt_id] = version
        return self._shown.get(hunt_id, 0)

    def _forget_caught_up(self) -> None:
        """Hunts the read side has caught up with need no entry (keeps both maps small)."""
        for hunt in [h for h, need in self._answered.items() if self._shown.get(h, 0) >= need]:
            del self._answered[hunt]
            self._shown.pop(hunt, None)
