"""Read-your-writes on a node whose read side is written after callers are answered
(http/read_your_writes.py): reads wait for what the node answered, together."""

import asyncio
import logging

import pytest

from questline.domain.events import HuntPaused, RecordedEvent
from questline.http.read_your_writes import ReadYourWrites

HUNT = "night"


class ReadSide:
    """A read side that shows one more version each time it is asked (a projector
    catching up), counting the questions."""

    def __init__(self, shown: int = 0, step: int = 1) -> None:
        self.shown = shown
        self.step = step
        self.questions = 0
        self.broken = False

    def version(self, hunt_id: str) -> int:
        assert hunt_id == HUNT
        self.questions += 1
        if self.broken:
            raise ConnectionError("no replica answered")
        self.shown += self.step
        return self.shown


def _answered(version: int, hunt_id: str = HUNT) -> list[RecordedEvent]:
    return [RecordedEvent(hunt_id, version, 0, f"c-{version}", HuntPaused())]


def test_nothing_answered_means_no_wait_and_no_question() -> None:
    side = ReadSide()
    ryw = ReadYourWrites(side.version)
    asyncio.run(ryw.wait(HUNT))
    asyncio.run(ryw.wait())
    assert side.questions == 0 and not ryw.behind(HUNT)


def test_a_read_waits_until_the_read_side_shows_the_answered_version() -> None:
    side = ReadSide()
    ryw = ReadYourWrites(side.version, poll_s=0)
    ryw.answered(_answered(3))
    assert ryw.behind(HUNT)
    asyncio.run(ryw.wait(HUNT))
    assert side.shown == 3 and side.questions == 3
    assert not ryw.behind(HUNT)
    asyncio.run(ryw.wait(HUNT))  # caught up: no more questions
    assert side.questions == 3


def test_readers_waiting_on_one_hunt_share_each_question() -> None:
    side = ReadSide()
    ryw = ReadYourWrites(side.version, poll_s=0)
    ryw.answered(_answered(4))

    async def many() -> None:
        await asyncio.gather(*(ryw.wait(HUNT) for _ in range(50)))

    asyncio.run(many())
    assert side.questions == 4  # not 50 readers x 4


def test_a_read_naming_no_hunt_waits_for_every_hunt_answered() -> None:
    side = ReadSide()
    ryw = ReadYourWrites(side.version, poll_s=0)
    ryw.answered(_answered(2))
    asyncio.run(ryw.wait())
    assert side.shown == 2


def test_a_read_side_that_never_catches_up_is_read_after_the_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    side = ReadSide(step=0)
    ryw = ReadYourWrites(side.version, poll_s=0.001, wait_s=0.05)
    ryw.answered(_answered(1))
    with caplog.at_level(logging.WARNING):
        asyncio.run(ryw.wait(HUNT))
    assert side.questions >= 1 and ryw.behind(HUNT)
    assert "did not show version 1" in caplog.text


def test_a_read_side_that_cannot_be_read_is_not_waited_for(
    caplog: pytest.LogCaptureFixture,
) -> None:
    side = ReadSide()
    side.broken = True
    ryw = ReadYourWrites(side.version, poll_s=0, wait_s=60)
    ryw.answered(_answered(1))
    with caplog.at_level(logging.WARNING):
        asyncio.run(ryw.wait(HUNT))  # returns at once: the read itself will fail
    assert side.questions == 1 and "no replica answered" in caplog.text
