"""Server-Sent Events per hunt: leaderboard changes, announcements, state
changes, and a team's own events to that team only.

The writer thread hands each committed batch over with a non-blocking call;
every subscriber has a bounded queue, and one that falls behind is dropped
(it reconnects with Last-Event-ID) so a slow client never slows the engine.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from questline.domain.events import (
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    HintUnlocked,
    HuntPaused,
    HuntResumed,
    KeptGoing,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
    ScoreAdjusted,
)
from questline.domain.projections.rows import Changes, LeaderboardRow
from questline.domain.standings import changes_standings
from questline.domain.timestamps import to_rfc3339
from questline.ports import Outcome

QUEUE_BOUND = 512
_encoder = msgspec.json.Encoder()
_CLOSE = object()

Audience = str  # "public", "organizer", or "team:<id>"


@dataclass(slots=True)
class Message:
    id: int
    event: str
    data: dict[str, Any]
    audience: Audience = "public"

    def encode(self) -> bytes:
        return (
            f"id: {self.id}\nevent: {self.event}\ndata: ".encode()
            + _encoder.encode(self.data)
            + b"\n\n"
        )


@dataclass(eq=False, slots=True)
class Subscriber:
    hunt_id: str
    team_id: str | None
    organizer: bool
    frozen: Callable[[], bool]  # whether the public board is frozen right now
    queue: asyncio.Queue[Message | object] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_BOUND)
    )
    dropped: bool = False

    def wants(self, message: Message) -> bool:
        if message.audience == "public":
            return not (message.event == "leaderboard" and not self.organizer and self.frozen())
        if message.audience == "organizer":
            return self.organizer
        return message.audience == f"team:{self.team_id}"


def messages_for(event: RecordedEvent) -> list[Message]:
    """The stream messages one event gives, if any."""
    e = event.event
    base = {"version": event.version, "time": to_rfc3339(event.time)}
    position = event.position
    if isinstance(e, AnnouncementMade):
        return [Message(position, "announcement", {**base, "text": e.text})]
    if isinstance(e, HuntPaused | HuntResumed):
        state = "paused" if isinstance(e, HuntPaused) else "resumed"
        return [Message(position, "state", {**base, "state": state})]
    team_event: dict[str, Any] | None = None
    team_id: str | None = None
    if isinstance(e, ClueSolved):
        team_id = e.team_id
        team_event = {"type": "solved", "clue": e.clue_id, "points": e.points, "bonus": e.bonus}
    elif isinstance(e, HintUnlocked):
        team_id = e.team_id
        team_event = {"type": "hint_unlocked", "clue": e.clue_id, "hint": e.hint_id}
    elif isinstance(e, AnswerWrong | KeptGoing):
        team_id = e.team_id
        kind = "incorrect" if isinstance(e, AnswerWrong) else "keep_going"
        team_event = {"type": kind, "clue": e.clue_id}
    elif isinstance(e, PhotoSubmitted):
        team_id = e.team_id
        team_event = {"type": "photo_waiting", "clue": e.clue_id, "review_id": e.review_id}
    elif isinstance(e, PhotoRejected):
        team_id = e.team_id
        team_event = {"type": "photo_rejected", "clue": e.clue_id, "reason": e.reason}
    elif isinstance(e, ScoreAdjusted):
        team_id = e.team_id
        team_event = {"type": "adjusted", "points": e.points, "reason": e.reason}
    if team_event is None or team_id is None:
        return []
    data = {**base, **team_event}
    return [
        Message(position, "team", data, f"team:{team_id}"),
        Message(position, "activity", {**data, "team_id": team_id}, "organizer"),
    ]


def board_rows(rows: list[LeaderboardRow]) -> list[dict[str, Any]]:
    return [
        {
            "team_id": r.team_id,
            "name": r.name,
            "score": r.score,
            "solved": r.solved,
            "last_scoring_version": r.last_scoring_version,
            "order": r.order,
        }
        for r in rows
    ]


class LiveStream:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self.dropped = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    # -- writer thread side ---------------------------------------------------

    def on_batch(self, outcomes: list[Outcome], changes: Changes) -> None:
        loop = self._loop
        if loop is None or not self._subscribers:
            return
        by_hunt: dict[str, list[Message]] = defaultdict(list)
        last_position: dict[str, int] = {}
        # A hunt's board delta goes right after the last event that changed the board
        # (no later one did), with its position: a client that reads up to a later
        # event (an announcement in the same batch) has had the delta.
        board_at: dict[str, tuple[int, int]] = {}  # hunt -> (index in its messages, position)
        for outcome in outcomes:
            for recorded in outcome.events:
                hunt_id = recorded.hunt_id
                messages = by_hunt[hunt_id]
                messages.extend(messages_for(recorded))
                last_position[hunt_id] = recorded.position
                if changes_standings(recorded.event):
                    board_at[hunt_id] = (len(messages), recorded.position)
        boards: dict[str, list[LeaderboardRow]] = defaultdict(list)
        for (table, hunt_id, _), row in changes.items():
            if table == "leaderboard_live" and isinstance(row, LeaderboardRow):
                boards[hunt_id].append(row)
        for hunt_id, rows in boards.items():
            messages = by_hunt[hunt_id]
            index, position = board_at.get(hunt_id, (len(messages), last_position.get(hunt_id, 0)))
            messages.insert(index, Message(position, "leaderboard", {"rows": board_rows(rows)}))
        if by_hunt:
            loop.call_soon_threadsafe(self._fan_out, dict(by_hunt))

    # -- event loop side ------------------------------------------------------

    def _fan_out(self, by_hunt: dict[str, list[Message]]) -> None:
        for hunt_id, messages in by_hunt.items():
            for subscriber in list(self._subscribers.get(hunt_id, ())):
                for message in messages:
                    if subscriber.wants(message):
                        self._offer(subscriber, message)

    def _offer(self, subscriber: Subscriber, message: Message | object) -> None:
        if subscriber.dropped:
            return
        try:
            subscriber.queue.put_nowait(message)
        except asyncio.QueueFull:
            subscriber.dropped = True
            self.dropped += 1
            self.unsubscribe(subscriber)

    def watches(self, hunt_id: str) -> bool:
        """Whether anybody follows the hunt now (read from any thread: one dict lookup)."""
        return hunt_id in self._subscribers

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers[subscriber.hunt_id].add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(subscriber.hunt_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[subscriber.hunt_id]

    def close_all(self) -> None:
        for subscribers in list(self._subscribers.values()):
            for subscriber in list(subscribers):
                subscriber.dropped = True
                if not subscriber.queue.full():
                    subscriber.queue.put_nowait(_CLOSE)

    async def follow(
        self, subscriber: Subscriber, backlog: list[Message], keepalive: float = 15.0
    ) -> AsyncIterator[bytes]:
        """The bytes of one SSE response: the backlog, then live messages."""
        yield b"retry: 2000\n\n"
        for message in backlog:
            if subscriber.wants(message):
                yield message.encode()
        while not subscriber.dropped:
            try:
                item = await asyncio.wait_for(subscriber.queue.get(), keepalive)
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            if item is _CLOSE or not isinstance(item, Message):
                break
            yield item.encode()
        while not subscriber.queue.empty():  # what was queued before a drop still goes out
            item = subscriber.queue.get_nowait()
            if isinstance(item, Message):
                yield item.encode()
