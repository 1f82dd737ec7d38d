"""How one batch of events becomes stream messages: the board delta goes right after
the last event that changed the board, so a client reading up to a later event of
the same batch (an announcement) has had it. A cluster API node's tail hands over
what it read in one poll as one batch, so a solve and the announcement right after
it often arrive together.

A cluster node's tail also reads the log a moment after the worker replied: what a
caller was answered before it opened a stream is not told on that stream."""

import asyncio

from questline.domain.events import (
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    Event,
    RecordedEvent,
)
from questline.domain.projections.rows import Changes, LeaderboardRow
from questline.http.live_stream import LiveStream, Message, Subscriber
from questline.ports import Outcome

HUNT = "h"


def recorded(version: int, event: Event) -> RecordedEvent:
    return RecordedEvent(HUNT, version, 0, f"c{version}", event, position=100 + version)


def board(score: int) -> Changes:
    row = LeaderboardRow("t1", "Otters", score, 1, 3, 1)
    return {("leaderboard_live", HUNT, "t1"): row}


def delivered(
    events: list[RecordedEvent],
    changes: Changes,
    *,
    organizer: bool,
    answered_before: tuple[RecordedEvent, ...] = (),
) -> list[Message]:
    """The messages a subscriber gets for one batch, in order (after this node answered
    a command with `answered_before`, then the subscriber connected)."""

    async def run() -> list[Message]:
        live = LiveStream()
        live.bind(asyncio.get_running_loop())
        live.answered(answered_before)
        subscriber = Subscriber(HUNT, None, organizer, frozen=lambda: False)
        live.subscribe(subscriber)
        live.on_batch([Outcome(e.command_id, events=(e,)) for e in events], changes)
        await asyncio.sleep(0)  # the fan-out was scheduled with call_soon_threadsafe
        got = []
        while not subscriber.queue.empty():
            item = subscriber.queue.get_nowait()
            assert isinstance(item, Message)
            got.append(item)
        return got

    return asyncio.run(run())


def test_the_delta_comes_before_a_later_announcement_of_the_same_batch() -> None:
    solve = recorded(3, ClueSolved("t1", "lighthouse", 100, 10, 1))
    barrier = recorded(4, AnnouncementMade("barrier"))
    messages = delivered([solve, barrier], board(110), organizer=False)
    assert [(m.event, m.id) for m in messages] == [
        ("leaderboard", solve.position),
        ("announcement", barrier.position),
    ]
    assert messages[0].data["rows"][0]["score"] == 110


def test_the_delta_follows_every_message_of_the_event_that_changed_the_board() -> None:
    wrong = recorded(3, AnswerWrong("t1", "lighthouse"))
    solve = recorded(4, ClueSolved("t1", "lighthouse", 100, 10, 1))
    later_wrong = recorded(5, AnswerWrong("t1", "harbour"))
    messages = delivered([wrong, solve, later_wrong], board(110), organizer=True)
    assert [(m.event, m.id) for m in messages] == [  # the organizer's: activity, no team events
        ("activity", wrong.position),
        ("activity", solve.position),
        ("leaderboard", solve.position),
        ("activity", later_wrong.position),
    ]


def test_a_delta_without_a_board_event_in_the_batch_goes_last() -> None:
    # A board rebuilt from history can change with events of other types in hand.
    barrier = recorded(4, AnnouncementMade("barrier"))
    messages = delivered([barrier], board(110), organizer=False)
    assert [(m.event, m.id) for m in messages] == [
        ("announcement", barrier.position),
        ("leaderboard", barrier.position),
    ]


def test_what_a_caller_was_answered_before_connecting_is_not_told_again() -> None:
    solve = recorded(3, ClueSolved("t1", "lighthouse", 100, 10, 1))
    barrier = recorded(4, AnnouncementMade("barrier"))
    messages = delivered([solve, barrier], board(110), organizer=True, answered_before=(solve,))
    assert [(m.event, m.id) for m in messages] == [("announcement", barrier.position)]
