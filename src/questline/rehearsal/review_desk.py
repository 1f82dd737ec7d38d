"""The judges' desk: photos wait in one queue, first in first out, and each of J
judges takes the next one when free. A review takes about 45 seconds.

`queue_lengths` answers "what if we had k judges?" for the same photos arriving
at the same times: the report draws it for several k. For the rehearsal's own J
it is exactly the queue the simulation played; for other k it ignores that teams
whose photos come back sooner send their next ones sooner (a small effect: photos
are a few clues among many).
"""

import heapq
import math
import random
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

from questline.domain.timestamps import MICROS_PER_SECOND, Micros

REVIEW_SECONDS = 45.0  # a typical review: look, compare with the clue, decide
REVIEW_SPREAD = 0.5


@dataclass(slots=True)
class Photo:
    review_id: str
    team: int
    clue_id: str
    submitted: Micros
    duration: Micros  # how long its review takes once a judge starts on it


@dataclass
class ReviewDesk:
    judges: int
    busy: list[bool] = field(default_factory=list)
    waiting: deque[Photo] = field(default_factory=deque)
    arrivals: list[tuple[Micros, Micros]] = field(default_factory=list)  # (submitted, duration)
    waits: list[tuple[Micros, Micros]] = field(default_factory=list)  # (submitted, wait)

    def __post_init__(self) -> None:
        self.busy = [False] * self.judges

    @staticmethod
    def review_time(rng: random.Random) -> Micros:
        seconds = REVIEW_SECONDS * math.exp(rng.gauss(0.0, REVIEW_SPREAD))
        return int(seconds * MICROS_PER_SECOND)

    def arrive(self, photo: Photo, now: Micros) -> tuple[int, Photo] | None:
        """Queue the photo; (judge, photo) if a judge starts on it at once."""
        self.arrivals.append((photo.submitted, photo.duration))
        self.waiting.append(photo)
        return self.next_for_free_judge(now)

    def next_for_free_judge(self, now: Micros) -> tuple[int, Photo] | None:
        if not self.waiting:
            return None
        for judge, busy in enumerate(self.busy):
            if not busy:
                photo = self.waiting.popleft()
                self.busy[judge] = True
                self.waits.append((photo.submitted, now - photo.submitted))
                return judge, photo
        return None

    def finished(self, judge: int, now: Micros) -> tuple[int, Photo] | None:
        """The judge is done with a photo; (judge, photo) if it starts on the next one."""
        self.busy[judge] = False
        return self.next_for_free_judge(now)


def queue_lengths(
    arrivals: list[tuple[Micros, Micros]], judges: int, samples: list[Micros]
) -> list[int]:
    """Photos waiting (not yet with a judge) at each sample time, with `judges` judges
    taking them in order of arrival."""
    free_at = [0] * judges
    heapq.heapify(free_at)
    submitted: list[Micros] = []
    started: list[Micros] = []
    for time, duration in sorted(arrivals):
        start = max(time, free_at[0])
        heapq.heapreplace(free_at, start + duration)
        submitted.append(time)
        started.append(start)
    started.sort()
    return [bisect_right(submitted, s) - bisect_right(started, s) for s in samples]
