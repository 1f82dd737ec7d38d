"""Server-Sent Events per hunt: leaderboard changes, announcements, state
changes, revisions, and a team's own events to that team only.

The writer thread hands each committed batch over with a non-blocking call;
every subscriber has a bounded queue, and one that falls behind is dropped
(it reconnects with Last-Event-ID) so a slow client never slows the engine.

A team's stream also says when clues open for it (`clue_opened`): when one of its
solves opens them, and within a second of a timed release. For that each team
subscriber knows what its team solved (read when it connects, then followed from
the batches), and a ticker compares the clock with the opening times of each
watched hunt's definition (recomputed at every revision). Nothing of it is stored:
after a restart a reconnecting page reloads its view, and the ticker goes on.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from questline.domain.definition import Clue, HuntDefinition
from questline.domain.events import (
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    HintUnlocked,
    HuntPaused,
    HuntResumed,
    HuntRevised,
    KeptGoing,
    PartSolved,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
    ScoreAdjusted,
    TeamMessaged,
)
from questline.domain.openness import open_clues
from questline.domain.projections.rows import Changes, LeaderboardRow
from questline.domain.standings import changes_standings
from questline.domain.timestamps import Micros, to_rfc3339
from questline.http.clue_openings import any_between, newly_open, opening_times
from questline.ports import Clock, Outcome

QUEUE_BOUND = 512
TICK_S = 0.25  # how often timed releases are looked for: well within the second promised
_encoder = msgspec.json.Encoder()
_CLOSE = object()

Audience = str  # "public", "organizer", or "team:<id>"


@dataclass(slots=True)
class Message:
    id: int | None  # the event's position; None for what no event made (a timed release)
    event: str
    data: dict[str, Any]
    audience: Audience = "public"
    version: int | None = None  # the hunt version of the event it tells of

    def encode(self) -> bytes:
        # Without an id line a client's Last-Event-ID stays as it was (the SSE rules).
        head = f"id: {self.id}\n" if self.id is not None else ""
        return f"{head}event: {self.event}\ndata: ".encode() + _encoder.encode(self.data) + b"\n\n"


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
    # What the team solved and the clues kept open for it (a team subscriber only).
    solved: set[str] = field(default_factory=set)
    kept_open: set[str] = field(default_factory=set)
    since: Micros = 0  # when it connected: its page's view is as of then
    # The hunt's events up to this version came before it connected (its page read
    # them): a node that follows the log a moment behind must not tell them again.
    after_version: int = 0

    def knows(self, solved: Iterable[str], kept_open: Iterable[str]) -> None:
        """What the team had solved when it connected (unions: events the batches
        brought meanwhile are kept)."""
        self.solved.update(solved)
        self.kept_open.update(kept_open)

    def is_news(self, message: Message) -> bool:
        return message.version is None or message.version > self.after_version

    def wants(self, message: Message) -> bool:
        if message.audience == "public":
            return not (message.event == "leaderboard" and not self.organizer and self.frozen())
        if message.audience == "organizer":
            return self.organizer
        return message.audience == f"team:{self.team_id}"


def messages_for(event: RecordedEvent) -> list[Message]:
    """The stream messages one event gives, if any."""
    e = event.event
    version = event.version
    base = {"version": version, "time": to_rfc3339(event.time)}
    position = event.position
    if isinstance(e, AnnouncementMade):
        return [Message(position, "announcement", {**base, "text": e.text}, version=version)]
    if isinstance(e, HuntPaused | HuntResumed):
        state = "paused" if isinstance(e, HuntPaused) else "resumed"
        return [Message(position, "state", {**base, "state": state}, version=version)]
    if isinstance(e, HuntRevised):
        return [Message(position, "revised", {**base, "revision": e.revision}, version=version)]
    messages: list[Message] = []
    for team_id, team_event in _team_events(e):
        data = {**base, **team_event}
        messages.append(Message(position, "team", data, f"team:{team_id}", version))
        activity = {**data, "team_id": team_id}
        messages.append(Message(position, "activity", activity, "organizer", version))
    return messages


def _team_events(e: object) -> list[tuple[str, dict[str, Any]]]:
    """(team, what happened to it) for the events a team hears about."""
    if isinstance(e, ClueSolved):
        solved = {"type": "solved", "clue": e.clue_id, "points": e.points, "bonus": e.bonus}
        if e.moved_from is not None:
            return []  # rejudging moved a solve the team has heard of: the board says it
        if e.review_id is not None:
            approved = {"type": "photo_approved", "clue": e.clue_id, "reason": e.reason}
            return [(e.team_id, approved), (e.team_id, solved)]
        return [(e.team_id, solved)]
    if isinstance(e, PartSolved):
        part = {"type": "part_solved", "clue": e.clue_id, "part": e.part_id, "points": e.points}
        return [(e.team_id, part)]
    if isinstance(e, HintUnlocked):
        return [(e.team_id, {"type": "hint_unlocked", "clue": e.clue_id, "hint": e.hint_id})]
    if isinstance(e, AnswerWrong | KeptGoing):
        kind = "incorrect" if isinstance(e, AnswerWrong) else "keep_going"
        return [(e.team_id, {"type": kind, "clue": e.clue_id})]
    if isinstance(e, PhotoSubmitted):
        waiting = {"type": "photo_waiting", "clue": e.clue_id, "review_id": e.review_id}
        return [(e.team_id, waiting)]
    if isinstance(e, PhotoRejected):
        return [(e.team_id, {"type": "photo_rejected", "clue": e.clue_id, "reason": e.reason})]
    if isinstance(e, ScoreAdjusted):
        return [(e.team_id, {"type": "adjusted", "points": e.points, "reason": e.reason})]
    if isinstance(e, TeamMessaged):
        return [(e.team_id, {"type": "message", "text": e.text})]
    return []


def clue_opened(clue: Clue, position: int | None, base: dict[str, Any], team_id: str) -> Message:
    data = {**base, "type": "clue_opened", "clue": clue.id, "title": clue.title}
    return Message(position, "team", data, f"team:{team_id}", base.get("version"))


def board_rows(rows: list[LeaderboardRow]) -> list[dict[str, Any]]:
    return [
        {
            "team_id": r.team_id,
            "name": r.name,
            "score": r.score,
            "solved": r.solved,
            "last_scoring_version": r.last_scoring_version,
            "order": r.order,
            "finished_at": to_rfc3339(r.finished_at) if r.finished_at is not None else None,
            "division": r.division,
        }
        for r in rows
    ]


@dataclass(slots=True)
class _Watched:
    """A hunt somebody follows: its definition and when its clues open."""

    definition: HuntDefinition | None
    checked_until: Micros  # timed releases up to here have been told
    openings: list[Micros] = field(default_factory=list)

    def revise(self, definition: HuntDefinition) -> None:
        self.definition = definition
        self.openings = opening_times(definition)


# What a batch hands the event loop, per hunt, in order: messages to offer, and the
# events the team subscribers follow (solves, revisions) right after their messages.
Item = Message | RecordedEvent


class LiveStream:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clock: Clock | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self._watched: dict[str, _Watched] = {}
        # The highest hunt version this node has answered a command with, per hunt.
        self._answered: dict[str, int] = {}
        self.dropped = 0

    def bind(self, loop: asyncio.AbstractEventLoop, clock: Clock | None = None) -> None:
        """Run on `loop`; with a clock, timed releases are told as they come."""
        self._loop = loop
        self._clock = clock
        if clock is not None:
            self._ticker = loop.create_task(self._tick())

    # -- writer thread side ---------------------------------------------------

    def on_batch(self, outcomes: list[Outcome], changes: Changes) -> None:
        loop = self._loop
        if loop is None or not self._subscribers:
            return
        by_hunt: dict[str, list[Item]] = defaultdict(list)
        last_position: dict[str, int] = {}
        # A hunt's board delta goes right after the last event that changed the board
        # (no later one did), with its position: a client that reads up to a later
        # event (an announcement in the same batch) has had the delta.
        # hunt -> (index in its items, position, version)
        board_at: dict[str, tuple[int, int, int | None]] = {}
        for outcome in outcomes:
            for recorded in outcome.events:
                hunt_id = recorded.hunt_id
                items = by_hunt[hunt_id]
                items.extend(messages_for(recorded))
                if isinstance(recorded.event, ClueSolved | HuntRevised):
                    items.append(recorded)
                last_position[hunt_id] = recorded.position
                if changes_standings(recorded.event):
                    board_at[hunt_id] = (len(items), recorded.position, recorded.version)
        boards: dict[str, list[LeaderboardRow]] = defaultdict(list)
        for (table, hunt_id, _), row in changes.items():
            if table == "leaderboard_live" and isinstance(row, LeaderboardRow):
                boards[hunt_id].append(row)
        for hunt_id, rows in boards.items():
            items = by_hunt[hunt_id]
            index, position, version = board_at.get(
                hunt_id, (len(items), last_position.get(hunt_id, 0), None)
            )
            delta = Message(position, "leaderboard", {"rows": board_rows(rows)}, version=version)
            items.insert(index, delta)
        if by_hunt:
            loop.call_soon_threadsafe(self._fan_out, dict(by_hunt))

    # -- event loop side ------------------------------------------------------

    def _fan_out(self, by_hunt: dict[str, list[Item]]) -> None:
        for hunt_id, items in by_hunt.items():
            subscribers = list(self._subscribers.get(hunt_id, ()))
            for item in items:
                if isinstance(item, RecordedEvent):
                    self._follow(item, subscribers)
                    continue
                for subscriber in subscribers:
                    if subscriber.is_news(item) and subscriber.wants(item):
                        self._offer(subscriber, item)

    def _follow(self, recorded: RecordedEvent, subscribers: list[Subscriber]) -> None:
        """A solve or a revision, as the team subscribers keep track of them."""
        watched = self._watched.get(recorded.hunt_id)
        if watched is None or watched.definition is None:
            return
        event = recorded.event
        definition = watched.definition
        if isinstance(event, HuntRevised):
            for s in subscribers:  # what was open under the old rules stays open
                s.kept_open |= open_clues(definition, s.solved, recorded.time, s.kept_open)
            watched.revise(event.definition)
            return
        assert isinstance(event, ClueSolved)
        base = {"version": recorded.version, "time": to_rfc3339(recorded.time)}
        for s in subscribers:
            if s.team_id != event.team_id or event.clue_id in s.solved:
                continue
            before = set(s.solved)
            s.solved.add(event.clue_id)
            if recorded.version <= s.after_version:
                continue  # its page saw what that solve opened
            t = recorded.time
            for clue in newly_open(definition, before, s.solved, t, t, s.kept_open):
                self._offer(s, clue_opened(clue, recorded.position, base, event.team_id))

    async def _tick(self) -> None:
        """Tell each connected team the clues a timed release opened for it."""
        clock = self._clock
        assert clock is not None
        while True:
            await asyncio.sleep(TICK_S)
            now = clock.now()
            for hunt_id, watched in list(self._watched.items()):
                since, watched.checked_until = (
                    watched.checked_until,
                    max(now, watched.checked_until),
                )
                definition = watched.definition
                if definition is None or not any_between(watched.openings, since, now):
                    continue
                base = {"time": to_rfc3339(now)}
                for s in list(self._subscribers.get(hunt_id, ())):
                    if s.team_id is None:
                        continue
                    before = max(since, s.since)
                    for clue in newly_open(
                        definition, s.solved, s.solved, before, now, s.kept_open
                    ):
                        self._offer(s, clue_opened(clue, None, base, s.team_id))

    def _offer(self, subscriber: Subscriber, message: Message | object) -> None:
        if subscriber.dropped:
            return
        try:
            subscriber.queue.put_nowait(message)
        except asyncio.QueueFull:
            subscriber.dropped = True
            self.dropped += 1
            self.unsubscribe(subscriber)

    def answered(self, events: Iterable[RecordedEvent]) -> None:
        """A command this node ran wrote these events: its caller knows of them, so a
        stream it opens next does not tell them again (the log may reach a cluster
        node's tail after the reply reached the caller)."""
        for recorded in events:
            if recorded.version > self._answered.get(recorded.hunt_id, 0):
                self._answered[recorded.hunt_id] = recorded.version

    def watches(self, hunt_id: str) -> bool:
        """Whether anybody follows the hunt now (read from any thread: one dict lookup)."""
        return hunt_id in self._subscribers

    def subscribe(self, subscriber: Subscriber, definition: HuntDefinition | None = None) -> None:
        """Follow the hunt; its definition (the one in force) gives its opening times."""
        now = self._clock.now() if self._clock is not None else 0
        subscriber.since = now
        hunt_id = subscriber.hunt_id
        subscriber.after_version = max(subscriber.after_version, self._answered.get(hunt_id, 0))
        self._subscribers[hunt_id].add(subscriber)
        watched = self._watched.get(hunt_id)
        if watched is None:
            watched = self._watched[hunt_id] = _Watched(None, now)
        if watched.definition is None and definition is not None:
            watched.revise(definition)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(subscriber.hunt_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[subscriber.hunt_id]
                self._watched.pop(subscriber.hunt_id, None)

    def close_all(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
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
