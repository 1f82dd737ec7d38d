"""Group commit: callers on any thread enqueue commands; one writer thread takes
whatever has queued up (up to a batch size), runs it as one engine batch (one
transaction, at most one fsync) and only then completes the callers' futures."""

import asyncio
import contextlib
import logging
import queue
import threading
import time
from concurrent.futures import Future, InvalidStateError

from questline.engine.hunt_engine import HuntEngine
from questline.observability import commands as observe
from questline.ports import (
    BatchListener,
    CommandEnvelope,
    EngineStopped,
    Outcome,
    Overloaded,
)

log = logging.getLogger(__name__)


_STOP = object()
Queued = tuple[CommandEnvelope, "Future[Outcome]", float]


class GroupCommitter:
    def __init__(self, engine: HuntEngine, *, max_batch: int = 1000, max_queue: int = 20_000):
        self.engine = engine
        self.max_batch = max_batch
        self.max_queue = max_queue
        # Each command with its future and when it was accepted (for the latency metric).
        self._queue: queue.SimpleQueue[Queued | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="questline-writer", daemon=True)
        self._running = False
        self.batches = 0
        self.commands = 0
        self.listeners: list[BatchListener] = []

    def start(self) -> None:
        self._running = True
        self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, commit it, then stop."""
        if not self._running:
            return
        self._running = False
        self._queue.put(_STOP)
        self._thread.join()

    @property
    def running(self) -> bool:
        return self._running and self._thread.is_alive()

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def submit(self, envelope: CommandEnvelope) -> Future[Outcome]:
        if not self._running:
            raise EngineStopped("the engine is stopping and takes no more commands")
        depth = self._queue.qsize()
        if depth >= self.max_queue:
            raise Overloaded(depth)
        future: Future[Outcome] = Future()
        self._queue.put((envelope, future, time.perf_counter()))
        observe.observe_submitted(depth + 1)
        return future

    async def execute(self, envelope: CommandEnvelope) -> Outcome:
        return await asyncio.wrap_future(self.submit(envelope))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            batch: list[Queued] = []
            if item is _STOP:
                stopping = True
            else:
                batch.append(item)  # type: ignore[arg-type]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    continue
                batch.append(item)  # type: ignore[arg-type]
            if batch:
                self._run_batch(batch)

    def _run_batch(self, batch: list[Queued]) -> None:
        timed = [(envelope, accepted_at) for envelope, _, accepted_at in batch]
        observe.take_commit_seconds(self.engine.store)  # only this batch's commit counts
        started = time.perf_counter()
        try:
            outcomes = self.engine.execute([envelope for envelope, _, _ in batch])
        except Exception as error:  # the batch did not commit: every caller learns it
            observe.take_commit_seconds(self.engine.store)
            for _, future, _ in batch:
                with contextlib.suppress(InvalidStateError):  # its caller gave up waiting
                    future.set_exception(error)
            observe.observe_batch_failed(timed, error)
            return
        acknowledged = time.perf_counter()
        self.batches += 1
        self.commands += len(batch)
        for (_, future, _), outcome in zip(batch, outcomes, strict=True):
            # A caller that timed out cancelled its future; the writer must live on.
            with contextlib.suppress(InvalidStateError):
                future.set_result(outcome)
        try:
            observe.observe_batch(
                timed,
                outcomes,
                execute_seconds=acknowledged - started,
                commit_seconds=observe.take_commit_seconds(self.engine.store),
                acknowledged_at=acknowledged,
                depth=self._queue.qsize(),
            )
        except Exception:  # observing must never stop the writer
            log.exception("recording the batch's metrics failed")
        for listener in self.listeners:
            try:
                listener(outcomes, self.engine.last_changes)
            except Exception:  # a listener's fault must not stop the writer
                log.exception("batch listener failed")
