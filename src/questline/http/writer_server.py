"""The one writer's door for the HTTP processes of `serve --workers N`: a local socket
where each process sends its commands to the group committer and gets their outcomes
back once committed, and where every committed batch is told to every process (for
their live streams and read caches), as the engine tells its batch listeners.

Threads, not an event loop: a connection has a reader (decode, submit) and a sender
(whatever has queued up, as one frame); the writer's thread only puts answers and the
batch on the senders' queues, so a slow HTTP process never stops the writer."""

import contextlib
import logging
import queue
import socket
import threading
from concurrent.futures import Future
from pathlib import Path

import msgspec

from questline.domain.projections.rows import Changes
from questline.http import writer_protocol as wire
from questline.ports import (
    CommandBus,
    EngineStopped,
    Outcome,
    Overloaded,
    reason_of,
)

log = logging.getLogger(__name__)

_CLOSE = object()


class WriterServer:
    def __init__(self, path: Path, committer: CommandBus) -> None:
        self.path = path
        self.committer = committer
        self._listening: socket.socket | None = None
        self._connections: set[_Connection] = set()
        self._lock = threading.Lock()
        self._accepting = threading.Thread(
            target=self._accept, name="questline-writer-door", daemon=True
        )

    def start(self) -> None:
        """Listen at `path` (a stale socket file of a stopped server is replaced; a live
        one means another server writes this database: refused)."""
        if self.path.exists():
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(str(self.path))
                except OSError:
                    self.path.unlink()
                else:
                    raise RuntimeError(f"another server is writing through {self.path}")
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listening.bind(str(self.path))
        listening.listen(64)
        self._listening = listening
        self.committer.listeners.append(self.on_batch)
        self._accepting.start()

    def stop(self) -> None:
        """Stop listening and close every connection (after the committer drained)."""
        if self._listening is not None:
            with contextlib.suppress(OSError):
                self._listening.shutdown(socket.SHUT_RDWR)
            self._listening.close()
            self._accepting.join(5)
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def on_batch(self, outcomes: list[Outcome], changes: Changes) -> None:
        """A batch listener: the batch goes to every connected process."""
        with self._lock:
            connections = list(self._connections)
        if not connections:
            return
        batch = wire.Batch.of(outcomes, changes)
        if not batch.events and not batch.hunts and not batch.boards:
            return
        encoded = wire.encoded(batch)  # once, whatever the number of processes
        for connection in connections:
            connection.outbox.put(encoded)

    def _accept(self) -> None:
        assert self._listening is not None
        while True:
            try:
                sock, _ = self._listening.accept()
            except OSError:  # stopped
                return
            connection = _Connection(sock, self)
            with self._lock:
                self._connections.add(connection)
            connection.start()

    def _gone(self, connection: "_Connection") -> None:
        with self._lock:
            self._connections.discard(connection)


class _Connection:
    def __init__(self, sock: socket.socket, server: WriterServer) -> None:
        self.sock = sock
        self.server = server
        self.outbox: queue.SimpleQueue[wire.Answer | msgspec.Raw | object] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, name="questline-door-in", daemon=True)
        self._sender = threading.Thread(target=self._send, name="questline-door-out", daemon=True)

    def start(self) -> None:
        self._reader.start()
        self._sender.start()

    def close(self) -> None:
        self.outbox.put(_CLOSE)
        self._sender.join(5)
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def _read(self) -> None:
        committer = self.server.committer
        try:
            while (frame := wire.receive(self.sock)) is not None:
                for request in wire.to_writer.decode(frame).requests:
                    self._submit(committer, request)
        except Exception as error:  # a broken frame or connection: drop this process
            log.warning("an HTTP process's connection to the writer failed: %r", error)
        finally:
            self.server._gone(self)
            self.outbox.put(_CLOSE)

    def _submit(self, committer: CommandBus, request: wire.Request) -> None:
        seq = request.seq
        try:
            future = committer.submit(request.envelope)
        except Overloaded as overloaded:
            self.outbox.put(
                wire.Answer(
                    seq, refusal="overloaded", reason=str(overloaded), depth=overloaded.depth
                )
            )
            return
        except EngineStopped as stopped:
            self.outbox.put(wire.Answer(seq, refusal="stopped", reason=str(stopped)))
            return
        future.add_done_callback(lambda done: self.outbox.put(_answer(seq, done)))

    def _send(self) -> None:
        closing = False
        while not closing:
            items = [self.outbox.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    items.append(self.outbox.get_nowait())
            answers: list[wire.Answer] = []
            batches: list[msgspec.Raw] = []
            for item in items:
                if isinstance(item, wire.Answer):
                    answers.append(item)
                elif isinstance(item, msgspec.Raw):
                    batches.append(item)
                else:
                    closing = True
            if not answers and not batches:
                continue
            try:
                wire.send(self.sock, wire.FromWriter(answers, batches))
            except OSError:
                return  # the process went away; its reader ends the connection


def _answer(seq: int, done: "Future[Outcome]") -> wire.Answer:
    if done.cancelled():
        return wire.Answer(seq, refusal="failed", reason="cancelled")
    error = done.exception()
    if error is not None:
        return wire.Answer(seq, refusal="failed", reason=reason_of(error))
    return wire.Answer(seq, outcome=done.result())
