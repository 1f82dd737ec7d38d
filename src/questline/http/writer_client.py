"""The command bus of an HTTP process of `serve --workers N`: commands go to the one
writer over its local socket (writer_server.py), batched per connection, and their
outcomes come back once committed; the committed batches the writer tells every
process go to this process's batch listeners (its live stream and read cache), on
the receiving thread, as the group committer calls them on the writer's."""

import contextlib
import itertools
import logging
import queue
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from pathlib import Path

from questline.http import writer_protocol as wire
from questline.ports import BatchListener, CommandEnvelope, EngineStopped, Outcome, Overloaded

log = logging.getLogger(__name__)

_STOP = object()


class WriterFailed(Exception):
    """The writer took the command but its batch did not commit."""


class WriterClient:
    def __init__(
        self,
        path: Path,
        *,
        max_pending: int = 20_000,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self.max_pending = max_pending
        # Called once if the writer goes away while this process serves (not on stop).
        self.on_lost = on_lost
        self.listeners: list[BatchListener] = []
        self._sock: socket.socket | None = None
        self._outbox: queue.SimpleQueue[wire.Request | object] = queue.SimpleQueue()
        self._pending: dict[int, Future[Outcome]] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._running = False
        self._stopping = False
        self.lost = False  # the writer went away while this process served
        self._receiver = threading.Thread(
            target=self._receive, name="questline-door-in", daemon=True
        )
        self._sender = threading.Thread(target=self._send, name="questline-door-out", daemon=True)

    def start(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(self.path))
        except OSError as error:
            sock.close()
            raise EngineStopped(f"the writer at {self.path} does not answer: {error}") from None
        self._sock = sock
        self._running = True
        self._receiver.start()
        self._sender.start()

    def stop(self) -> None:
        """Stop taking commands; those still waiting are told the engine stopped."""
        if self._sock is None or self._stopping:
            return
        self._stopping = True
        self._running = False
        self._outbox.put(_STOP)
        self._sender.join(5)
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._receiver.join(5)
        self._sock.close()
        self._fail_pending()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def depth(self) -> int:
        return len(self._pending)

    def submit(self, envelope: CommandEnvelope) -> Future[Outcome]:
        if not self._running:
            raise EngineStopped("the writer is not reachable and takes no commands")
        depth = len(self._pending)
        if depth >= self.max_pending:
            raise Overloaded(depth)
        future: Future[Outcome] = Future()
        seq = next(self._seq)
        with self._lock:
            self._pending[seq] = future
        self._outbox.put(wire.Request(seq, envelope))
        return future

    def _send(self) -> None:
        assert self._sock is not None
        while True:
            items = [self._outbox.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    items.append(self._outbox.get_nowait())
            requests = [item for item in items if isinstance(item, wire.Request)]
            if requests:
                try:
                    wire.send(self._sock, wire.ToWriter(requests))
                except OSError:
                    return  # the receiver sees the connection end
            if len(requests) < len(items):
                return

    def _receive(self) -> None:
        assert self._sock is not None
        try:
            while (frame := wire.receive(self._sock)) is not None:
                message = wire.from_writer.decode(frame)
                for encoded in message.batches:
                    self._tell(wire.batch.decode(encoded))
                for answer in message.answers:
                    self._answer(answer)
        except Exception as error:
            if not self._stopping:
                log.warning("the connection to the writer failed: %r", error)
        self._running = False
        self._fail_pending()
        if not self._stopping:
            self.lost = True
            log.error("the writer went away: this HTTP process takes no more commands")
            if self.on_lost is not None:
                self.on_lost()

    def _tell(self, batch: wire.Batch) -> None:
        outcomes, changes = batch.listened()
        for listener in self.listeners:
            try:
                listener(outcomes, changes)
            except Exception:  # a listener's fault must not stop the connection
                log.exception("batch listener failed")

    def _answer(self, answer: wire.Answer) -> None:
        with self._lock:
            future = self._pending.pop(answer.seq, None)
        if future is None:
            return
        with contextlib.suppress(InvalidStateError):  # its caller gave up waiting
            if answer.outcome is not None:
                future.set_result(answer.outcome)
            elif answer.refusal == "overloaded":
                future.set_exception(Overloaded(answer.depth))
            elif answer.refusal == "stopped":
                future.set_exception(EngineStopped(answer.reason))
            else:
                future.set_exception(WriterFailed(answer.reason))

    def _fail_pending(self) -> None:
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
        for future in pending:
            with contextlib.suppress(InvalidStateError):
                future.set_exception(EngineStopped("the writer went away before answering"))
