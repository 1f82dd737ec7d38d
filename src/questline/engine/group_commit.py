"""Group commit: callers on any thread enqueue commands; one writer thread takes
whatever has queued up (up to a batch size), runs it as one engine batch (one
transaction, at most one fsync) and only then completes the callers' futures."""

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from questline.domain.projections.rows import Changes
from questline.engine.envelopes import CommandEnvelope, Outcome
from questline.engine.hunt_engine import HuntEngine

log = logging.getLogger(__name__)

# Told of every committed batch, on the writer thread: must not block.
BatchListener = Callable[[list[Outcome], Changes], None]


class Overloaded(Exception):
    """The command queue is full: shed load instead of queueing without bound."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        super().__init__(f"the engine has {depth} commands waiting; try again shortly")


class EngineStopped(Exception):
    pass


_STOP = object()


class GroupCommitter:
    def __init__(self, engine: HuntEngine, *, max_batch: int = 1000, max_queue: int = 20_000):
        self.engine = engine
        self.max_batch = max_batch
        self.max_queue = max_queue
        self._queue: queue.SimpleQueue[tuple[CommandEnvelope, Future[Outcome]] | object] = (
            queue.SimpleQueue()
        )
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
        self._queue.put((envelope, future))
        return future

    async def execute(self, envelope: CommandEnvelope) -> Outcome:
        return await asyncio.wrap_future(self.submit(envelope))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            batch: list[tuple[CommandEnvelope, Future[Outcome]]] = []
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

    def _run_batch(self, batch: list[tuple[CommandEnvelope, Future[Outcome]]]) -> None:
        try:
            outcomes = self.engine.execute([envelope for envelope, _ in batch])
        except Exception as error:  # the batch did not commit: every caller learns it
            for _, future in batch:
                future.set_exception(error)
            return
        self.batches += 1
        self.commands += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
        for listener in self.listeners:
            try:
                listener(outcomes, self.engine.last_changes)
            except Exception:  # a listener's fault must not stop the writer
                log.exception("batch listener failed")
