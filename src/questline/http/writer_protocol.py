"""What the HTTP processes of `serve --workers N` and their one writer say to each other
over the local socket: commands in, outcomes and committed batches out.

A frame is a 4-byte big-endian length and a msgpack body. Both sides send whatever has
queued up as ONE frame (many commands, or many answers and batches): a busy server
pays one system call and one encode per batch, not per command.

A committed batch carries what the HTTP processes' live streams and read caches are
told by the engine's batch listeners in one process: the batch's events, and the rows
of the two tables they read from the changes (`hunts`, `leaderboard_live`); the other
changed rows stay in the writer (the processes read them from SQLite)."""

import socket
import struct
from typing import Literal

import msgspec

from questline.domain.events import RecordedEvent
from questline.domain.projections.rows import Changes, HuntRow, LeaderboardRow
from questline.ports import CommandEnvelope, Outcome

_LENGTH = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024  # a sanity bound; a frame is whatever queued up

# Why the writer did not decide a command (the HTTP process raises its own exception).
Refusal = Literal["overloaded", "stopped", "failed"]


class Request(msgspec.Struct, array_like=True, frozen=True):
    seq: int  # the HTTP process's number for the command, echoed in the answer
    envelope: CommandEnvelope


class Answer(msgspec.Struct, array_like=True, frozen=True):
    seq: int
    outcome: Outcome | None = None
    refusal: Refusal | None = None
    reason: str = ""
    depth: int = 0  # the writer's queue, when it refused as overloaded


class Batch(msgspec.Struct, array_like=True, frozen=True):
    """A committed batch, as its listeners need it (see the module's docstring)."""

    events: list[RecordedEvent]
    hunts: list[tuple[str, str, HuntRow | None]]
    boards: list[tuple[str, str, LeaderboardRow | None]]

    @classmethod
    def of(cls, outcomes: list[Outcome], changes: Changes) -> "Batch":
        hunts: list[tuple[str, str, HuntRow | None]] = []
        boards: list[tuple[str, str, LeaderboardRow | None]] = []
        for (table, hunt_id, key), row in changes.items():
            if table == "hunts" and (row is None or isinstance(row, HuntRow)):
                hunts.append((hunt_id, key, row))
            elif table == "leaderboard_live" and (row is None or isinstance(row, LeaderboardRow)):
                boards.append((hunt_id, key, row))
        events = [recorded for outcome in outcomes for recorded in outcome.events]
        return cls(events, hunts, boards)

    def listened(self) -> tuple[list[Outcome], Changes]:
        """The batch as a batch listener takes it (one outcome per event, as a tail)."""
        changes: Changes = {}
        for hunt_id, key, hunt in self.hunts:
            changes["hunts", hunt_id, key] = hunt
        for hunt_id, key, board in self.boards:
            changes["leaderboard_live", hunt_id, key] = board
        outcomes = [Outcome(recorded.command_id, events=(recorded,)) for recorded in self.events]
        return outcomes, changes


class ToWriter(msgspec.Struct, array_like=True, frozen=True):
    requests: list[Request]


class FromWriter(msgspec.Struct, array_like=True, frozen=True):
    answers: list[Answer]
    # Each an encoded `Batch`: encoded once by the writer for every process it goes to.
    batches: list[msgspec.Raw]


_encoder = msgspec.msgpack.Encoder()
to_writer = msgspec.msgpack.Decoder(ToWriter)
from_writer = msgspec.msgpack.Decoder(FromWriter)
batch = msgspec.msgpack.Decoder(Batch)


def encoded(committed: Batch) -> msgspec.Raw:
    return msgspec.Raw(_encoder.encode(committed))


def send(sock: socket.socket, message: ToWriter | FromWriter) -> None:
    body = _encoder.encode(message)
    sock.sendall(_LENGTH.pack(len(body)) + body)


def receive(sock: socket.socket) -> bytes | None:
    """The next frame's body; None when the other side closed the connection."""
    head = _read_exactly(sock, _LENGTH.size)
    if head is None:
        return None
    (length,) = _LENGTH.unpack(head)
    if length > MAX_FRAME:
        raise ValueError(f"a frame of {length} bytes is past the bound of {MAX_FRAME}")
    return _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    read = 0
    while read < size:
        got = sock.recv_into(view[read:], size - read)
        if got == 0:
            return None
        read += got
    return bytes(buffer)
