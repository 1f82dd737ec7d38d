"""How many requests of one kind may be in flight at once, found by the latency they get
(additive increase, multiplicative decrease, as TCP finds a window): while the slowest
twentieth of a window's requests stay under the threshold and the limit was reached,
the limit grows by its square root; when more than a twentieth go over while at least
half the limit was in use, it shrinks by a tenth (a limit far above what is in flight
is not what makes answers slow, a noisy machine or one slow query is, and shrinking it
there would ratchet it down until ordinary traffic is refused). The threshold is the
target, or twice the quickest window of the last half minute when that is higher: a
backend that is slow even unloaded (a cluster's Kafka round trip) is not starved down
to the minimum.

Not thread-safe: one event loop owns it. Nothing is allocated per request."""

import math

_WINDOW_S = 0.1
_SLOTS = 30  # one per second: the quickest window of each of the last 30 s
_BACKOFF = 0.9
_OVER_SHARE = 20  # a window is congested when more than 1/20 of its requests are over


class AdaptiveLimit:
    __slots__ = (
        "_count",
        "_ends",
        "_over",
        "_peak",
        "_saturated",
        "_seconds",
        "_total",
        "floors",
        "in_flight",
        "limit",
        "maximum",
        "minimum",
        "target_s",
        "threshold_s",
        "tolerance",
    )

    def __init__(
        self,
        *,
        initial: int,
        minimum: int,
        maximum: int,
        target_s: float,
        tolerance: float = 2.0,
    ) -> None:
        self.limit = float(initial)
        self.minimum = minimum
        self.maximum = maximum
        self.target_s = target_s
        self.tolerance = tolerance
        self.threshold_s = target_s
        self.in_flight = 0
        self.floors = [math.inf] * _SLOTS
        self._seconds = [-1] * _SLOTS
        self._ends = 0.0
        self._count = 0
        self._total = 0.0
        self._over = 0
        self._peak = 0  # the most in flight at once in this window
        self._saturated = False

    def acquire(self) -> bool:
        """Take a place, or False when every place is taken (refuse the request)."""
        if self.in_flight >= self.limit:
            self._saturated = True
            return False
        in_flight = self.in_flight = self.in_flight + 1
        if in_flight > self._peak:
            self._peak = in_flight
            if in_flight >= self.limit:
                self._saturated = True  # reached: the limit is what holds back
        return True

    def release(self, latency_s: float, now: float) -> None:
        """Give the place back with the latency its request got."""
        self.in_flight -= 1
        self._count += 1
        self._total += latency_s
        if latency_s > self.threshold_s:
            self._over += 1
        if now >= self._ends:
            self._adjust(now)

    def _adjust(self, now: float) -> None:
        self._ends = now + _WINDOW_S
        count = self._count
        if count:
            average = self._total / count
            second = int(now)
            slot = second % _SLOTS
            if self._seconds[slot] != second:
                self._seconds[slot] = second
                self.floors[slot] = average
            elif average < self.floors[slot]:
                self.floors[slot] = average
            if self._over * _OVER_SHARE > count and self._peak * 2 >= self.limit:
                self.limit = max(float(self.minimum), self.limit * _BACKOFF)
            elif self._saturated:
                self.limit = min(float(self.maximum), self.limit + math.sqrt(self.limit))
            recent = second - _SLOTS
            floor = min(f for f, s in zip(self.floors, self._seconds, strict=True) if s > recent)
            self.threshold_s = max(self.target_s, self.tolerance * floor)
        self._count = 0
        self._total = 0.0
        self._over = 0
        self._peak = self.in_flight
        self._saturated = False
