"""CoDel's test for a standing queue, applied to the event loop: a request parsed by the
server waits for the loop before the app sees it. A wait over the target now and then
is a burst; every request waiting over it for a whole interval is a queue that will not
drain by itself, and then requests that waited longer than the target are refused
until one gets through under it (Nichols and Jacobson, "Controlling Queue Delay",
2012; the same rule as the queue timeouts of "Fail at Scale", 2015)."""


class QueueDelay:
    __slots__ = ("_above_until", "dropping", "interval_s", "target_s")

    def __init__(self, target_s: float, interval_s: float) -> None:
        self.target_s = target_s
        self.interval_s = interval_s
        self.dropping = False
        self._above_until = 0.0  # when waits have stayed over the target this long: a queue

    def congested(self, waited_s: float, now: float) -> bool:
        """Whether a request that waited `waited_s` should be refused."""
        if waited_s < self.target_s:
            self._above_until = 0.0
            self.dropping = False
            return False
        if self._above_until == 0.0:
            self._above_until = now + self.interval_s
        elif now >= self._above_until:
            self.dropping = True
        return self.dropping
